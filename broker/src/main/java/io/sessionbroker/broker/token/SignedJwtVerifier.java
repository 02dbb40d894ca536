package io.sessionbroker.broker.token;

import io.sessionbroker.broker.config.SessionBrokerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.Key;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;

/**
 * Decodes a compact JWS, checks the types of its JOSE header members ({@link JoseHeaderShape}), and
 * verifies its signature against the keys of the issuer named by its {@code iss} (or of a given
 * issuer, for Keycloak admin actions that carry no {@code iss}). Claims are judged afterwards by
 * the caller's own validator.
 */
@ApplicationScoped
public class SignedJwtVerifier {

  private static final JwtConsumer DECODER =
      new JwtConsumerBuilder()
          .setSkipSignatureVerification()
          .setSkipAllValidators()
          .setDisableRequireSignature()
          .build();

  private final IssuerDirectory issuers;
  private final Set<String> allowedAlgorithms;

  SignedJwtVerifier(IssuerDirectory issuers, SessionBrokerConfig config) {
    this.issuers = issuers;
    this.allowedAlgorithms =
        config.logout().allowedAlgorithms().stream()
            .filter(SignedJwtVerifier::isAsymmetric)
            .collect(Collectors.toUnmodifiableSet());
  }

  private Issuer issuerOf(JwtContext decoded) {
    String iss;
    try {
      iss = decoded.getJwtClaims().getIssuer();
    } catch (MalformedClaimException e) {
      throw new TokenRejectedException("iss: the claim is not a string [OIDC Core §2]");
    }
    Issuer issuer =
        issuers
            .byUrl(iss)
            .orElseThrow(
                () ->
                    new TokenRejectedException(
                        "iss: the issuer is not one configured in session-broker.issuers"
                            + " [OIDC Back-Channel Logout 1.0 §2.6 step 3]"));
    return issuer;
  }

  /**
   * Verifies a token issued by any configured issuer (found by {@code iss}), without holding the
   * calling thread while a key refresh is awaited (SPEC §4): completes at once when the token's key
   * is cached, else on {@code resumeOn} once the refresh is done.
   *
   * @return the verified token, or failed with {@link TokenRejectedException} or {@link
   *     KeysUnavailableException} (possibly wrapped in a {@link
   *     java.util.concurrent.CompletionException})
   */
  public CompletableFuture<VerifiedJwt> verifyLater(String compact, Executor resumeOn) {
    try {
      JwtContext decoded = decode(compact);
      return verifyLater(issuerOf(decoded), decoded, resumeOn);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Verifies a token signed by {@code issuer} whatever its claims say, waiting for keys as {@link
   * #verifyLater(String, Executor)}.
   */
  public CompletableFuture<VerifiedJwt> verifyLater(
      String compact, Issuer issuer, Executor resumeOn) {
    try {
      return verifyLater(issuer, decode(compact), resumeOn);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<VerifiedJwt> verifyLater(
      Issuer issuer, JwtContext decoded, Executor resumeOn) {
    JsonWebSignature header = checkAlgorithm(decoded);
    return issuers
        .keys(issuer)
        .keyForLater(header, resumeOn)
        .thenApply(key -> checkSignature(issuer, decoded, key));
  }

  private JsonWebSignature checkAlgorithm(JwtContext decoded) {
    // decode() checked the header members' types and that this is a JWS.
    JsonWebSignature header = (JsonWebSignature) decoded.getJoseObjects().get(0);
    String alg = header.getAlgorithmHeaderValue();
    if (alg == null || !isAsymmetric(alg) || !allowedAlgorithms.contains(alg)) {
      throw new TokenRejectedException(
          "alg: '"
              + safe(alg)
              + "' is not allowed; accepted: "
              + allowedAlgorithms.stream().sorted().toList()
              + " (never none or HMAC) [OIDC Back-Channel Logout 1.0 §2.6 step 2]");
    }
    return header;
  }

  private VerifiedJwt checkSignature(Issuer issuer, JwtContext decoded, Key key) {
    JwtConsumer consumer =
        new JwtConsumerBuilder()
            .setSkipAllValidators()
            .setVerificationKey(key)
            .setJwsAlgorithmConstraints(
                new AlgorithmConstraints(
                    ConstraintType.PERMIT, allowedAlgorithms.toArray(String[]::new)))
            .build();
    try {
      consumer.processContext(decoded);
    } catch (InvalidJwtException e) {
      throw new TokenRejectedException(
          "signature: invalid for the keys of issuer '"
              + issuer.alias()
              + "' [OIDC Back-Channel Logout 1.0 §2.6 step 2]");
    }
    JsonWebStructure header = decoded.getJoseObjects().get(0);
    return new VerifiedJwt(
        issuer, header.getHeader("typ"), header.getAlgorithmHeaderValue(), decoded.getJwtClaims());
  }

  private static JwtContext decode(String compact) {
    if (compact == null || compact.isBlank()) {
      throw new TokenRejectedException("token: empty");
    }
    if (compact.chars().filter(c -> c == '.').count() != 2) {
      throw new TokenRejectedException(
          "token: not a compact JWS (three base64url parts); encrypted tokens are not accepted");
    }
    try {
      // The header's member types are checked before jose4j reads any of them (cty while
      // decoding, kid and x5t while selecting a key).
      JoseHeaderShape.requireWellTyped(
          JsonWebStructure.fromCompactSerialization(compact).getHeaders());
      JwtContext context = DECODER.process(compact);
      List<JsonWebStructure> objects = context.getJoseObjects();
      if (objects.size() != 1 || !(objects.get(0) instanceof JsonWebSignature)) {
        throw new TokenRejectedException("token: nested or encrypted JWTs are not accepted");
      }
      return context;
    } catch (JoseException | InvalidJwtException e) {
      throw new TokenRejectedException("token: not a decodable JWT (bad base64url or JSON)");
    }
  }

  private static boolean isAsymmetric(String alg) {
    String upper = alg.toUpperCase(Locale.ROOT);
    return upper.startsWith("RS")
        || upper.startsWith("PS")
        || upper.startsWith("ES")
        || upper.equals("EDDSA");
  }

  /** Header values are attacker-controlled: keep them short and printable in messages. */
  private static String safe(String value) {
    if (value == null) {
      return "(none)";
    }
    String printable = value.replaceAll("[^A-Za-z0-9+_.-]", "?");
    return printable.length() > 20 ? printable.substring(0, 20) + "..." : printable;
  }
}
