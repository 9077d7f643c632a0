package dev.prodguard.support.postgresql;

import dev.prodguard.support.InvalidIndexes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's invalid indexes. "Created after the baseline" compares the age of the index's {@code
 * pg_class} row ({@code xmin}) with the age of the baseline's transaction id: both ages count back
 * from the same current transaction, so the comparison holds across xid wraparound (ages stay far
 * below 2^31 between a deploy and the next one). Toast indexes ({@code pg_toast}) are included: a
 * failed {@code REINDEX TABLE CONCURRENTLY} leaves a {@code _ccnew} index there too.
 */
final class PgInvalidIndexes implements InvalidIndexes {
  static final PgInvalidIndexes INSTANCE = new PgInvalidIndexes();

  private static final String INVALID =
      "SELECT c.oid::int8, n.nspname::text, c.relname::text, i.indrelid::regclass::text,"
          + " EXISTS (SELECT 1 FROM pg_stat_progress_create_index p"
          + "  WHERE p.index_relid = i.indexrelid)"
          + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE NOT i.indisvalid AND c.relkind = 'i'"
          + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')";

  private PgInvalidIndexes() {}

  @Override
  public Baseline baseline(Connection c) throws SQLException {
    long xid;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT txid_current()")) {
      rs.next();
      xid = rs.getLong(1);
    }
    List<Long> before = new ArrayList<>();
    for (Index i : invalid(c)) {
      before.add(i.oid());
    }
    return new Baseline(xid, before);
  }

  @Override
  public List<Index> invalid(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INVALID + " ORDER BY 2, 3")) {
      return read(ps);
    }
  }

  @Override
  public List<Index> createdSince(Connection c, Baseline baseline) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            INVALID
                + " AND age(c.xmin) < age((? % 4294967296)::text::xid)"
                + " AND NOT (c.oid::int8 = ANY (?::int8[]))"
                + " ORDER BY 2, 3")) {
      ps.setLong(1, baseline.xid());
      ps.setArray(2, c.createArrayOf("int8", baseline.invalidBefore().toArray()));
      return read(ps);
    }
  }

  private static List<Index> read(PreparedStatement ps) throws SQLException {
    List<Index> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Index(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getBoolean(5)));
      }
    }
    return out;
  }

  @Override
  public void drop(Connection c, Index index, Duration lockTimeout) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET lock_timeout = " + Math.max(1, lockTimeout.toMillis()));
      try {
        st.execute(dropSql(index));
      } finally {
        st.execute("RESET lock_timeout");
      }
    }
  }

  @Override
  public String dropSql(Index index) {
    return "DROP INDEX CONCURRENTLY IF EXISTS " + index.sqlName();
  }
}
