package dev.prodguard.db;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * With {@code --debug}: one line per phase of a pipeline step on stderr, its wall time and the CPU
 * time of the thread that ran it, so a slow run shows where its time went. Off (the default) a
 * phase costs one volatile read. Timing lines name phases only, never values (nothing to redact).
 */
public final class PhaseTimer implements AutoCloseable {
  private static volatile PrintStream out;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final PhaseTimer OFF = new PhaseTimer(null, 0, 0);

  private final String name;
  private final long wall;
  private final long cpu;

  private PhaseTimer(String name, long wall, long cpu) {
    this.name = name;
    this.wall = wall;
    this.cpu = cpu;
  }

  /** Prints the phases of this process to {@code stream} from now on. */
  public static void enable(PrintStream stream) {
    out = stream;
  }

  public static boolean enabled() {
    return out != null;
  }

  /** Starts timing {@code phase}; the line is printed when it is closed. */
  public static PhaseTimer start(String phase) {
    if (out == null) {
      return OFF;
    }
    return new PhaseTimer(phase, System.nanoTime(), THREADS.getCurrentThreadCpuTime());
  }

  /**
   * Consecutive phases of one step: each {@link #lap} prints the time since the previous one (or
   * since this call) under {@code step.phase}.
   */
  public static Laps laps(String step) {
    return new Laps(out == null ? null : step);
  }

  /** See {@link #laps}. */
  public static final class Laps {
    private final String step;
    private long wall;
    private long cpu;

    private Laps(String step) {
      this.step = step;
      if (step != null) {
        wall = System.nanoTime();
        cpu = THREADS.getCurrentThreadCpuTime();
      }
    }

    /** Ends the phase running since the last lap. */
    public void lap(String phase) {
      if (step == null) {
        return;
      }
      new PhaseTimer(step + "." + phase, wall, cpu).close();
      wall = System.nanoTime();
      cpu = THREADS.getCurrentThreadCpuTime();
    }
  }

  @Override
  public void close() {
    PrintStream o = out;
    if (name == null || o == null) {
      return;
    }
    long w = (System.nanoTime() - wall) / 1_000_000;
    long c = (THREADS.getCurrentThreadCpuTime() - cpu) / 1_000_000;
    o.printf(
        "prodguard: timing %-32s %6d ms wall %6d ms cpu [%s]%n",
        name, w, c, Thread.currentThread().getName());
  }
}
