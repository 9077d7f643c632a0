package dev.prodguard.sync;

import dev.prodguard.support.sync.Column;
import dev.prodguard.support.sync.SyncDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** The statements sync runs, from a {@link SyncDialect}'s pieces. */
final class SyncSql {
  private final SyncDialect d;
  private final TableShape shape;

  SyncSql(SyncDialect d, TableShape shape) {
    this.d = d;
    this.shape = shape;
  }

  private String table() {
    return d.quote(shape.table());
  }

  private String reads() {
    List<String> out = new ArrayList<>();
    for (Column c : shape.keys()) {
      out.add(d.readExpression(c, "s"));
    }
    for (Column c : shape.columns()) {
      out.add(d.readExpression(c, "s"));
    }
    return String.join(", ", out);
  }

  /** Every row, keys first, in key order; {@code locking} in the apply transaction. */
  String selectOrdered(boolean locking) {
    return "SELECT "
        + reads()
        + " FROM "
        + table()
        + " s ORDER BY "
        + String.join(", ", shape.orderBy())
        + (locking ? d.lockingRead() : "");
  }

  /** One row by key, locked. */
  String selectByKey() {
    return "SELECT "
        + reads()
        + " FROM "
        + table()
        + " s WHERE "
        + keyCondition("s.")
        + " FOR UPDATE";
  }

  String insert() {
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (Column c : shape.keys()) {
      names.add(d.quote(c.name()));
      values.add(d.placeholder(c));
    }
    for (Column c : shape.columns()) {
      names.add(d.quote(c.name()));
      values.add(d.placeholder(c));
    }
    return "INSERT INTO "
        + table()
        + " ("
        + String.join(", ", names)
        + ") VALUES ("
        + String.join(", ", values)
        + ")";
  }

  String update() {
    List<String> sets = new ArrayList<>();
    for (Column c : shape.columns()) {
      sets.add(d.quote(c.name()) + " = " + d.placeholder(c));
    }
    return "UPDATE " + table() + " SET " + String.join(", ", sets) + " WHERE " + keyCondition("");
  }

  String delete() {
    return "DELETE FROM " + table() + " WHERE " + keyCondition("");
  }

  private String keyCondition(String prefix) {
    List<String> parts = new ArrayList<>();
    for (Column c : shape.keys()) {
      parts.add(prefix + d.quote(c.name()) + " = " + d.placeholder(c));
    }
    return String.join(" AND ", parts);
  }

  /** Binds the key, then the values, from parameter {@code index}; returns the next index. */
  int bindKey(PreparedStatement ps, int index, String[] key) throws SQLException {
    for (String k : key) {
      ps.setString(index++, k);
    }
    return index;
  }

  int bindValues(PreparedStatement ps, int index, Object[] values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      Column c = shape.columns().get(i);
      Object v = values[i];
      if (v == null) {
        ps.setNull(index++, c.binary() ? Types.BINARY : Types.VARCHAR);
      } else if (c.binary()) {
        ps.setBytes(index++, (byte[]) v);
      } else {
        ps.setString(index++, (String) v);
      }
    }
    return index;
  }

  /** Reads the key of the current row (columns 1..k). */
  String[] readKey(ResultSet rs) throws SQLException {
    String[] key = new String[shape.keys().size()];
    for (int i = 0; i < key.length; i++) {
      key[i] = rs.getString(i + 1);
    }
    return key;
  }

  /** Reads the carried values of the current row (after the key columns). */
  Object[] readValues(ResultSet rs) throws SQLException {
    int offset = shape.keys().size();
    Object[] values = new Object[shape.columns().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          shape.columns().get(i).binary()
              ? rs.getBytes(offset + i + 1)
              : rs.getString(offset + i + 1);
    }
    return values;
  }
}
