package dev.prodguard.db;

/** Progress of long work, shown on a terminal by the CLI. */
public interface Progress {

  /** A pipeline step begins. */
  default void step(String message) {}

  /** The dump has started on another table. */
  default void dumping(String table, int tablesStarted, long bytesWritten) {}

  /** Bytes written so far by the dump. */
  default void written(long bytesWritten) {}

  /**
   * A deploy's statement waits for another session (G7): what for, whose, how long, and when
   * prodguard gives up. Shown in CI logs too, not only on a terminal.
   */
  default void waiting(String message) {}

  /** The long work is over (clear the progress line). */
  default void done() {}

  Progress NONE = new Progress() {};
}
