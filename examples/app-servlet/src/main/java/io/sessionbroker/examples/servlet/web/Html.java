package io.sessionbroker.examples.servlet.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The app's few HTML pages, written by hand; every value is escaped. */
final class Html {

  private static final String STYLE =
      """
      body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; }
      main { max-width: 40rem; margin: 3rem auto; background: #fff; padding: 2rem 2.5rem;
             border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }
      h1 { margin-top: 0; font-size: 1.6rem; } h1 small { color: #6b7280; font-weight: normal; }
      .status { font-size: 1.3rem; padding: .8rem 1rem; border-radius: 8px; }
      .in { background: #e7f6ec; color: #14532d; } .out { background: #fdecec; color: #7f1d1d; }
      dl { display: grid; grid-template-columns: 12rem 1fr; gap: .4rem 1rem; }
      dt { color: #6b7280; } dd { margin: 0; overflow-wrap: anywhere; }
      button, a.button { display: inline-block; font: inherit; padding: .5rem 1.2rem;
             border: 0; border-radius: 6px; background: #2563eb; color: #fff;
             text-decoration: none; cursor: pointer; }
      .hint { color: #6b7280; font-size: .9rem; }
      """;

  private Html() {}

  /** Writes a complete page with status 200. */
  static void write(HttpServletResponse response, String title, String body) throws IOException {
    write(response, HttpServletResponse.SC_OK, title, body);
  }

  /** Writes a complete page. */
  static void write(HttpServletResponse response, int status, String title, String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("text/html;charset=UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response
        .getWriter()
        .write(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>"
                + escape(title)
                + " · app1</title><style>"
                + STYLE
                + "</style></head><body><main>"
                + "<h1>app1 <small>servlet app on Jetty 12</small></h1>"
                + body
                + "</main></body></html>");
  }

  /** The page shown when nobody is signed in. */
  static void signedOut(HttpServletResponse response, String reason) throws IOException {
    write(
        response,
        "Signed out",
        "<p id=\"status\" class=\"status out\">Signed out</p>"
            + "<p>"
            + escape(reason)
            + "</p>"
            + "<p><a id=\"sign-in\" class=\"button\" href=\"/login\">Sign in</a></p>");
  }

  /** An error page with a way back. */
  static void error(HttpServletResponse response, int status, String message) throws IOException {
    write(
        response,
        status,
        "Sign-in failed",
        "<p id=\"status\" class=\"status out\">Sign-in failed</p><p>"
            + escape(message)
            + "</p><p><a id=\"sign-in\" class=\"button\" href=\"/login\">Try again</a></p>");
  }

  /** HTML-escapes text for element content and quoted attributes. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
