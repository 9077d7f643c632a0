package dev.prodguard.sync;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.sync.Column;
import dev.prodguard.support.sync.KeyKind;
import dev.prodguard.support.sync.SyncDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a sync table's declaration on both sides and refuses (G4) what would not travel faithfully:
 * a missing table or column, differing types, a key prodguard cannot order.
 */
final class SyncShapes {
  private SyncShapes() {}

  /** One side of the sync: its connection and environment name. */
  record Side(Connection connection, String environment) {}

  static TableShape describe(SyncDialect d, SyncSpec spec, Side source, Side target)
      throws SQLException {
    Map<String, SyncDialect.Declared> src = declared(d, spec, source);
    Map<String, SyncDialect.Declared> tgt = declared(d, spec, target);
    List<Column> keys = new ArrayList<>();
    List<KeyKind> kinds = new ArrayList<>();
    List<String> order = new ArrayList<>();
    for (String k : spec.key()) {
      SyncDialect.Declared s = column(spec, k, src, source);
      SyncDialect.Declared t = column(spec, k, tgt, target);
      sameType(spec, k, s, t, source, target);
      if (s.keyKind() == null) {
        throw refusal(
            spec,
            "key column "
                + spec.table()
                + "."
                + k
                + " is "
                + s.column().type()
                + "; sync can order and match keys only of integer, numeric, text (char, varchar)"
                + " or uuid columns",
            "declare a key of such columns for '" + spec.table() + "' in the contract");
      }
      keys.add(s.column());
      kinds.add(s.keyKind());
      order.add(s.orderExpression());
    }
    List<Column> columns = new ArrayList<>();
    for (String c : spec.columns()) {
      SyncDialect.Declared s = column(spec, c, src, source);
      SyncDialect.Declared t = column(spec, c, tgt, target);
      sameType(spec, c, s, t, source, target);
      columns.add(s.column());
    }
    List<Column> others = new ArrayList<>();
    for (SyncDialect.Declared t : tgt.values()) {
      String n = t.column().name();
      if (!t.generated() && !spec.key().contains(n) && !spec.columns().contains(n)) {
        others.add(t.column());
      }
    }
    return new TableShape(spec.table(), keys, kinds, order, columns, others);
  }

  private static Map<String, SyncDialect.Declared> declared(SyncDialect d, SyncSpec spec, Side side)
      throws SQLException {
    return d.describe(side.connection(), spec.table())
        .orElseThrow(
            () ->
                refusal(
                    spec,
                    "table '" + spec.table() + "' does not exist in '" + side.environment() + "'",
                    "sync carries rows, never schema: migrate '"
                        + side.environment()
                        + "' first, or correct the table name in the contract"));
  }

  private static SyncDialect.Declared column(
      SyncSpec spec, String name, Map<String, SyncDialect.Declared> cols, Side side) {
    SyncDialect.Declared c = cols.get(name);
    if (c == null) {
      throw refusal(
          spec,
          "the contract lists column '"
              + name
              + "' of '"
              + spec.table()
              + "', which does not exist in '"
              + side.environment()
              + "' (columns there: "
              + String.join(", ", cols.keySet())
              + ")",
          "migrate '" + side.environment() + "' first, or correct the contract, through review");
    }
    return c;
  }

  private static void sameType(
      SyncSpec spec,
      String name,
      SyncDialect.Declared s,
      SyncDialect.Declared t,
      Side source,
      Side target) {
    if (!s.column().type().equals(t.column().type())) {
      throw refusal(
          spec,
          spec.table()
              + "."
              + name
              + " is "
              + s.column().type()
              + " in '"
              + source.environment()
              + "' but "
              + t.column().type()
              + " in '"
              + target.environment()
              + "': values would not arrive as they left",
          "bring both schemas to the same migration version first");
    }
  }

  private static GuardRefusal refusal(SyncSpec spec, String why, String fix) {
    return new GuardRefusal(Guarantee.G4, "sync table '" + spec.table() + "'", why, fix);
  }
}
