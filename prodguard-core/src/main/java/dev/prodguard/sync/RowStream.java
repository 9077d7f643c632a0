package dev.prodguard.sync;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.sync.SyncDialect;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * One side of a table, streamed in key order through a server-side cursor (PostgreSQL: fetch size
 * with autocommit off; MariaDB: fetch size streams the result). Holds one row at a time, hashes
 * every row it reads, and refuses a NULL, duplicate or out-of-order key: the merge join is only
 * correct on strictly increasing keys, so anything else fails closed.
 */
final class RowStream implements AutoCloseable {
  static final int FETCH_SIZE = 2000;

  /** A row: key as text, then the carried values. */
  record Row(String[] key, Object[] values) {}

  private final Statement statement;
  private final ResultSet rs;
  private final SyncSql sql;
  private final TableShape shape;
  private final String environment;
  private final MessageDigest digest;
  private String[] previous;
  private long rows;

  private RowStream(
      Statement statement, ResultSet rs, SyncSql sql, TableShape shape, String environment) {
    this.statement = statement;
    this.rs = rs;
    this.sql = sql;
    this.shape = shape;
    this.environment = environment;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Opens the ordered read; the connection must already have autocommit off (PostgreSQL). */
  static RowStream open(
      Connection c, SyncDialect d, TableShape shape, String environment, boolean locking)
      throws SQLException {
    SyncSql sql = new SyncSql(d, shape);
    Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    try {
      st.setFetchSize(FETCH_SIZE);
      ResultSet rs = st.executeQuery(sql.selectOrdered(locking));
      return new RowStream(st, rs, sql, shape, environment);
    } catch (SQLException | RuntimeException e) {
      st.close();
      throw e;
    }
  }

  /** The next row, or null at the end. */
  Row next() throws SQLException {
    if (!rs.next()) {
      return null;
    }
    String[] key = sql.readKey(rs);
    for (int i = 0; i < key.length; i++) {
      if (key[i] == null) {
        throw refusal(
            "a row of '"
                + shape.table()
                + "' in '"
                + environment
                + "' has NULL in key column "
                + shape.keys().get(i).name(),
            "make the key columns NOT NULL, or declare a real key for the table in the contract");
      }
    }
    int c;
    try {
      // the first key is compared with itself: every key parses before the merge compares it
      c = previous == null ? shape.compareKeys(key, key) - 1 : shape.compareKeys(previous, key);
    } catch (NumberFormatException e) {
      throw refusal(
          "a key of '" + shape.table() + "' in '" + environment + "' is not a plain number",
          "declare a key without NaN or infinite values");
    }
    if (previous != null) {
      if (c == 0) {
        throw refusal(
            "the key ("
                + String.join(", ", shape.keyNames())
                + ") is not unique in '"
                + environment
                + "'."
                + shape.table()
                + ": two rows have "
                + Keys.show(shape, key),
            "declare a unique key for '" + shape.table() + "' in the contract");
      }
      if (c > 0) {
        throw refusal(
            "rows of '"
                + shape.table()
                + "' in '"
                + environment
                + "' did not arrive in the key order prodguard compares in ("
                + Keys.show(shape, previous)
                + " came before "
                + Keys.show(shape, key)
                + "); matching them would be unreliable",
            "use an integer, numeric, uuid or plain text key whose values order the same in the"
                + " database and in code point order");
      }
    }
    Object[] values = sql.readValues(rs);
    Values.digest(digest, key, values);
    previous = key;
    rows++;
    return new Row(key, values);
  }

  long rows() {
    return rows;
  }

  /** SHA-256 of every row read so far, in order. */
  String digest() {
    return HexFormat.of().formatHex(digest.digest());
  }

  private static GuardRefusal refusal(String why, String fix) {
    return new GuardRefusal(Guarantee.G4, "sync plan", why, fix);
  }

  @Override
  public void close() throws SQLException {
    try {
      rs.close();
    } finally {
      statement.close();
    }
  }
}
