package io.sessionbroker.testsupport.keycloak;

import java.net.CookieHandler;
import java.net.URI;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cookie store for {@link java.net.http.HttpClient} that sends {@code Secure} cookies over plain
 * HTTP.
 *
 * <p>Keycloak 26 marks its cookies ({@code AUTH_SESSION_ID}, {@code KEYCLOAK_IDENTITY}, {@code
 * KEYCLOAK_SESSION}, {@code KC_RESTART}, ...) {@code Secure; SameSite=None} even over plain HTTP.
 * Browsers treat {@code http://127.0.0.1} as a secure context and send them anyway; {@link
 * java.net.CookieManager} does not, so with it Keycloak never sees its cookies again, answers
 * "Cookie not found" to the login form and never recognises an SSO session. This jar keeps RFC
 * 6265's host, domain, path and expiry rules and ignores only {@code Secure}: right for tests on
 * loopback, wrong anywhere else, hence package-private.
 *
 * <p>It parses {@code Set-Cookie} itself instead of using {@link java.net.HttpCookie#parse}:
 * Keycloak adds {@code Version=1}, which makes {@code HttpCookie} split the header at commas, so
 * the comma in the {@code Expires} date of Keycloak's deletion cookies breaks the parse and a
 * deleted cookie would be kept. Values are sent back exactly as received (quotes included).
 */
final class LenientCookieJar extends CookieHandler {

  private static final DateTimeFormatter NETSCAPE_EXPIRES =
      DateTimeFormatter.ofPattern("EEE, dd-MMM-yyyy HH:mm:ss zzz", Locale.US);

  private record Cookie(
      String name, String value, String host, String domain, String path, Instant expiresAt) {

    boolean sameSlot(Cookie other) {
      return name.equals(other.name) && scope().equals(other.scope()) && path.equals(other.path);
    }

    /** Without {@code Domain} a cookie is host-only: it goes back to the exact host only. */
    String scope() {
      return domain == null ? host : domain;
    }

    boolean expired(Instant now) {
      return expiresAt != null && !expiresAt.isAfter(now);
    }

    boolean matches(URI uri) {
      String requestHost = uri.getHost().toLowerCase(Locale.ROOT);
      boolean hostMatches =
          domain == null
              ? host.equals(requestHost)
              : requestHost.equals(domain) || requestHost.endsWith("." + domain);
      String requestPath =
          uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return hostMatches && pathMatches(requestPath);
    }

    /** RFC 6265 §5.1.4: equal, or a prefix that ends at a '/' boundary. */
    private boolean pathMatches(String requestPath) {
      return requestPath.equals(path)
          || (requestPath.startsWith(path)
              && (path.endsWith("/") || requestPath.charAt(path.length()) == '/'));
    }
  }

  private final List<Cookie> cookies = new ArrayList<>();

  @Override
  public synchronized Map<String, List<String>> get(
      URI uri, Map<String, List<String>> requestHeaders) {
    Instant now = Instant.now();
    cookies.removeIf(cookie -> cookie.expired(now));
    String header =
        cookies.stream()
            .filter(cookie -> cookie.matches(uri))
            .map(cookie -> cookie.name() + "=" + cookie.value())
            .collect(Collectors.joining("; "));
    return header.isEmpty() ? Map.of() : Map.of("Cookie", List.of(header));
  }

  @Override
  public synchronized void put(URI uri, Map<String, List<String>> responseHeaders) {
    for (Map.Entry<String, List<String>> header : responseHeaders.entrySet()) {
      if (header.getKey() != null && header.getKey().equalsIgnoreCase("Set-Cookie")) {
        header.getValue().forEach(value -> store(uri, value));
      }
    }
  }

  private void store(URI uri, String setCookie) {
    String[] parts = setCookie.split(";");
    int eq = parts[0].indexOf('=');
    if (eq <= 0) {
      // RFC 6265 §5.2: a cookie without a name is ignored.
      return;
    }
    String name = parts[0].substring(0, eq).trim();
    String value = parts[0].substring(eq + 1).trim();
    String domain = null;
    String path = null;
    Instant expiresAt = null;
    boolean maxAgeSeen = false;
    for (int i = 1; i < parts.length; i++) {
      String attribute = parts[i].trim();
      int split = attribute.indexOf('=');
      String key = (split < 0 ? attribute : attribute.substring(0, split)).trim();
      String argument = split < 0 ? "" : attribute.substring(split + 1).trim();
      switch (key.toLowerCase(Locale.ROOT)) {
        case "domain" -> domain = argument.isEmpty() ? null : stripDot(argument);
        case "path" -> path = argument.startsWith("/") ? argument : null;
        case "max-age" -> {
          try {
            expiresAt = Instant.now().plusSeconds(Long.parseLong(argument));
            maxAgeSeen = true;
          } catch (NumberFormatException ignored) {
            // RFC 6265 §5.2.2: an unparsable Max-Age is ignored.
          }
        }
        case "expires" -> {
          // RFC 6265 §5.3: Max-Age wins over Expires whatever their order.
          if (!maxAgeSeen) {
            expiresAt = parseExpires(argument, expiresAt);
          }
        }
        default -> {
          // Secure, HttpOnly, SameSite, Version, Comment: nothing to enforce in tests.
        }
      }
    }
    Cookie cookie =
        new Cookie(
            name,
            value,
            uri.getHost().toLowerCase(Locale.ROOT),
            domain,
            path != null ? path : defaultPath(uri),
            expiresAt);
    cookies.removeIf(existing -> existing.sameSlot(cookie));
    // An already expired cookie (Max-Age=0 or a past Expires) is how servers delete one.
    if (!cookie.expired(Instant.now())) {
      cookies.add(cookie);
    }
  }

  private static Instant parseExpires(String text, Instant fallback) {
    for (DateTimeFormatter format :
        List.of(DateTimeFormatter.RFC_1123_DATE_TIME, NETSCAPE_EXPIRES)) {
      try {
        return ZonedDateTime.parse(text, format).toInstant();
      } catch (DateTimeParseException tryNext) {
        // Servers use both spellings; the next format may fit.
      }
    }
    return fallback;
  }

  private static String stripDot(String domain) {
    String lower = domain.toLowerCase(Locale.ROOT);
    return lower.startsWith(".") ? lower.substring(1) : lower;
  }

  /** RFC 6265 §5.1.4 default-path: the request path up to, not including, its last '/'. */
  private static String defaultPath(URI uri) {
    String path = uri.getRawPath();
    if (path == null || !path.startsWith("/") || path.lastIndexOf('/') == 0) {
      return "/";
    }
    return path.substring(0, path.lastIndexOf('/'));
  }

  /** Names of the cookies held now (never their values). */
  synchronized List<String> names() {
    Instant now = Instant.now();
    return cookies.stream()
        .filter(cookie -> !cookie.expired(now))
        .map(Cookie::name)
        .sorted()
        .collect(Collectors.toList());
  }

  /** Forgets every cookie, as a new browser would. */
  synchronized void clear() {
    cookies.clear();
  }
}
