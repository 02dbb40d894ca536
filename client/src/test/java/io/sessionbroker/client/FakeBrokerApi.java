package io.sessionbroker.client;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** A JDK HttpServer on loopback that answers with scripted responses and records requests. */
final class FakeBrokerApi implements AutoCloseable {

  record Recorded(
      String method, String rawPath, String authorization, String contentType, String body) {}

  private record Scripted(
      int status, String contentType, String body, Map<String, String> headers) {}

  private final HttpServer server;
  private final Deque<Scripted> script = new ArrayDeque<>();
  private final List<Recorded> requests = new ArrayList<>();

  FakeBrokerApi() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          Scripted next;
          synchronized (this) {
            requests.add(
                new Recorded(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    body));
            next =
                script.isEmpty()
                    ? new Scripted(500, "text/plain", "unscripted", Map.of())
                    : script.poll();
          }
          byte[] bytes = next.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", next.contentType());
          next.headers().forEach(exchange.getResponseHeaders()::add);
          exchange.sendResponseHeaders(next.status(), bytes.length == 0 ? -1 : bytes.length);
          if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
          }
          exchange.close();
        });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  synchronized FakeBrokerApi answer(int status, String contentType, String body) {
    return answer(status, contentType, body, Map.of());
  }

  synchronized FakeBrokerApi answer(
      int status, String contentType, String body, Map<String, String> headers) {
    script.add(new Scripted(status, contentType, body, headers));
    return this;
  }

  FakeBrokerApi answerJson(int status, String body) {
    return answer(status, "application/json", body);
  }

  FakeBrokerApi answerProblem(int status, String body) {
    return answer(status, "application/problem+json", body);
  }

  synchronized List<Recorded> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
