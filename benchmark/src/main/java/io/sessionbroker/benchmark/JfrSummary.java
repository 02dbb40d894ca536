package io.sessionbroker.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the broker's CPU went during a recording: {@code jdk.ExecutionSample} events aggregated by
 * top frame (self time), by the nearest recognisable subsystem on the stack, by broker method
 * anywhere on the stack (inclusive) and by thread pool.
 */
final class JfrSummary {

  /** A name and its share of the samples. */
  record Share(String name, long samples, double percent) {}

  /** The aggregation of one recording. */
  record Summary(
      long samples,
      List<Share> selfMethods,
      List<Share> subsystems,
      List<Share> brokerMethodsInclusive,
      List<Share> threads,
      long nativeSamples,
      List<Share> nativeMethods) {}

  /** Subsystems by class-name prefix, matched from the top of the stack downwards. */
  private static final Map<String, String> SUBSYSTEMS = new LinkedHashMap<>();

  static {
    SUBSYSTEMS.put("java.math.BigInteger", "RSA signature math (BigInteger, sun.security)");
    SUBSYSTEMS.put("java.math.MutableBigInteger", "RSA signature math (BigInteger, sun.security)");
    SUBSYSTEMS.put("sun.security.", "RSA signature math (BigInteger, sun.security)");
    SUBSYSTEMS.put("org.jose4j.", "jose4j JWT/JWS parsing and checks");
    SUBSYSTEMS.put("io.smallrye.jwt.", "smallrye-jwt / quarkus-oidc token checks");
    SUBSYSTEMS.put("io.quarkus.oidc.", "smallrye-jwt / quarkus-oidc token checks");
    SUBSYSTEMS.put("com.fasterxml.jackson.", "Jackson JSON");
    SUBSYSTEMS.put("io.micrometer.", "Micrometer metrics");
    SUBSYSTEMS.put("io.vertx.redis.", "Redis client (vertx-redis)");
    SUBSYSTEMS.put("io.quarkus.redis.", "Redis client (vertx-redis)");
    SUBSYSTEMS.put("io.vertx.mutiny.redis.", "Redis client (vertx-redis)");
    SUBSYSTEMS.put("io.sessionbroker.", "Session Broker code");
    SUBSYSTEMS.put("org.jboss.resteasy.", "HTTP server (Quarkus REST, Vert.x, Netty)");
    SUBSYSTEMS.put("io.quarkus.vertx.http.", "HTTP server (Quarkus REST, Vert.x, Netty)");
    SUBSYSTEMS.put("io.vertx.core.http.", "HTTP server (Quarkus REST, Vert.x, Netty)");
    SUBSYSTEMS.put("io.netty.handler.codec.http", "HTTP server (Quarkus REST, Vert.x, Netty)");
    SUBSYSTEMS.put("io.netty.", "Netty I/O and event loop");
    SUBSYSTEMS.put("io.vertx.", "Vert.x core (context switches, futures)");
    SUBSYSTEMS.put("io.smallrye.mutiny.", "Mutiny (blocking await, Uni plumbing)");
    SUBSYSTEMS.put("io.quarkus.", "Quarkus runtime (CDI, security, context)");
    SUBSYSTEMS.put("java.util.concurrent.locks.", "JDK thread hand-off (park, unpark, locks)");
    SUBSYSTEMS.put("jdk.internal.misc.Unsafe", "JDK thread hand-off (park, unpark, locks)");
    SUBSYSTEMS.put("sun.nio.", "JDK socket I/O");
    SUBSYSTEMS.put("java.", "JDK (other)");
    SUBSYSTEMS.put("jdk.", "JDK (other)");
  }

  /**
   * Settings that enable execution and native-method sampling only. The stock {@code profile}
   * settings also instrument socket and file I/O, which deoptimises the broker's hottest code when
   * the recording starts and keeps the JIT busy for half a minute: throughput measured under them
   * was about a third lower.
   *
   * @return the written {@code .jfc} file
   */
  static Path writeSamplingSettings(Path directory) {
    String events =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <configuration version="2.0" label="sampling" description="Execution samples only">
          <event name="jdk.ExecutionSample">
            <setting name="enabled">true</setting>
            <setting name="period">5 ms</setting>
          </event>
          <event name="jdk.NativeMethodSample">
            <setting name="enabled">true</setting>
            <setting name="period">20 ms</setting>
          </event>
        </configuration>
        """;
    Path file = directory.resolve("sampling.jfc");
    try {
      Files.writeString(file, events);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file.toAbsolutePath();
  }

  private JfrSummary() {}

  /** Aggregates the samples taken between {@code from} and {@code to}. */
  static Summary read(Path recording, Instant from, Instant to, int top) throws IOException {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> subsystems = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> natives = new HashMap<>();
    long samples = 0;
    long nativeSamples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
      if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
        continue;
      }
      if (event.getEventType().getName().equals("jdk.NativeMethodSample")) {
        RecordedStackTrace stack = event.getStackTrace();
        if (stack != null && !stack.getFrames().isEmpty()) {
          nativeSamples++;
          natives.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
        }
        continue;
      }
      if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(name(frames.get(0)), 1L, Long::sum);
      subsystems.merge(subsystem(frames), 1L, Long::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String method = name(frame);
        if (method.startsWith("io.sessionbroker.") && seen.add(method)) {
          inclusive.merge(method, 1L, Long::sum);
        }
      }
      threads.merge(threadPool(event), 1L, Long::sum);
    }
    return new Summary(
        samples,
        topShares(self, samples, top),
        topShares(subsystems, samples, subsystems.size()),
        topShares(inclusive, samples, top),
        topShares(threads, samples, top),
        nativeSamples,
        topShares(natives, nativeSamples, 5));
  }

  private static String subsystem(List<RecordedFrame> frames) {
    for (RecordedFrame frame : frames) {
      String type = frame.getMethod().getType().getName();
      for (Map.Entry<String, String> entry : SUBSYSTEMS.entrySet()) {
        if (type.startsWith(entry.getKey())
            && !(entry.getValue().startsWith("JDK (other)") && frames.size() > 1)) {
          return entry.getValue();
        }
      }
    }
    return "JDK (other)";
  }

  private static String threadPool(RecordedEvent event) {
    var thread = event.getThread("sampledThread");
    String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
    return name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-");
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static List<Share> topShares(Map<String, Long> counts, long total, int top) {
    List<Share> shares = new ArrayList<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e -> shares.add(new Share(e.getKey(), e.getValue(), 100.0 * e.getValue() / total)));
    return shares;
  }
}
