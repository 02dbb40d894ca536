package io.sessionbroker.testsupport.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A realm to import into a {@link KeycloakServer}: a JSON template from the classpath whose {@code
 * ${NAME}} placeholders are filled in before the server starts.
 *
 * <p>The {@linkplain #demo() demo realm} ({@code keycloak/realm-demo.json}) is what the end-to-end
 * tests use:
 *
 * <ul>
 *   <li>users {@code alice}/{@code alice} and {@code bob}/{@code bob}: email verified, first and
 *       last name set, so a sign-in goes straight through with no required action;
 *   <li>realm role {@code session-broker-admin};
 *   <li>confidential clients {@code app1} and {@code app2} (authorization code flow, service
 *       account enabled, front-channel logout off) whose <em>Backchannel logout URL</em> is {@code
 *       ${BROKER_URL}/backchannel-logout} with "session required" on, whose <em>Admin URL</em> is
 *       {@code ${BROKER_URL}/keycloak/demo} (legacy {@code k_logout}, {@code k_push_not_before}),
 *       whose redirect URIs are {@code ${APPn_URL}/*} and whose post-logout redirect URIs are
 *       {@code +} (the same patterns);
 *   <li>confidential client {@code app3} (the Django app), configured like {@code app1};
 *   <li>confidential client {@code session-broker}, service account with realm-management roles
 *       {@code view-users}, {@code query-users}, {@code view-realm}, {@code view-clients} (for a
 *       reconciliation job that asks which SSO sessions still exist, and the diagnostics) and
 *       {@code manage-users} (admin revocations end the SSO session at Keycloak);
 *   <li>confidential client {@code broker-admin}, service account with realm role {@code
 *       session-broker-admin};
 *   <li>confidential client {@code session-broker-operator} (authorization code flow, redirect URIs
 *       {@code ${BROKER_URL}/operator/*}) for the broker's operator page, and user {@code
 *       operator}/{@code operator} with realm role {@code session-broker-admin}.
 * </ul>
 *
 * <p>Placeholders are substituted here rather than left to Keycloak's own {@code ${ENV}}
 * replacement at import, so that several servers with different broker URLs can run in one JVM. Any
 * placeholder left unfilled fails {@link Builder#build()}.
 */
public final class KeycloakRealm {

  /** Name of the demo realm. */
  public static final String DEMO = "demo";

  /** Demo user with password {@link #ALICE_PASSWORD}. */
  public static final String ALICE = "alice";

  /** Test-only password of {@link #ALICE}. */
  public static final String ALICE_PASSWORD = "alice";

  /** Second demo user with password {@link #BOB_PASSWORD}. */
  public static final String BOB = "bob";

  /** Test-only password of {@link #BOB}. */
  public static final String BOB_PASSWORD = "bob";

  /** Realm role that may query all sessions and revoke through the broker API. */
  public static final String ADMIN_ROLE = "session-broker-admin";

  /** First demo app client. */
  public static final String APP1 = "app1";

  /** Second demo app client. */
  public static final String APP2 = "app2";

  /** Third demo app client: the Django app ({@code examples/app-django}). */
  public static final String APP3 = "app3";

  /** Default, test-only secret of {@link #APP3}. */
  public static final String APP3_SECRET = "app3-secret";

  /** Service-account client for the broker's reconciliation job. */
  public static final String SESSION_BROKER = "session-broker";

  /** Service-account client holding {@link #ADMIN_ROLE}. */
  public static final String BROKER_ADMIN = "broker-admin";

  /** Default, test-only secret of {@link #APP1}. */
  public static final String APP1_SECRET = "app1-secret";

  /** Default, test-only secret of {@link #APP2}. */
  public static final String APP2_SECRET = "app2-secret";

  /** Default, test-only secret of {@link #SESSION_BROKER}. */
  public static final String SESSION_BROKER_SECRET = "session-broker-secret";

  /** Default, test-only secret of {@link #BROKER_ADMIN}. */
  public static final String BROKER_ADMIN_SECRET = "broker-admin-secret";

  /** Client of the broker's operator page (sign-in of people with the admin role). */
  public static final String OPERATOR_CLIENT = "session-broker-operator";

  /** Default, test-only secret of {@link #OPERATOR_CLIENT}. */
  public static final String OPERATOR_SECRET = "operator-secret";

  /** Demo user with {@link #ADMIN_ROLE}, password {@link #OPERATOR_PASSWORD}. */
  public static final String OPERATOR = "operator";

  /** Test-only password of {@link #OPERATOR}. */
  public static final String OPERATOR_PASSWORD = "operator";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

  private final String name;
  private final String json;

  private KeycloakRealm(String name, String json) {
    this.name = name;
    this.json = json;
  }

  /**
   * A builder for the demo realm. Set at least {@link Builder#brokerUrl(String)}; the app URLs
   * default to {@code http://127.0.0.1/app1} and {@code http://127.0.0.1/app2}, which a {@link
   * BrowserlessLogin} never calls (it stops at the redirect).
   */
  public static Builder demo() {
    return fromResource(DEMO, "/keycloak/realm-demo.json")
        .set("APP1_URL", "http://127.0.0.1/app1")
        .set("APP2_URL", "http://127.0.0.1/app2")
        .set("APP3_URL", "http://127.0.0.1/app3")
        .set("APP1_SECRET", APP1_SECRET)
        .set("APP2_SECRET", APP2_SECRET)
        .set("APP3_SECRET", APP3_SECRET)
        .set("SESSION_BROKER_SECRET", SESSION_BROKER_SECRET)
        .set("BROKER_ADMIN_SECRET", BROKER_ADMIN_SECRET)
        .set("OPERATOR_SECRET", OPERATOR_SECRET);
  }

  /** A builder for any realm template on the classpath, named {@code realmName} inside. */
  public static Builder fromResource(String realmName, String resource) {
    try (InputStream in = KeycloakRealm.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("No realm template on the classpath: " + resource);
      }
      return new Builder(realmName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read realm template " + resource, e);
    }
  }

  /** The realm name (the last segment of its issuer URL). */
  public String name() {
    return name;
  }

  /** The realm representation with every placeholder filled in, as Keycloak imports it. */
  public String json() {
    return json;
  }

  /** Fills in a realm template's placeholders. */
  public static final class Builder {

    private final String realmName;
    private final String template;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Builder(String realmName, String template) {
      this.realmName = realmName;
      this.template = template;
    }

    /**
     * Base URL of the Session Broker as Keycloak reaches it, e.g. {@code http://127.0.0.1:8080}.
     */
    public Builder brokerUrl(String url) {
      return set("BROKER_URL", stripTrailingSlash(url));
    }

    /** Base URL of {@code app1}; its redirect URIs become {@code <url>/*}. */
    public Builder app1Url(String url) {
      return set("APP1_URL", stripTrailingSlash(url));
    }

    /** Base URL of {@code app2}; its redirect URIs become {@code <url>/*}. */
    public Builder app2Url(String url) {
      return set("APP2_URL", stripTrailingSlash(url));
    }

    /** Base URL of {@code app3} (Django); its redirect URIs become {@code <url>/*}. */
    public Builder app3Url(String url) {
      return set("APP3_URL", stripTrailingSlash(url));
    }

    /** Sets any placeholder {@code ${name}} of the template. */
    public Builder set(String placeholder, String value) {
      values.put(Objects.requireNonNull(placeholder), Objects.requireNonNull(value));
      return this;
    }

    /** Substitutes the placeholders; fails when one has no value. */
    public KeycloakRealm build() {
      Matcher matcher = PLACEHOLDER.matcher(template);
      StringBuilder out = new StringBuilder();
      while (matcher.find()) {
        String value = values.get(matcher.group(1));
        if (value == null) {
          throw new IllegalStateException(
              "Realm " + realmName + ": no value for placeholder ${" + matcher.group(1) + "}");
        }
        // The values are URLs and test secrets, never JSON-special; escaping them anyway keeps a
        // quote in a value from breaking the document.
        matcher.appendReplacement(out, Matcher.quoteReplacement(jsonEscape(value)));
      }
      matcher.appendTail(out);
      return new KeycloakRealm(realmName, out.toString());
    }

    private static String stripTrailingSlash(String url) {
      return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String jsonEscape(String value) {
      return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
  }
}
