package io.sessionbroker.client.servlet;

import io.sessionbroker.client.RevocationChecker;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses API requests whose access token belongs to a revoked session (SPEC §3.4): a logout ends
 * API access at once instead of at the token's {@code exp}. For resource servers that receive
 * bearer tokens, not cookies.
 *
 * <p>A request is refused with {@code 401} and {@code WWW-Authenticate: Bearer
 * error="invalid_token"} when the token's {@code sid}, its user {@code sub} or its client ({@code
 * azp}) was revoked after the token's {@code iat} (with the client's clock-skew allowance, and the
 * {@link io.sessionbroker.client.ForgottenRevocationPolicy} for tokens older than the revoked set's
 * watermark). The check is in memory, from the {@link RevocationChecker} of the token's client (a
 * {@link io.sessionbroker.client.SessionBrokerClient} subscribed to that client's events): no
 * broker or Redis call per request.
 *
 * <h2>It does not verify tokens</h2>
 *
 * <p>Signature, issuer, expiry and audience are the job of the application's own OAuth
 * resource-server layer (Spring Security, MicroProfile JWT, Quarkus OIDC, a gateway...), which must
 * run <em>before</em> this filter. So that a wrong order cannot open a hole, the filter never
 * parses the {@code Authorization} header: it takes the token's claims from a {@link
 * VerifiedClaimsSource} that only the verifier fills (e.g. a request attribute). A request that
 * carries a bearer token but no verified claims is refused, so a filter placed before the verifier
 * refuses everything instead of trusting anything. A request without a bearer token is refused with
 * {@code 401 WWW-Authenticate: Bearer}: map the filter to the API's protected paths only.
 *
 * <p>Tokens of a client with no checker are refused too (the API cannot know whether they were
 * revoked), unless {@link Builder#allowUnwatchedClients(boolean)} is set.
 */
public final class BearerTokenRevocationFilter implements Filter {

  private static final Logger LOG = LoggerFactory.getLogger(BearerTokenRevocationFilter.class);

  private final Map<String, RevocationChecker> checkersByClient;
  private final VerifiedClaimsSource claimsSource;
  private final boolean allowUnwatchedClients;

  private BearerTokenRevocationFilter(Builder builder) {
    this.checkersByClient = Map.copyOf(builder.checkersByClient);
    this.claimsSource = builder.claimsSource;
    this.allowUnwatchedClients = builder.allowUnwatchedClients;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http)
        || !(response instanceof HttpServletResponse httpResponse)) {
      chain.doFilter(request, response);
      return;
    }
    String authorization = http.getHeader("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      // RFC 6750 §3.1: no error code when the request carried no credentials.
      httpResponse.setHeader("WWW-Authenticate", "Bearer");
      httpResponse.sendError(HttpServletResponse.SC_UNAUTHORIZED);
      return;
    }
    Optional<String> refusal = refusal(claimsSource.claimsOf(http));
    if (refusal.isPresent()) {
      LOG.debug("Refused a bearer token on {}: {}", http.getRequestURI(), refusal.get());
      httpResponse.setHeader(
          "WWW-Authenticate",
          "Bearer error=\"invalid_token\", error_description=\"" + refusal.get() + "\"");
      httpResponse.sendError(HttpServletResponse.SC_UNAUTHORIZED);
      return;
    }
    chain.doFilter(request, response);
  }

  /** Why the token is refused, or empty when it passes. Each reason is a fixed text. */
  private Optional<String> refusal(Optional<VerifiedTokenClaims> verified) {
    if (verified.isEmpty()) {
      return Optional.of("The access token was not verified");
    }
    VerifiedTokenClaims claims = verified.get();
    RevocationChecker checker =
        claims.clientId() == null ? null : checkersByClient.get(claims.clientId());
    if (checker == null) {
      return allowUnwatchedClients
          ? Optional.empty()
          : Optional.of("The access token's client is not accepted here");
    }
    if (claims.issuedAt() == null) {
      return Optional.of("The access token has no iat");
    }
    if (claims.sid() == null && claims.sub() == null) {
      // Client-credentials tokens: only a client-wide revocation applies.
      return checker.isRevoked(null, null, claims.issuedAt())
          ? Optional.of("The access token's client was revoked")
          : Optional.empty();
    }
    return checker.isRevoked(claims.sid(), claims.sub(), claims.issuedAt())
        ? Optional.of("The access token's session was revoked")
        : Optional.empty();
  }

  /** Builds a {@link BearerTokenRevocationFilter}. */
  public static final class Builder {

    private final Map<String, RevocationChecker> checkersByClient = new HashMap<>();
    private VerifiedClaimsSource claimsSource;
    private boolean allowUnwatchedClients;

    private Builder() {}

    /**
     * The revocation checker for tokens issued to {@code clientId} ({@code azp}): the {@link
     * io.sessionbroker.client.SessionBrokerClient} started for that client. Call once per client
     * whose tokens the API accepts.
     */
    public Builder client(String clientId, RevocationChecker checker) {
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("clientId must not be blank");
      }
      checkersByClient.put(clientId, Objects.requireNonNull(checker, "checker"));
      return this;
    }

    /** Where the verified claims come from. Required. */
    public Builder claimsSource(VerifiedClaimsSource source) {
      this.claimsSource = Objects.requireNonNull(source, "claimsSource");
      return this;
    }

    /**
     * Whether tokens of clients without a checker pass unchecked. Default {@code false}: refused.
     */
    public Builder allowUnwatchedClients(boolean allow) {
      this.allowUnwatchedClients = allow;
      return this;
    }

    /**
     * Builds the filter.
     *
     * @throws IllegalStateException when no claims source or no client was given
     */
    public BearerTokenRevocationFilter build() {
      if (claimsSource == null) {
        throw new IllegalStateException("claimsSource is required");
      }
      if (checkersByClient.isEmpty()) {
        throw new IllegalStateException("at least one client(clientId, checker) is required");
      }
      return new BearerTokenRevocationFilter(this);
    }
  }
}
