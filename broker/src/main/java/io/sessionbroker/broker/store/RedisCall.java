package io.sessionbroker.broker.store;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import java.util.List;

/**
 * One Redis command to send with {@link RedisCalls}: a plain command, or a Lua script sent as
 * EVALSHA with its EVAL form for a server that does not know the script yet.
 */
final class RedisCall {

  private final Request request;
  private final LuaScript script;
  private final List<String> keys;
  private final List<String> args;

  private RedisCall(Request request, LuaScript script, List<String> keys, List<String> args) {
    this.request = request;
    this.script = script;
    this.keys = keys;
    this.args = args;
  }

  /** A plain command, e.g. {@code command("GET", key)}. */
  static RedisCall command(String name, String... args) {
    Request request = Request.cmd(Command.create(name));
    for (String arg : args) {
      request.arg(arg);
    }
    return new RedisCall(request, null, null, null);
  }

  /** A script run. */
  static RedisCall script(LuaScript script, List<String> keys, List<String> args) {
    return new RedisCall(script.evalsha(keys, args), script, keys, args);
  }

  /** The request as sent first. */
  Request request() {
    return request;
  }

  /** The request to send after a NOSCRIPT answer: the script's EVAL form, or the same command. */
  Request withSource() {
    return script == null ? request : script.eval(keys, args);
  }
}
