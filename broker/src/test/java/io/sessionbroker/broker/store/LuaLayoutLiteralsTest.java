package io.sessionbroker.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sid hash layout is defined once, in {@link SidHash}, and the event stream entry's in {@link
 * EventEntry}: no Lua script spells their field names, separator or value layouts itself; they use
 * the constants {@link SidHash#luaHeader()} and {@link EventEntry#luaHeader()} declare and the
 * helpers of {@code lua/prelude.lua}.
 */
class LuaLayoutLiteralsTest {

  private static final Path SCRIPTS = Path.of("src", "main", "resources", "lua");

  /** What a script would spell itself if it hard-coded the layout. */
  private static final List<Pattern> LAYOUT_LITERALS =
      List.of(
          Pattern.compile(Pattern.quote(SidHash.SUB_FIELD)),
          Pattern.compile(Pattern.quote(SidHash.TOMBSTONE_FIELD)),
          Pattern.compile(Pattern.quote(SidHash.LOGOUT_AUDIENCES_FIELD)),
          Pattern.compile(Pattern.quote(SidHash.LOGOUT_ORIGIN_FIELD)),
          // The field separator U+001F: raw, or as a Lua escape (decimal, hexadecimal, UTF-8).
          Pattern.compile(RedisKeys.SEP),
          Pattern.compile("\\\\0*31(?![0-9])|\\\\x1[fF]|\\\\u\\{0*1[fF]\\}"),
          // The value separator inside a pattern or a written value: "(%w+),", ",(%d", "',0'",
          // "'0,%.0f".
          Pattern.compile("%[wd][+*]\\)?,|,\\(?%[wd]|',0|'0,|','"),
          // The event stream entry (EventEntry): its field name and the event JSON's head.
          Pattern.compile("['\"]" + Pattern.quote(EventEntry.FIELD) + "['\"]"),
          Pattern.compile(Pattern.quote("{\"v\":")));

  @Test
  void noScriptSpellsTheSidHashLayout() throws IOException {
    List<Path> scripts;
    try (Stream<Path> files = Files.list(SCRIPTS)) {
      scripts = files.filter(p -> p.toString().endsWith(".lua")).sorted().toList();
    }
    assertThat(scripts).extracting(p -> p.getFileName().toString()).contains("prelude.lua");

    List<String> found = new ArrayList<>();
    for (Path script : scripts) {
      found.addAll(layoutLiterals(script.getFileName().toString(), Files.readString(script)));
    }

    assertThat(found).as("layout literals in lua/*.lua (use SidHash's constants)").isEmpty();
  }

  @Test
  void theCheckFindsTheLiteralsAScriptUsedToSpell() {
    String hardCoded =
        String.join(
            "\n",
            "local sep = '\\31'",
            "local storedSub = redis.call('HGET', key, '!sub')",
            "for _, name in ipairs({'!rev', '!rev' .. sep .. clientId}) do",
            "local c, e, r, tail = string.match(value, '^(%w+),(%w+),(%w+)(.*)$')",
            "redis.call('HSET', key, t[1], string.format('0,%.0f,%.0f', t[2], t[3] + 1))",
            "redis.call('HSET', key, field, base36(created) .. ',' .. base36(expires) .. ',0')",
            "local client = string.match(field, '^([^\u001f]*)\u001f')",
            "redis.call('XADD', stream, 'MINID', '~', ARGV[2], id, 'event', json)",
            "local json = '{\"v\":1,\"id\":\"' .. id .. '\",' .. ARGV[1]");

    assertThat(layoutLiterals("old.lua", hardCoded))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:1"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:2"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:3"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:4"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:5"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:6"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:7"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:8"))
        .anySatisfy(hit -> assertThat(hit).contains("old.lua:9"));
  }

  @Test
  void everyScriptRunsAfterTheGeneratedLayoutHeaderAndThePrelude() throws IOException {
    String prelude = Files.readString(SCRIPTS.resolve("prelude.lua"), StandardCharsets.UTF_8);
    String register = Files.readString(SCRIPTS.resolve("register.lua"), StandardCharsets.UTF_8);

    String source = LuaScript.source("register");

    assertThat(source)
        .startsWith(SidHash.luaHeader() + EventEntry.luaHeader() + prelude)
        .endsWith(register)
        .contains("local SUB_FIELD = '" + SidHash.SUB_FIELD + "'")
        .contains("local TOMBSTONE_FIELD = '" + SidHash.TOMBSTONE_FIELD + "'")
        .contains("local SEP = '\\031'")
        .contains("local EVENT_FIELD = '" + EventEntry.FIELD + "'")
        .contains("local EVENT_HEAD = '" + EventEntry.HEAD + "'");
  }

  /** Each hit as {@code <file>:<line>: <text>}. */
  private static List<String> layoutLiterals(String file, String text) {
    List<String> hits = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      for (Pattern literal : LAYOUT_LITERALS) {
        if (literal.matcher(lines[i]).find()) {
          hits.add(file + ":" + (i + 1) + ": " + lines[i].strip());
          break;
        }
      }
    }
    return hits;
  }
}
