package io.sessionbroker.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What Linux tells about processes and the machine under {@code /proc}. */
final class ProcFs {

  private static final double CLOCK_TICKS = clockTicks();

  private ProcFs() {}

  /** CPU time (user + system) a process has used so far, in seconds. */
  static double cpuSeconds(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
  }

  /** User and system CPU seconds so far, separately. */
  static double[] userAndSystemSeconds(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new double[] {
      Long.parseLong(fields[11]) / CLOCK_TICKS, Long.parseLong(fields[12]) / CLOCK_TICKS
    };
  }

  /**
   * CPU seconds so far per thread group of a process: thread names ({@code comm}, 15 characters)
   * with trailing numbers removed, e.g. {@code executor-thread}, {@code C2 CompilerThre}.
   */
  static Map<String, Double> cpuSecondsByThreadGroup(long pid) {
    Map<String, Double> groups = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path task : threads.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
          groups.merge(threadGroup(name), seconds, Double::sum);
        } catch (IOException threadEnded) {
          // The thread ended between listing and reading.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return groups;
  }

  static String threadGroup(String threadName) {
    return threadName.replaceAll("[-#_ ]?\\d+$", "").replaceAll("\\d+$", "");
  }

  /** Resident set size of a process, in kB (VmRSS). */
  static long rssKb(long pid) {
    return statusField(pid, "VmRSS:");
  }

  /** Peak resident set size of a process, in kB (VmHWM). */
  static long peakRssKb(long pid) {
    return statusField(pid, "VmHWM:");
  }

  private static long statusField(long pid, String field) {
    for (String line : lines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
      }
    }
    return -1;
  }

  /** Busy CPU seconds of the whole machine so far, summed over cores. */
  static double machineBusySeconds() {
    String[] cpu = lines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    long busy = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      busy += Long.parseLong(cpu[i]);
    }
    return busy / CLOCK_TICKS;
  }

  /** The first "model name" of /proc/cpuinfo. */
  static String cpuModel() {
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }

  /** MemTotal in MiB. */
  static long memTotalMib() {
    for (String line : lines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  /** The 1-minute load average. */
  static double loadAverage() {
    return Double.parseDouble(read(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  private static double clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes()).trim();
      getconf.waitFor();
      return Double.parseDouble(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path path) {
    try {
      return Files.readAllLines(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
