package dev.prodguard.pipeline;

/** Progress of long work, shown on a terminal by the CLI. */
public interface Progress {

  /** A pipeline step begins. */
  default void step(String message) {}

  /** The dump has started on another table. */
  default void dumping(String table, int tablesStarted, long bytesWritten) {}

  /** Bytes written so far by the dump. */
  default void written(long bytesWritten) {}

  /** The long work is over (clear the progress line). */
  default void done() {}

  Progress NONE = new Progress() {};
}
