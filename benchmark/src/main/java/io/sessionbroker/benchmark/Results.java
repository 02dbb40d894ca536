package io.sessionbroker.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Everything one run measured, filled phase by phase and then written by {@link Report}. */
final class Results {

  /** The machine and software the figures belong to. */
  record Machine(
      int cores,
      String cpuModel,
      long ramMib,
      String java,
      String redis,
      String startedAt,
      String command,
      double loadAverageBefore) {}

  /** Redis memory of the bulk-loaded registry. */
  record Memory(
      int ssoSessions,
      long registrations,
      double loadSeconds,
      long usedMemoryBefore,
      long usedMemoryAfter,
      long keysAfter,
      double sidHashBytes,
      long clientIndexBytes,
      long userIndexBytes,
      Map<String, String> encodings) {

    double bytesPerRegistration() {
      return (usedMemoryAfter - usedMemoryBefore) / (double) registrations;
    }
  }

  Settings settings;
  Machine machine;
  Rs256Reference.Result rs256;
  PeerComparison.Result peer;
  List<RedisBenchmarkReference.Figure> redis = new ArrayList<>();
  ClosedLoopLoad.Result registrationsWithSid;
  ClosedLoopLoad.Result registrationsWithIdToken;
  int idTokensMinted;
  Memory memory;
  QueryLatency.Result queryBySid;
  QueryLatency.Result queryBySub;
  VerdictLoad.Result verdicts;
  double meanItemsBySub;
  ClosedLoopLoad.Result logouts;
  double clientsPerLoggedOutSid;
  double clientsPerLatencySid;
  long logoutsProcessed;
  double redisBytesPerLogout;
  JfrSummary.Summary logoutProfile;
  String jfrFile;
  ListenerLatency.Result listener;
  ListenerLatency.Result listenerUnloaded;
  double probeRate;
  double mintSeconds;
  long heapAfterFullGcBytes;
  long brokerErrors;
  long brokerPoolBusyErrors;
  long peakRssKb;
  double loadAverageAfter;
  double totalSeconds;
  final List<String> checks = new ArrayList<>();

  RedisBenchmarkReference.Figure redis(String name) {
    return redis.stream().filter(f -> f.test().name().equals(name)).findFirst().orElseThrow();
  }
}
