package dev.prodguard.support;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a dump says it holds, read without restoring it (G9): the tables it creates and the row of
 * its {@code database_metadata} table (column name to text value), so that a backup can be shown to
 * be of the fingerprinted database. Table names are as {@link DumpTool#expectedTables} gives them
 * ({@code schema.table} on PostgreSQL, {@code table} on MySQL/MariaDB), unquoted.
 *
 * @param tables the tables the dump creates
 * @param metadata the first {@code database_metadata} row of the dump, empty when it has none
 */
public record DumpContents(Set<String> tables, Optional<Map<String, String>> metadata) {

  /**
   * Reads a dump's contents cheaply, per server family: fed the dump's bytes as they are written
   * (MySQL/MariaDB: the SQL text is parsed for {@code CREATE TABLE} and the {@code
   * database_metadata} INSERT while it is hashed), then the standard output of each of its {@link
   * #commands} (PostgreSQL: {@code pg_restore --list} and the data of {@code database_metadata}).
   */
  public interface Reader {
    /** The dump's bytes, in order, as they are written. */
    default void accept(byte[] bytes, int offset, int length) {}

    /** Commands that read the written dump; their output goes to {@link #output}, in order. */
    default List<List<String>> commands(Optional<Path> binDir, Path dump) {
      return List.of();
    }

    /** The standard output of {@code commands(...).get(index)}. */
    default void output(int index, String stdout) {}

    /** What was read. */
    DumpContents contents();
  }
}
