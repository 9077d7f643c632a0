package dev.prodguard.sync;

import dev.prodguard.db.Guarantee;
import dev.prodguard.support.sync.SyncDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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

  static Optional<SyncRefusal> check(SyncDialect d, Connection target, SyncPlan plan)
      throws SQLException {
    List<String> why = new ArrayList<>();
    for (TablePlan t : plan.tables()) {
      if (t.deletes() == 0 && t.updates() == 0) {
        continue;
      }
      for (SyncDialect.Reference r : d.referencing(target, t.table())) {
        if (t.deletes() > 0 && WRITING.contains(r.onDelete())) {
          why.add(
              t.table()
                  + ": the plan deletes "
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
                  + ": the plan changes "
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
    if (why.isEmpty()) {
      return Optional.empty();
    }
    why.add(
        "the database would write those rows too: max-rows does not count them, the backup does"
            + " not hold them and sync --revert cannot restore them (a protected table included)");
    return Optional.of(
        new SyncRefusal(
            Guarantee.G4,
            "sync " + plan.from() + " -> " + plan.to(),
            String.join("\n", why),
            "make this change in a reviewed migration (lint and verify judge the cascade there),"
                + " or leave it out of the sync (delete: false, --column); nothing was written",
            "refused",
            plan));
  }
}
