package io.sessionbroker.broker.diagnostics;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Explains why an HTTPS request to Keycloak failed, in words an operator can act on. For the
 * classic "PKIX path building failed" it connects once more without judging the certificate, only
 * to name the certificates the server presents, so the operator knows which CA to add.
 */
final class ConnectionProblems {

  private ConnectionProblems() {}

  static String explain(URI url, IOException failure) {
    String host = url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
    Throwable root = rootCause(failure);
    if (root instanceof UnknownHostException) {
      return "the host name "
          + url.getHost()
          + " does not resolve from the broker (DNS): check the issuer URL and the cluster DNS";
    }
    if (failure instanceof HttpConnectTimeoutException
        || hasCause(failure, ConnectException.class)) {
      return "no connection to "
          + host
          + ": is Keycloak running there, and does a NetworkPolicy or firewall allow the broker"
          + " to reach it?";
    }
    if (failure instanceof HttpTimeoutException) {
      return host + " accepted the connection but did not answer in time";
    }
    if (isUntrustedCertificate(failure)) {
      return "the broker does not trust the TLS certificate of "
          + host
          + ": its chain does not end at a CA in the broker's trust store (Java's 'PKIX path"
          + " building failed'). The server presents: "
          + presentedChain(url)
          + ". Add the CA that issued it to the broker's trust store (docs/operations.md, TLS"
          + " trust for a private CA), or fix the server to send its full chain.";
    }
    if (failure instanceof SSLHandshakeException) {
      return "the TLS handshake with " + host + " failed: " + root.getMessage();
    }
    return host + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static boolean isUntrustedCertificate(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = String.valueOf(cause.getMessage());
      if (message.contains("PKIX path building failed")
          || message.contains("unable to find valid certification path")
          || cause.getClass().getName().endsWith("CertPathBuilderException")) {
        return true;
      }
    }
    return false;
  }

  /** The certificates the server sends, described (never trusted). */
  static String presentedChain(URI url) {
    int port = url.getPort() > 0 ? url.getPort() : 443;
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new DescribeOnly()}, new SecureRandom());
      try (SSLSocket socket =
          (SSLSocket) context.getSocketFactory().createSocket(url.getHost(), port)) {
        socket.setSoTimeout(5000);
        socket.startHandshake();
        List<String> described = new ArrayList<>();
        for (Certificate certificate : socket.getSession().getPeerCertificates()) {
          if (certificate instanceof X509Certificate x509) {
            described.add(
                "[subject "
                    + x509.getSubjectX500Principal().getName()
                    + ", issued by "
                    + x509.getIssuerX500Principal().getName()
                    + ", valid until "
                    + x509.getNotAfter().toInstant()
                    + "]");
          }
        }
        return String.join(" <- ", described);
      }
    } catch (IOException | java.security.GeneralSecurityException e) {
      return "(could not read the certificates: " + e.getMessage() + ")";
    }
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /**
   * Accepts any certificate. Used ONLY to describe what a server presents in a diagnostic; the
   * connection is closed right after the handshake and nothing is sent over it.
   */
  private static final class DescribeOnly implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
