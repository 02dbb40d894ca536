package io.sessionbroker.testsupport.keycloak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough HTML form reading to drive Keycloak's login and logout-confirmation pages: the form's
 * action, its hidden and text inputs with their values, and the names of its inputs.
 *
 * <p>Keycloak's pages are generated from its own templates, so regular expressions over tags are
 * reliable here; this is not a general HTML parser and is not meant to become one.
 */
final class HtmlForm {

  private static final Pattern FORM =
      Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern INPUT =
      Pattern.compile("<(?:input|button)\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTRIBUTE =
      Pattern.compile("([a-zA-Z_:][-a-zA-Z0-9_:.]*)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");
  private static final Pattern ENTITY =
      Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);");
  private static final Pattern TITLE =
      Pattern.compile("<title>(.*?)</title>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern PAGE_TITLE =
      Pattern.compile(
          "id=\"kc-page-title\"[^>]*>\\s*([^<]+?)\\s*<", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern FEEDBACK =
      Pattern.compile(
          "class=\"[^\"]*kc-feedback-text[^\"]*\"[^>]*>\\s*([^<]+?)\\s*<",
          Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

  private final Map<String, String> attributes;
  private final Map<String, String> values;
  private final List<String> inputNames;

  private HtmlForm(Map<String, String> attributes, Map<String, String> values, List<String> names) {
    this.attributes = attributes;
    this.values = values;
    this.inputNames = names;
  }

  /** The first form on the page that satisfies {@code filter}. */
  static Optional<HtmlForm> find(String html, Predicate<HtmlForm> filter) {
    Matcher form = FORM.matcher(html);
    while (form.find()) {
      Map<String, String> values = new LinkedHashMap<>();
      List<String> names = new ArrayList<>();
      Matcher input = INPUT.matcher(form.group(2));
      while (input.find()) {
        Map<String, String> inputAttributes = attributes(input.group(1));
        String name = inputAttributes.get("name");
        if (name == null) {
          continue;
        }
        names.add(name);
        String type = inputAttributes.getOrDefault("type", "text").toLowerCase(Locale.ROOT);
        // Submit buttons are sent only when clicked; the caller adds the one it "clicks".
        if (type.equals("hidden") || type.equals("text")) {
          values.put(name, inputAttributes.getOrDefault("value", ""));
        }
      }
      HtmlForm candidate = new HtmlForm(attributes(form.group(1)), values, names);
      if (filter.test(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The unescaped {@code action} attribute; may be relative (the logout confirmation's is). */
  String action() {
    return attributes.getOrDefault("action", "");
  }

  /** The {@code id} attribute, or empty. */
  String id() {
    return attributes.getOrDefault("id", "");
  }

  /** Whether the form has a field or button with this name. */
  boolean hasInput(String name) {
    return inputNames.contains(name);
  }

  /** Hidden and text inputs with their pre-filled values, in page order. */
  Map<String, String> values() {
    return new LinkedHashMap<>(values);
  }

  /**
   * The page's title, its heading and, when present, Keycloak's feedback message (such as "Invalid
   * username or password."), to explain an unexpected page without dumping its HTML.
   */
  static String describe(String html) {
    StringBuilder description = new StringBuilder();
    Matcher title = TITLE.matcher(html);
    description.append(title.find() ? unescape(title.group(1).trim()) : "(no title)");
    for (Pattern part : List.of(PAGE_TITLE, FEEDBACK)) {
      Matcher matcher = part.matcher(html);
      if (matcher.find()) {
        description.append(" / ").append(unescape(matcher.group(1).trim()));
      }
    }
    return description.toString();
  }

  private static Map<String, String> attributes(String tagBody) {
    Map<String, String> result = new LinkedHashMap<>();
    Matcher attribute = ATTRIBUTE.matcher(tagBody);
    while (attribute.find()) {
      String value = attribute.group(2) != null ? attribute.group(2) : attribute.group(3);
      result.put(attribute.group(1).toLowerCase(Locale.ROOT), unescape(value));
    }
    return result;
  }

  /** Undoes the entity escaping of attribute values; {@code &amp;} in URLs is the usual case. */
  static String unescape(String text) {
    Matcher entity = ENTITY.matcher(text);
    StringBuilder out = new StringBuilder();
    while (entity.find()) {
      String name = entity.group(1);
      String replacement;
      if (name.startsWith("#x")) {
        replacement = Character.toString(Integer.parseInt(name.substring(2), 16));
      } else if (name.startsWith("#")) {
        replacement = Character.toString(Integer.parseInt(name.substring(1)));
      } else {
        replacement =
            switch (name) {
              case "amp" -> "&";
              case "lt" -> "<";
              case "gt" -> ">";
              case "quot" -> "\"";
              default -> "'";
            };
      }
      entity.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    entity.appendTail(out);
    return out.toString();
  }
}
