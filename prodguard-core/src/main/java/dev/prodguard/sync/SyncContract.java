package dev.prodguard.sync;

import dev.prodguard.contract.Contract;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** G4 before any connection: the requested tables and columns must be in the contract's sync. */
public final class SyncContract {
  private SyncContract() {}

  /**
   * The specs of {@code tables}, each narrowed to {@code columns.get(table)} when given.
   *
   * @throws GuardRefusal (G4) for a table or column the contract's {@code sync} section does not
   *     list
   */
  public static List<SyncSpec> resolve(
      Contract contract, List<String> tables, Map<String, List<String>> columns) {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("name at least one table (--table T)");
    }
    Set<String> seen = new LinkedHashSet<>();
    List<SyncSpec> out = new ArrayList<>();
    for (String raw : tables) {
      String table = raw.toLowerCase(Locale.ROOT);
      if (!seen.add(table)) {
        continue;
      }
      Contract.SyncTable st = contract.sync().get(table);
      if (st == null) {
        throw new GuardRefusal(
            Guarantee.G4,
            "sync table '" + raw + "'",
            "the contract ("
                + contract.file().getFileName()
                + ") does not list '"
                + raw
                + "' under sync"
                + (contract.sync().isEmpty()
                    ? " (its sync section is empty)"
                    : " (sync tables: " + String.join(", ", contract.sync().keySet()) + ")"),
            "add '"
                + raw
                + "' with its key, columns, delete and max-rows to the sync section of the"
                + " contract, through review");
      }
      List<String> cols = st.columns();
      List<String> wanted = columns.get(table);
      if (wanted != null && !wanted.isEmpty()) {
        List<String> narrowed = new ArrayList<>();
        for (String c : wanted) {
          String col = c.toLowerCase(Locale.ROOT);
          if (st.key().contains(col)) {
            continue; // key columns always travel
          }
          if (!st.columns().contains(col)) {
            throw new GuardRefusal(
                Guarantee.G4,
                "sync column '" + table + "." + c + "'",
                "the contract lists only these columns of '"
                    + table
                    + "' for sync: "
                    + String.join(", ", st.columns())
                    + " (key: "
                    + String.join(", ", st.key())
                    + ")",
                "sync only listed columns, or add '"
                    + c
                    + "' to sync."
                    + table
                    + ".columns in the contract, through review");
          }
          if (!narrowed.contains(col)) {
            narrowed.add(col);
          }
        }
        cols = narrowed;
      }
      out.add(new SyncSpec(table, st.key(), cols, st.delete(), st.maxRows()));
    }
    for (String t : columns.keySet()) {
      if (!seen.contains(t)) {
        throw new IllegalArgumentException(
            "--column names table '" + t + "', which is not one of the --table options");
      }
    }
    return out;
  }
}
