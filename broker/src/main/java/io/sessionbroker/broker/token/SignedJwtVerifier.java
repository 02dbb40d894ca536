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
import org.jose4j.jwt.JwtClaims;
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

  private static final String NOT_DECODABLE = "token: not a decodable JWT (bad base64url or JSON)";

  private final IssuerDirectory issuers;
  private final Set<String> allowedAlgorithms;

  /** The allow-list as jose4j enforces it while verifying; immutable, so shared by every token. */
  private final AlgorithmConstraints algorithmConstraints;

  SignedJwtVerifier(IssuerDirectory issuers, SessionBrokerConfig config) {
    this.issuers = issuers;
    this.allowedAlgorithms =
        config.logout().allowedAlgorithms().stream()
            .filter(SignedJwtVerifier::isAsymmetric)
            .collect(Collectors.toUnmodifiableSet());
    this.algorithmConstraints =
        new AlgorithmConstraints(ConstraintType.PERMIT, allowedAlgorithms.toArray(String[]::new));
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

  /**
   * Checks the signature of the JWS that {@link #decode} parsed, as {@code
   * JwtConsumer.processContext} would with this key and the allow-list as constraints (claims are
   * the caller's): the JWS is not parsed again and no consumer is built per token.
   */
  private VerifiedJwt checkSignature(Issuer issuer, JwtContext decoded, Key key) {
    JsonWebSignature jws = (JsonWebSignature) decoded.getJoseObjects().get(0);
    boolean valid;
    try {
      jws.setKey(key);
      jws.setAlgorithmConstraints(algorithmConstraints);
      valid = jws.verifySignature();
    } catch (JoseException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw new TokenRejectedException(
          "signature: invalid for the keys of issuer '"
              + issuer.alias()
              + "' [OIDC Back-Channel Logout 1.0 §2.6 step 2]");
    }
    return new VerifiedJwt(
        issuer, jws.getHeader("typ"), jws.getAlgorithmHeaderValue(), decoded.getJwtClaims());
  }

  private static JwtContext decode(String compact) {
    if (compact == null || compact.isBlank()) {
      throw new TokenRejectedException("token: empty");
    }
    if (dots(compact) != 2) {
      throw new TokenRejectedException(
          "token: not a compact JWS (three base64url parts); encrypted tokens are not accepted");
    }
    try {
      // The header's member types are checked before jose4j reads any of them (cty while
      // decoding, kid and x5t while selecting a key).
      JsonWebStructure outer = JsonWebStructure.fromCompactSerialization(compact);
      JoseHeaderShape.requireWellTyped(outer.getHeaders());
      if (outer instanceof JsonWebSignature jws && !namesNestedJwt(jws)) {
        // What JwtConsumer.process does for a plain JWS, on the structure parsed above instead
        // of parsing the token a second time.
        return new JwtContext(compact, claimsOf(jws), List.of(jws));
      }
      JwtContext context = DECODER.process(compact);
      List<JsonWebStructure> objects = context.getJoseObjects();
      if (objects.size() != 1 || !(objects.get(0) instanceof JsonWebSignature)) {
        throw new TokenRejectedException("token: nested or encrypted JWTs are not accepted");
      }
      return context;
    } catch (JoseException | InvalidJwtException e) {
      throw new TokenRejectedException(NOT_DECODABLE);
    }
  }

  private static int dots(String compact) {
    int dots = 0;
    for (int i = compact.indexOf('.'); i >= 0; i = compact.indexOf('.', i + 1)) {
      dots++;
    }
    return dots;
  }

  /** Whether {@code cty} says the payload is itself a JWT (jose4j then decodes it as one). */
  private static boolean namesNestedJwt(JsonWebSignature jws) {
    String cty = jws.getContentTypeHeaderValue();
    return cty != null && (cty.equalsIgnoreCase("jwt") || cty.equalsIgnoreCase("application/jwt"));
  }

  /**
   * The claims of a JWS payload; a payload that does not read as claims, whatever the failure, is a
   * token that does not decode, as in {@code JwtConsumer.process}.
   */
  private static JwtClaims claimsOf(JsonWebSignature jws) {
    try {
      return JwtClaims.parse(jws.getUnverifiedPayload());
    } catch (InvalidJwtException | RuntimeException e) {
      throw new TokenRejectedException(NOT_DECODABLE);
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
