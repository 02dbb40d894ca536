package io.sessionbroker.broker.api;

import static io.sessionbroker.broker.api.ApiTestCalls.register;
import static io.sessionbroker.broker.api.ApiTestCalls.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import io.sessionbroker.broker.testing.InjectTestIssuer;
import io.sessionbroker.testsupport.TestIssuer;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, SPEC §6: an API bearer token costs one signature check. Every RS256 verification in
 * this JVM is counted (a JCA provider that wraps the JDK's); a registration with an explicit sid
 * verifies exactly one signature (the caller's access token, by quarkus-oidc), one with an ID token
 * exactly two (the access token and the ID token), not a second check of the bearer token by the
 * broker itself, by introspection or by UserInfo.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class SignatureChecksPerRegistrationTest {

  private static final AtomicInteger VERIFICATIONS = new AtomicInteger();
  private static final String PROVIDER = "SignatureChecksPerRegistrationTest";

  @InjectTestIssuer TestIssuer issuer;

  @BeforeAll
  static void countRs256Verifications() {
    Security.insertProviderAt(new CountingProvider(), 1);
  }

  @AfterAll
  static void stopCounting() {
    Security.removeProvider(PROVIDER);
  }

  @Test
  void whenAppRegistersThenItsBearerTokenIsVerifiedOnce() {
    String accessToken = issuer.accessToken("app1");
    // The first calls load the issuer's keys (quarkus-oidc's and the broker's own).
    register(accessToken, Map.of("sessionId", unique("S"), "sid", unique("sid")))
        .then()
        .statusCode(201);
    register(
            accessToken,
            Map.of("sessionId", unique("S"), "idToken", issuer.idToken("app1", unique("sid"), "u")))
        .then()
        .statusCode(201);

    int before = VERIFICATIONS.get();
    register(accessToken, Map.of("sessionId", unique("S"), "sid", unique("sid")))
        .then()
        .statusCode(201);
    assertThat(VERIFICATIONS.get() - before)
        .as("signature checks of a registration with an explicit sid")
        .isEqualTo(1);

    String idToken = issuer.idToken("app1", unique("sid"), "user-1");
    before = VERIFICATIONS.get();
    register(accessToken, Map.of("sessionId", unique("S"), "idToken", idToken))
        .then()
        .statusCode(201);
    assertThat(VERIFICATIONS.get() - before)
        .as("signature checks of a registration with an ID token")
        .isEqualTo(2);
  }

  /** SHA256withRSA (RS256) of the JDK, counting verifications. */
  private static final class CountingProvider extends Provider {
    CountingProvider() {
      super(PROVIDER, "1", "counts RS256 signature verifications");
      putService(
          new Service(
              this, "Signature", "SHA256withRSA", CountingSignature.class.getName(), null, null) {
            @Override
            public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
              return new CountingSignature();
            }
          });
    }
  }

  private static final class CountingSignature extends SignatureSpi {
    private final Signature jdk;

    CountingSignature() throws NoSuchAlgorithmException {
      try {
        jdk = Signature.getInstance("SHA256withRSA", "SunRsaSign");
      } catch (java.security.NoSuchProviderException e) {
        throw new NoSuchAlgorithmException(e);
      }
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
      jdk.initVerify(publicKey);
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
      jdk.initSign(privateKey);
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
      jdk.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
      jdk.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      return jdk.sign();
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
      VERIFICATIONS.incrementAndGet();
      return jdk.verify(sigBytes);
    }

    @Override
    @SuppressWarnings("deprecation")
    protected void engineSetParameter(String param, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    @SuppressWarnings("deprecation")
    protected Object engineGetParameter(String param) {
      throw new UnsupportedOperationException();
    }
  }
}
