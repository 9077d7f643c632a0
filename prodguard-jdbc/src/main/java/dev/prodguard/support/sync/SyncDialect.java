package dev.prodguard.support.sync;

import dev.prodguard.db.DatabaseKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What differs between PostgreSQL and MariaDB for sync: catalogue reads, how values travel as text
 * or bytes, key ordering, locking and session settings. Reached through {@code
 * DatabaseSupport.sync()}; the SQL common to both is built in {@code sync.SyncSql}.
 */
public interface SyncDialect {

  /**
   * A column as declared, and how it can serve as a key.
   *
   * @param keyKind how its values compare, or null when prodguard cannot order it faithfully
   * @param orderExpression its ORDER BY expression (for alias {@code s}), matching {@code keyKind}
   * @param generated the database computes it: never written
   */
  record Declared(Column column, KeyKind keyKind, String orderExpression, boolean generated) {}

  DatabaseKind kind();

  /** A (possibly schema-qualified) lower-case table or column name, quoted. */
  String quote(String name);

  /**
   * Session settings that make text forms identical on both sides and lossless: UTC for time zone
   * aware types, strict conversions on write.
   */
  void prepareSession(Connection c) throws SQLException;

  /** The table's columns by name, in declaration order; empty when there is no such table. */
  Optional<Map<String, Declared>> describe(Connection c, String table) throws SQLException;

  /** The SELECT expression that reads a column's value as text (or bytes when binary). */
  String readExpression(Column c, String alias);

  /** The placeholder that writes a text (or bytes) parameter into a column of its type. */
  String placeholder(Column c);

  /** Bounds lock waits of the current transaction. */
  void setLockTimeout(Connection c, int seconds) throws SQLException;

  /**
   * Locks a table against concurrent writes, inserts included, until the transaction ends (before
   * the re-check read). MariaDB takes its locks in the read itself ({@link #lockingRead()}).
   */
  void lockTable(Connection c, String table) throws SQLException;

  /** Suffix of the ordered re-check read in the apply transaction: row (and gap) locks. */
  String lockingRead();

  /**
   * A foreign key that references a sync table, from the target's catalogue.
   *
   * @param child the referencing table (schema-qualified when outside the current schema)
   * @param referenced the sync table's columns the key references, lower case
   * @param onDelete the action on a deleted parent row, as SQL spells it ({@code CASCADE}, ...)
   * @param onUpdate the action on a changed referenced value
   */
  record Reference(
      String name, String child, List<String> referenced, String onDelete, String onUpdate) {
    public Reference {
      referenced = List.copyOf(referenced);
    }
  }

  /** Every foreign key that references {@code table} (catalogue read, no table scan). */
  List<Reference> referencing(Connection c, String table) throws SQLException;
}
