package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * G7, PostgreSQL: the invalid indexes ({@code pg_index.indisvalid = false}) that a failed {@code
 * CREATE INDEX CONCURRENTLY} or {@code REINDEX ... CONCURRENTLY} leaves behind. Such an index is
 * never used by queries but is still maintained on every write, and the migration's retry fails
 * with "already exists" while it is there. Partitioned indexes (relkind {@code I}, invalid by
 * design until every partition is attached) are never reported. MySQL/MariaDB have no such thing.
 */
public interface InvalidIndexes {

  /**
   * What existed when a deploy began: {@code xid} from {@code txid_current()} (so every catalog row
   * written later is younger), and the invalid indexes that were already there (never touched).
   */
  record Baseline(long xid, List<Long> invalidBefore) {
    public Baseline {
      invalidBefore = List.copyOf(invalidBefore);
    }
  }

  /**
   * One invalid index.
   *
   * @param oid its {@code pg_class} oid
   * @param schema, name, table where it is
   * @param building a {@code CREATE INDEX}/{@code REINDEX} is building it right now ({@code
   *     pg_stat_progress_create_index})
   */
  record Index(long oid, String schema, String name, String table, boolean building) {
    /** The quoted, schema-qualified name for SQL. */
    public String sqlName() {
      return quote(schema) + "." + quote(name);
    }

    /** {@code schema.name on table} for messages. */
    public String label() {
      return schema + "." + name + " on " + table;
    }

    private static String quote(String identifier) {
      return '"' + identifier.replace("\"", "\"\"") + '"';
    }
  }

  /** Records the baseline; one autocommit round trip that consumes one transaction id. */
  Baseline baseline(Connection c) throws SQLException;

  /** Every invalid index of the database outside {@code pg_catalog} and information_schema. */
  List<Index> invalid(Connection c) throws SQLException;

  /**
   * The invalid indexes whose catalog row was written after {@code baseline} was taken and that
   * were not invalid then: the ones a failed statement of that deploy created.
   */
  List<Index> createdSince(Connection c, Baseline baseline) throws SQLException;

  /**
   * {@code DROP INDEX CONCURRENTLY IF EXISTS}, waiting at most {@code lockTimeout} for each lock
   * (PostgreSQL's {@code lock_timeout}, set for this statement's session only).
   */
  void drop(Connection c, Index index, Duration lockTimeout) throws SQLException;

  /** The statement {@link #drop} runs, for messages. */
  String dropSql(Index index);
}
