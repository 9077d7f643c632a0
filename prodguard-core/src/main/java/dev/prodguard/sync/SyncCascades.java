package dev.prodguard.sync;

import dev.prodguard.db.Guarantee;
import dev.prodguard.support.sync.SyncDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * G4/G9 on the plan: a change the database would carry beyond the synced table. A delete of a row
 * that a foreign key references with {@code ON DELETE CASCADE | SET NULL | SET DEFAULT}, or an
 * update of a referenced column with such an {@code ON UPDATE} action, writes rows of another table
 * that {@code max-rows} does not count, the backup does not hold and a revert does not restore (a
 * protected table included). Such a plan is refused before anything is written; foreign keys that
 * refuse ({@code NO ACTION}, {@code RESTRICT}) roll the apply back and need no check.
 */
final class SyncCascades {
  private static final Set<String> WRITING = Set.of("CASCADE", "SET NULL", "SET DEFAULT");

  private SyncCascades() {}

  /**
   * What one table's writes would do: {@code deletes} rows deleted, and per column how many updates
   * change it.
   */
  record Writes(String table, long deletes, Map<String, Long> columnUpdates) {}

  /** {@code sync --apply}: the plan's deletes and updates. */
  static Optional<SyncRefusal> check(SyncDialect d, Connection target, SyncPlan plan)
      throws SQLException {
    List<Writes> writes = new ArrayList<>();
    for (TablePlan t : plan.tables()) {
      writes.add(new Writes(t.table(), t.deletes(), t.columnUpdates()));
    }
    List<String> why = reasons(d, target, writes, "the plan");
    if (why.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new SyncRefusal(
            Guarantee.G4,
            "sync " + plan.from() + " -> " + plan.to(),
            String.join("\n", why),
            FIX,
            "refused",
            plan));
  }

  /**
   * {@code sync --revert}: the same check on what the revert writes (an insert undone is a delete,
   * an update undone changes its columns back), before the backup and any write.
   */
  static Optional<SyncRefusal> checkRevert(
      SyncDialect d, Connection target, List<Writes> writes, String action) throws SQLException {
    List<String> why = reasons(d, target, writes, "the revert");
    if (why.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new SyncRefusal(
            Guarantee.G4,
            action,
            String.join("\n", why),
            "restore those rows in a reviewed migration (lint and verify judge the cascade"
                + " there), or remove the rows that reference them first; nothing was written",
            "refused"));
  }

  private static final String FIX =
      "make this change in a reviewed migration (lint and verify judge the cascade there),"
          + " or leave it out of the sync (delete: false, --column); nothing was written";

  private static List<String> reasons(
      SyncDialect d, Connection target, List<Writes> writes, String who) throws SQLException {
    List<String> why = new ArrayList<>();
    for (Writes t : writes) {
      long updates = t.columnUpdates().values().stream().mapToLong(Long::longValue).sum();
      if (t.deletes() == 0 && updates == 0) {
        continue;
      }
      for (SyncDialect.Reference r : d.referencing(target, t.table())) {
        if (t.deletes() > 0 && WRITING.contains(r.onDelete())) {
          why.add(
              t.table()
                  + ": "
                  + who
                  + " deletes "
                  + t.deletes()
                  + " row(s), and "
                  + r.child()
                  + " references it ("
                  + r.name()
                  + ") ON DELETE "
                  + r.onDelete());
        }
        List<String> changed =
            r.referenced().stream().filter(c -> t.columnUpdates().getOrDefault(c, 0L) > 0).toList();
        if (!changed.isEmpty() && WRITING.contains(r.onUpdate())) {
          why.add(
              t.table()
                  + ": "
                  + who
                  + " changes "
                  + String.join(", ", changed)
                  + ", and "
                  + r.child()
                  + " references it ("
                  + r.name()
                  + ") ON UPDATE "
                  + r.onUpdate());
        }
      }
    }
    if (!why.isEmpty()) {
      why.add(
          "the database would write those rows too: max-rows does not count them, the backup"
              + " does not hold them and sync --revert cannot restore them (a protected table"
              + " included)");
    }
    return why;
  }
}
