package io.sessionbroker.benchmark;

import io.sessionbroker.client.RevocationEvent;
import io.sessionbroker.client.RevocationListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Latency from a logout POST to the client library's listener, at a fixed offered rate.
 *
 * <p>Coordinated omission: a scheduler gives token {@code i} the intended send time {@code start +
 * i / rate} and queues it for a pool of sender connections; both latencies (HTTP answer and
 * listener call) are measured from that intended time, so a stalled broker or sender shows up as
 * latency of every request that should have been sent meanwhile, not as fewer samples.
 */
final class ListenerLatency implements RevocationListener {

  /** What the run measured. */
  record Result(
      double offeredRate,
      double achievedSendRate,
      Stats.Percentiles listener,
      Stats.Percentiles response,
      List<Stats.Percentiles> listenerWindows,
      long measured,
      long missing,
      long failures,
      Map<Integer, Long> failedStatuses,
      ResourceMeter.Usage usage) {}

  private final Map<String, Integer> indexBySid;
  private final AtomicLongArray delivered;

  private final String[] tokens;
  private final int port;

  ListenerLatency(int port, String[] sids, String[] tokens) {
    this.port = port;
    this.tokens = tokens;
    this.indexBySid = new HashMap<>(sids.length * 2);
    for (int i = 0; i < sids.length; i++) {
      indexBySid.put(sids[i], i);
    }
    this.delivered = new AtomicLongArray(sids.length);
  }

  @Override
  public void onRevocation(RevocationEvent event) {
    long now = System.nanoTime();
    Integer index = event.sid() == null ? null : indexBySid.get(event.sid());
    if (index != null) {
      delivered.compareAndSet(index, 0, now);
    }
  }

  Result run(double rate, int warmUp, int senders, int windows, ResourceMeter meter)
      throws InterruptedException {
    int n = tokens.length;
    long[] intended = new long[n];
    AtomicLongArray answered = new AtomicLongArray(n);
    AtomicLong failures = new AtomicLong();
    Map<Integer, Long> statuses = new ConcurrentHashMap<>();
    BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      Thread thread =
          new Thread(
              () -> send(queue, warmUp, answered, failures, statuses), "latency-sender-" + s);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    long period = (long) (1e9 / rate);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    ResourceMeter.Window window = null;
    for (int i = 0; i < n; i++) {
      intended[i] = start + i * period;
      if (i == warmUp) {
        window = meter.begin();
      }
      for (long wait = intended[i] - System.nanoTime(); wait > 0; ) {
        LockSupport.parkNanos(wait);
        wait = intended[i] - System.nanoTime();
      }
      queue.add(i);
    }
    long lastIntended = intended[n - 1];
    for (int s = 0; s < senders; s++) {
      queue.add(-1);
    }
    for (Thread thread : threads) {
      thread.join(60_000);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline && countDelivered(warmUp) < n - warmUp) {
      Thread.sleep(20);
    }
    ResourceMeter.Usage usage = window.end();
    long lastSent = 0;
    Histogram listener = Stats.nanosHistogram();
    Histogram response = Stats.nanosHistogram();
    List<Histogram> perWindow = new ArrayList<>();
    for (int w = 0; w < windows; w++) {
      perWindow.add(Stats.nanosHistogram());
    }
    long missing = 0;
    int measured = n - warmUp;
    for (int i = warmUp; i < n; i++) {
      lastSent = Math.max(lastSent, answered.get(i));
      if (answered.get(i) != 0) {
        response.recordValue(Math.max(0, answered.get(i) - intended[i]));
      }
      long at = delivered.get(i);
      if (at == 0) {
        missing++;
        continue;
      }
      long latency = Math.max(0, at - intended[i]);
      listener.recordValue(latency);
      perWindow.get((int) ((long) (i - warmUp) * windows / measured)).recordValue(latency);
    }
    double sendSeconds = (lastIntended - intended[warmUp]) / 1e9 + 1 / rate;
    return new Result(
        rate,
        measured / sendSeconds,
        Stats.Percentiles.of(listener),
        Stats.Percentiles.of(response),
        perWindow.stream().map(Stats.Percentiles::of).toList(),
        measured,
        missing,
        failures.get(),
        Map.copyOf(statuses),
        usage);
  }

  private int countDelivered(int from) {
    int count = 0;
    for (int i = from; i < delivered.length(); i++) {
      if (delivered.get(i) != 0) {
        count++;
      }
    }
    return count;
  }

  private void send(
      BlockingQueue<Integer> queue,
      int warmUp,
      AtomicLongArray answered,
      AtomicLong failures,
      Map<Integer, Long> statuses) {
    try (HttpConnection http = new HttpConnection(port)) {
      while (true) {
        int index = queue.take();
        if (index < 0) {
          return;
        }
        byte[] request = Requests.logout(port, tokens[index]);
        try {
          int status = http.exchange(request, false).status();
          answered.set(index, System.nanoTime());
          if (status != 200 && index >= warmUp) {
            failures.incrementAndGet();
            statuses.merge(status, 1L, Long::sum);
          }
        } catch (IOException e) {
          if (index >= warmUp) {
            failures.incrementAndGet();
            statuses.merge(-1, 1L, Long::sum);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
