package io.sessionbroker.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A small OpenID issuer for tests: serves a discovery document and a JWKS over HTTP on loopback and
 * mints ID tokens, access tokens and logout tokens with any claims.
 *
 * <p>Signing keys are generated in memory at start (RSA 2048), so no key material is ever
 * committed. {@link #rotateKey()} adds a new signing key, to test JWKS refresh on an unknown {@code
 * kid}. The issuer URL has Keycloak's shape: {@code http://127.0.0.1:<port>/realms/<realm>}.
 */
public final class TestIssuer implements AutoCloseable {

  /** The member of {@code events} that marks a back-channel logout token. */
  public static final String BACKCHANNEL_LOGOUT_EVENT =
      "http://schemas.openid.net/event/backchannel-logout";

  /** The broker's default API audience ({@code session-broker.api.audience}). */
  public static final String API_AUDIENCE = "session-broker";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final String realm;
  private final List<RsaJsonWebKey> publishedKeys = new CopyOnWriteArrayList<>();
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private volatile RsaJsonWebKey signingKey;
  private volatile CountDownLatch jwksGate = new CountDownLatch(0);
  private volatile DiscoveryAnswer discoveryAnswer;

  /** A discovery answer set by {@link #answerDiscoveryWith}. */
  private record DiscoveryAnswer(int status, String contentType, String body) {}

  private TestIssuer(String realm) {
    this.realm = realm;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not bind the test issuer", e);
    }
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/realms/" + realm + "/.well-known/openid-configuration", this::discovery);
    server.createContext("/realms/" + realm + "/protocol/openid-connect/certs", this::jwks);
    rotateKey();
  }

  /** Starts an issuer for the realm name, on a free loopback port. */
  public static TestIssuer start(String realm) {
    TestIssuer issuer = new TestIssuer(realm);
    issuer.server.start();
    return issuer;
  }

  /** The issuer URL, equal to the {@code iss} of every token it mints. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/" + realm;
  }

  /** The JWKS URL. */
  public String jwksUrl() {
    return url() + "/protocol/openid-connect/certs";
  }

  /** How often the JWKS was fetched (to test caching and refresh). */
  public int jwksRequestCount() {
    return jwksRequests.get();
  }

  /**
   * Holds every JWKS request from now on (at most a minute each) until the returned action runs;
   * the held requests then answer with the keys published at that time. Lets a test keep a key
   * refresh in flight for as long as it needs.
   */
  public Runnable holdJwks() {
    CountDownLatch gate = new CountDownLatch(1);
    jwksGate = gate;
    return () -> {
      jwksGate = new CountDownLatch(0);
      gate.countDown();
    };
  }

  /** Generates a new signing key, publishes it beside the old ones and signs with it from now. */
  public synchronized RsaJsonWebKey rotateKey() {
    try {
      RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
      key.setKeyId("test-" + UUID.randomUUID());
      key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
      key.setUse("sig");
      publishedKeys.add(key);
      signingKey = key;
      return key;
    } catch (JoseException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  /** Generates a key that is NOT published in the JWKS: tokens signed with it must be rejected. */
  public static RsaJsonWebKey unpublishedKey() {
    try {
      RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
      key.setKeyId("unpublished-" + UUID.randomUUID());
      return key;
    } catch (JoseException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  /** The current signing key (its public part is in the JWKS). */
  public RsaJsonWebKey signingKey() {
    return signingKey;
  }

  /**
   * Claims of a valid service-account access token of Keycloak's shape for {@code clientId} (what
   * the client-credentials grant returns): {@code client_id} and {@code preferred_username} {@code
   * service-account-<clientId>} mark it, and {@code aud} contains {@link #API_AUDIENCE} (the
   * audience mapper of the broker's API).
   */
  public JwtClaims accessTokenClaims(String clientId, String... realmRoles) {
    JwtClaims claims = baseClaims();
    claims.setSubject(UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString());
    claims.setAudience(API_AUDIENCE, "account");
    claims.setClaim("azp", clientId);
    claims.setClaim("typ", "Bearer");
    claims.setClaim("preferred_username", "service-account-" + clientId.toLowerCase(Locale.ROOT));
    claims.setClaim("client_id", clientId);
    claims.setClaim("realm_access", Map.of("roles", List.of(realmRoles)));
    claims.setExpirationTimeMinutesInTheFuture(5);
    return claims;
  }

  /** A signed service-account access token for {@code clientId} with the given realm roles. */
  public String accessToken(String clientId, String... realmRoles) {
    return sign(accessTokenClaims(clientId, realmRoles));
  }

  /**
   * Claims of a valid access token that Keycloak issued to {@code clientId} for a signed-in end
   * user {@code sub} (authorisation code flow): no {@code client_id} claim, the user's own {@code
   * preferred_username}, and {@code aud} with {@link #API_AUDIENCE}, as when the audience mapper
   * sits on the app's client.
   */
  public JwtClaims userAccessTokenClaims(String clientId, String sub, String... realmRoles) {
    JwtClaims claims = baseClaims();
    claims.setSubject(sub);
    claims.setAudience(API_AUDIENCE, "account");
    claims.setClaim("azp", clientId);
    claims.setClaim("typ", "Bearer");
    claims.setClaim("sid", UUID.randomUUID().toString());
    claims.setClaim("preferred_username", "user-" + sub);
    claims.setClaim("realm_access", Map.of("roles", List.of(realmRoles)));
    claims.setExpirationTimeMinutesInTheFuture(5);
    return claims;
  }

  /** A signed end-user access token issued to {@code clientId}. */
  public String userAccessToken(String clientId, String sub, String... realmRoles) {
    return sign(userAccessTokenClaims(clientId, sub, realmRoles));
  }

  /** Claims of a valid ID token of Keycloak's shape. */
  public JwtClaims idTokenClaims(String clientId, String sid, String sub) {
    JwtClaims claims = baseClaims();
    claims.setSubject(sub);
    claims.setAudience(clientId);
    claims.setClaim("azp", clientId);
    claims.setClaim("typ", "ID");
    claims.setClaim("sid", sid);
    claims.setClaim("auth_time", Instant.now().getEpochSecond());
    claims.setExpirationTimeMinutesInTheFuture(5);
    return claims;
  }

  /** A signed ID token. */
  public String idToken(String clientId, String sid, String sub) {
    return sign(idTokenClaims(clientId, sid, sub));
  }

  /** Claims of a valid back-channel logout token (OIDC Back-Channel Logout 1.0 §2.4). */
  public JwtClaims logoutTokenClaims(String clientId, String sid, String sub) {
    JwtClaims claims = baseClaims();
    if (sub != null) {
      claims.setSubject(sub);
    }
    if (sid != null) {
      claims.setClaim("sid", sid);
    }
    claims.setAudience(clientId);
    claims.setClaim("typ", "Logout");
    claims.setClaim("events", Map.of(BACKCHANNEL_LOGOUT_EVENT, Map.of()));
    claims.setExpirationTimeMinutesInTheFuture(2);
    return claims;
  }

  /** A signed, valid logout token with header {@code typ: logout+jwt}. */
  public String logoutToken(String clientId, String sid, String sub) {
    return sign(logoutTokenClaims(clientId, sid, sub), "logout+jwt");
  }

  /** Signs claims with the current key, RS256, header {@code typ: JWT}. */
  public String sign(JwtClaims claims) {
    return sign(claims, "JWT");
  }

  /** Signs claims with the current key, RS256 and the given header {@code typ} (null: none). */
  public String sign(JwtClaims claims, String typ) {
    return sign(claims, typ, signingKey);
  }

  /** Signs claims with any RSA key, RS256. */
  public static String sign(JwtClaims claims, String typ, RsaJsonWebKey key) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(key.getPrivateKey());
    jws.setKeyIdHeaderValue(key.getKeyId());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    if (typ != null) {
      jws.setHeader("typ", typ);
    }
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException("Signing failed", e);
    }
  }

  private JwtClaims baseClaims() {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(url());
    claims.setIssuedAtToNow();
    claims.setJwtId(UUID.randomUUID().toString());
    return claims;
  }

  /**
   * Makes the discovery endpoint answer {@code status} with {@code body} (of {@code contentType})
   * from now on, to test how a broken issuer is reported; {@link #answerDiscoveryNormally()} undoes
   * it.
   */
  public void answerDiscoveryWith(int status, String contentType, String body) {
    discoveryAnswer = new DiscoveryAnswer(status, contentType, body);
  }

  /** Serves the regular discovery document again. */
  public void answerDiscoveryNormally() {
    discoveryAnswer = null;
  }

  /** The regular discovery document, as a mutable map (e.g. to serve it without a field). */
  public Map<String, Object> discoveryDocument() {
    String base = url() + "/protocol/openid-connect";
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", url());
    doc.put("authorization_endpoint", base + "/auth");
    doc.put("token_endpoint", base + "/token");
    doc.put("userinfo_endpoint", base + "/userinfo");
    doc.put("end_session_endpoint", base + "/logout");
    doc.put("jwks_uri", jwksUrl());
    doc.put("response_types_supported", List.of("code"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
    doc.put("backchannel_logout_supported", true);
    doc.put("backchannel_logout_session_supported", true);
    return doc;
  }

  private void discovery(HttpExchange exchange) throws IOException {
    DiscoveryAnswer answer = discoveryAnswer;
    if (answer != null) {
      respond(exchange, answer.status(), answer.contentType(), answer.body());
      return;
    }
    respond(exchange, JSON.writeValueAsString(discoveryDocument()));
  }

  private void jwks(HttpExchange exchange) throws IOException {
    jwksRequests.incrementAndGet();
    try {
      jwksGate.await(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<RsaJsonWebKey> publicKeys = new ArrayList<>(publishedKeys);
    respond(exchange, new JsonWebKeySet(publicKeys).toJson());
  }

  private static void respond(HttpExchange exchange, String body) throws IOException {
    respond(exchange, 200, "application/json", body);
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
