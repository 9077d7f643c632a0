package dev.prodguard.sync;

import dev.prodguard.db.Guarantee;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** G4 on the plan itself: deletes only where the contract allows them, never over the ceiling. */
final class SyncPolicy {
  private SyncPolicy() {}

  static Optional<SyncRefusal> check(SyncPlan plan) {
    List<String> why = new ArrayList<>();
    List<String> fix = new ArrayList<>();
    for (TablePlan t : plan.tables()) {
      if (t.deletes() > 0 && !t.spec().deleteAllowed()) {
        why.add(
            t.table()
                + ": "
                + t.deletes()
                + " row(s) of '"
                + plan.to()
                + "' are not in '"
                + plan.from()
                + "' and would be deleted, but the contract does not allow deletes for it"
                + " (delete: false)");
        if (fix.stream().noneMatch(f -> f.startsWith("deletes"))) {
          fix.add(
              "deletes: add the missing rows to '"
                  + plan.from()
                  + "', or set delete: true for the table in the contract, through review");
        }
      }
      if (t.changes() > t.spec().maxRows()) {
        why.add(
            t.table()
                + ": the plan changes "
                + t.changes()
                + " rows, over the contract's ceiling (max-rows: "
                + t.spec().maxRows()
                + ")");
        if (fix.stream().noneMatch(f -> f.startsWith("ceiling"))) {
          fix.add(
              "ceiling: sync fewer columns (--column), or raise max-rows in the contract, through"
                  + " review; a bulk change belongs in a reviewed migration");
        }
      }
    }
    if (why.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new SyncRefusal(
            Guarantee.G4,
            "sync " + plan.from() + " -> " + plan.to(),
            String.join("\n", why),
            String.join("\n", fix),
            "refused",
            plan));
  }
}
