package io.sessionbroker.broker.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from {@code src/main/resources/lua}, run with EVALSHA and loaded with EVAL on a
 * server (or cluster node) that does not know it yet.
 */
public final class LuaScript {

  /** Shared helpers, prepended to every script after the layout constants. */
  static final String PRELUDE = "prelude";

  private final String name;
  private final String source;
  private final String sha1;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha1 = sha1(source);
  }

  /** The script {@code lua/<name>.lua}, as {@link #source} composes it. */
  static LuaScript load(String name) {
    return new LuaScript(name, source(name));
  }

  /**
   * The text the broker runs for {@code lua/<name>.lua}: the sid hash layout constants ({@link
   * SidHash#luaHeader()}) and the event entry's ({@link EventEntry#luaHeader()}), then {@code
   * lua/prelude.lua} (helpers shared by all), then the script. Public for tools that load the
   * broker's scripts themselves (the benchmark's bulk loader).
   *
   * @throws IllegalStateException when there is no such script
   */
  public static String source(String name) {
    return SidHash.luaHeader() + EventEntry.luaHeader() + resource(PRELUDE) + "\n" + resource(name);
  }

  private static String resource(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("Missing Lua script /lua/" + name + ".lua");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read Lua script " + name, e);
    }
  }

  Response run(RedisDataSource redis, List<String> keys, List<String> args) {
    try {
      return redis.execute("EVALSHA", arguments(sha1, keys, args));
    } catch (RuntimeException e) {
      if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
        throw e;
      }
      return redis.execute("EVAL", arguments(source, keys, args));
    }
  }

  /** The EVALSHA request of one run, for {@link RedisCalls}. */
  Request evalsha(List<String> keys, List<String> args) {
    return request(Command.EVALSHA, sha1, keys, args);
  }

  /** The EVAL request of one run: for a server that answered NOSCRIPT. */
  Request eval(List<String> keys, List<String> args) {
    return request(Command.EVAL, source, keys, args);
  }

  private static Request request(
      Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(Integer.toString(keys.size()));
    for (String key : keys) {
      request.arg(key);
    }
    for (String arg : args) {
      request.arg(arg);
    }
    return request;
  }

  private static String[] arguments(String script, List<String> keys, List<String> args) {
    List<String> all = new ArrayList<>(2 + keys.size() + args.size());
    all.add(script);
    all.add(Integer.toString(keys.size()));
    all.addAll(keys);
    all.addAll(args);
    return all.toArray(String[]::new);
  }

  private static String sha1(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by the JVM spec", e);
    }
  }

  @Override
  public String toString() {
    return "lua/" + name;
  }
}
