package io.sessionbroker.benchmark;

import io.sessionbroker.benchmark.RedisProbe.CommandStat;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures what a timed window cost: CPU seconds of the broker, Redis, this harness and everything
 * else on the machine (other builds share it), Redis commands by name, and the broker's heap, GC
 * and RSS (sampled each second). Per-operation CPU is steadier than throughput on a shared machine.
 */
final class ResourceMeter {

  /** What one window cost. */
  record Usage(
      double wallSeconds,
      double brokerCpuSeconds,
      double brokerSystemCpuSeconds,
      Map<String, Double> brokerCpuByThreadGroup,
      double redisCpuSeconds,
      double harnessCpuSeconds,
      double otherCpuSeconds,
      Map<String, CommandStat> redisCommands,
      long redisNetInputBytes,
      long redisNetOutputBytes,
      long redisReads,
      long maxHeapBytes,
      long maxRssKb,
      double gcPauseSeconds,
      long gcPauses) {

    /** Share of the machine's cores used by processes outside this benchmark. */
    double otherCores() {
      return otherCpuSeconds / wallSeconds;
    }

    long redisCalls() {
      return redisCommands.values().stream().mapToLong(CommandStat::calls).sum();
    }
  }

  private final BrokerProcess broker;
  private final RedisProbe redis;
  private final long redisPid;
  private final long harnessPid = ProcessHandle.current().pid();

  ResourceMeter(BrokerProcess broker, RedisProbe redis) {
    this.broker = broker;
    this.redis = redis;
    this.redisPid = redis.pid();
  }

  long redisPid() {
    return redisPid;
  }

  /** Starts a window now. */
  Window begin() {
    return new Window();
  }

  /** An open measurement window. */
  final class Window {
    private final long startNanos = System.nanoTime();
    private final double broker0 = ProcFs.cpuSeconds(broker.pid());
    private final double brokerSystem0 = ProcFs.userAndSystemSeconds(broker.pid())[1];
    private final Map<String, Double> brokerThreads0 = ProcFs.cpuSecondsByThreadGroup(broker.pid());
    private final double redis0 = ProcFs.cpuSeconds(redisPid);
    private final double harness0 = ProcFs.cpuSeconds(harnessPid);
    private final double machine0 = ProcFs.machineBusySeconds();
    private final Map<String, CommandStat> commands0 = redis.commandStats();
    private final long[] net0 = redis.networkBytes();
    private final BrokerProcess.JvmMetrics jvm0;
    private final AtomicLong maxHeap = new AtomicLong();
    private final AtomicLong maxRss = new AtomicLong();
    private final HttpConnection metricsConnection;
    private final Thread sampler;
    private volatile boolean open = true;

    private Window() {
      metricsConnection = new HttpConnection(broker.managementPort());
      jvm0 = jvmMetrics();
      sampler = new Thread(this::sample, "resource-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    private void sample() {
      while (open) {
        maxHeap.accumulateAndGet(jvmMetrics().heapUsedBytes(), Math::max);
        maxRss.accumulateAndGet(ProcFs.rssKb(broker.pid()), Math::max);
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private synchronized BrokerProcess.JvmMetrics jvmMetrics() {
      try {
        return broker.jvmMetrics(metricsConnection);
      } catch (IOException e) {
        return new BrokerProcess.JvmMetrics(0, 0, 0);
      }
    }

    /** Closes the window. */
    Usage end() {
      double wall = (System.nanoTime() - startNanos) / 1e9;
      double brokerCpu = ProcFs.cpuSeconds(broker.pid()) - broker0;
      double brokerSystem = ProcFs.userAndSystemSeconds(broker.pid())[1] - brokerSystem0;
      Map<String, Double> brokerThreads = new HashMap<>();
      ProcFs.cpuSecondsByThreadGroup(broker.pid())
          .forEach(
              (group, seconds) -> {
                double used = seconds - brokerThreads0.getOrDefault(group, 0.0);
                if (used > 0) {
                  brokerThreads.put(group, used);
                }
              });
      double redisCpu = ProcFs.cpuSeconds(redisPid) - redis0;
      double harnessCpu = ProcFs.cpuSeconds(harnessPid) - harness0;
      double machine = ProcFs.machineBusySeconds() - machine0;
      Map<String, CommandStat> commands1 = redis.commandStats();
      long[] net1 = redis.networkBytes();
      open = false;
      sampler.interrupt();
      try {
        sampler.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      BrokerProcess.JvmMetrics jvm1 = jvmMetrics();
      maxHeap.accumulateAndGet(jvm1.heapUsedBytes(), Math::max);
      maxRss.accumulateAndGet(ProcFs.rssKb(broker.pid()), Math::max);
      metricsConnection.close();
      Map<String, CommandStat> delta = new HashMap<>();
      commands1.forEach(
          (name, stat) -> {
            CommandStat diff = stat.minus(commands0.getOrDefault(name, new CommandStat(0, 0)));
            if (diff.calls() > 0) {
              delta.put(name, diff);
            }
          });
      // INFO itself is counted by Redis too: two calls per snapshot, not the workload's.
      delta.computeIfPresent("info", (name, stat) -> null);
      double other = Math.max(0, machine - brokerCpu - redisCpu - harnessCpu);
      return new Usage(
          wall,
          brokerCpu,
          brokerSystem,
          brokerThreads,
          redisCpu,
          harnessCpu,
          other,
          delta,
          net1[0] - net0[0],
          net1[1] - net0[1],
          // INFO itself: two reads per snapshot.
          Math.max(0, net1[2] - net0[2] - 2),
          maxHeap.get(),
          maxRss.get(),
          jvm1.gcPauseSeconds() - jvm0.gcPauseSeconds(),
          jvm1.gcPauses() - jvm0.gcPauses());
    }
  }
}
