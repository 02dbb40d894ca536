package io.sessionbroker.benchmark;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jose4j.jws.JsonWebSignature;

/**
 * The CPU reference: RS256 (SHA256withRSA, 2048-bit key, as Keycloak signs) verifications per
 * second on this runtime, with one and with two threads. Plain {@link Signature} is the physical
 * floor; jose4j (the broker's JWT library) adds compact-JWS parsing on top.
 */
final class Rs256Reference {

  /** Medians of the rounds, verifications per second. */
  record Result(
      double oneThread,
      double twoThreads,
      double jose4jOneThread,
      List<Double> oneThreadRounds,
      List<Double> twoThreadRounds,
      List<Double> jose4jRounds) {}

  private interface Verifier {
    boolean verify() throws Exception;
  }

  private Rs256Reference() {}

  /**
   * @param sampleToken a real logout token whose signing input and size the loop verifies
   * @param sampleKey the public key that verifies {@code sampleToken}
   */
  static Result measure(
      String sampleToken, PublicKey sampleKey, Duration warmUp, int rounds, Duration round)
      throws Exception {
    int lastDot = sampleToken.lastIndexOf('.');
    byte[] signingInput = sampleToken.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
    byte[] signature = java.util.Base64.getUrlDecoder().decode(sampleToken.substring(lastDot + 1));
    Verifier plain =
        () -> {
          Signature verifier = Signature.getInstance("SHA256withRSA");
          verifier.initVerify(sampleKey);
          verifier.update(signingInput);
          return verifier.verify(signature);
        };
    Verifier jose4j =
        () -> {
          JsonWebSignature jws = new JsonWebSignature();
          jws.setCompactSerialization(sampleToken);
          jws.setKey(sampleKey);
          return jws.verifySignature();
        };
    if (!plain.verify() || !jose4j.verify()) {
      throw new IllegalStateException("the sample token does not verify with its key");
    }
    List<Double> one = rates(plain, 1, warmUp, rounds, round);
    List<Double> two = rates(plain, 2, warmUp, rounds, round);
    List<Double> jose = rates(jose4j, 1, warmUp, rounds, round);
    return new Result(Stats.median(one), Stats.median(two), Stats.median(jose), one, two, jose);
  }

  private static List<Double> rates(
      Verifier verifier, int threads, Duration warmUp, int rounds, Duration round)
      throws InterruptedException {
    LongAdder done = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    if (!verifier.verify()) {
                      throw new IllegalStateException("verification failed");
                    }
                    done.increment();
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "rs256-" + t);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    Thread.sleep(warmUp.toMillis());
    List<Double> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long before = done.sum();
      long started = System.nanoTime();
      Thread.sleep(round.toMillis());
      rates.add((done.sum() - before) / ((System.nanoTime() - started) / 1e9));
    }
    stop.set(true);
    for (Thread worker : workers) {
      worker.join();
    }
    return rates;
  }
}
