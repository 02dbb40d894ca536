package io.sessionbroker.benchmark;

/** The broker requests the benchmark sends, built once per call as raw HTTP/1.1 bytes. */
final class Requests {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON = "application/json";

  private Requests() {}

  /** A back-channel logout POST; a compact JWS needs no form encoding (base64url and dots). */
  static byte[] logout(int port, String logoutToken) {
    return HttpConnection.post(
        port, "/backchannel-logout", FORM, null, "logout_token=" + logoutToken);
  }

  /** A registration with an explicit sid and sub. */
  static byte[] registerWithSid(int port, String bearer, String sessionId, String sid, String sub) {
    return HttpConnection.post(
        port,
        "/api/v1/sessions",
        JSON,
        bearer,
        "{\"sessionId\":\"" + sessionId + "\",\"sid\":\"" + sid + "\",\"sub\":\"" + sub + "\"}");
  }

  /** A registration with the app's ID token. */
  static byte[] registerWithIdToken(int port, String bearer, String sessionId, String idToken) {
    return HttpConnection.post(
        port,
        "/api/v1/sessions",
        JSON,
        bearer,
        "{\"sessionId\":\"" + sessionId + "\",\"idToken\":\"" + idToken + "\"}");
  }

  /** A query by one parameter ({@code sid} or {@code sub}); ids are UUIDs, no encoding needed. */
  static byte[] query(int port, String bearer, String parameter, String value) {
    return HttpConnection.get(port, "/api/v1/sessions?" + parameter + "=" + value, bearer);
  }
}
