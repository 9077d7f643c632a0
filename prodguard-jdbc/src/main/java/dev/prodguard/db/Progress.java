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

  /** A migration starts ({@code V5 orders shipped}), during a deploy. Shown in CI logs too. */
  default void migrating(String migration) {}

  /** A migration ended after {@code millis}: applied, or failed. Shown in CI logs too. */
  default void migrated(String migration, long millis, boolean applied) {}

  /**
   * A line of the migration tool's own logging worth showing (a warning, an error, with {@code
   * --debug} everything), already prefixed with the tool ({@code flyway warning: ...}).
   */
  default void engineLine(String line) {}

  /** The long work is over (clear the progress line). */
  default void done() {}

  Progress NONE = new Progress() {};
}
