package dev.prodguard.sync;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.support.sync.SyncDialect;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --apply}: backup first, then one transaction on the target that locks the tables, reads
 * both sides again and compares them with what the plan was computed on (any difference aborts with
 * nothing written), writes the changes, records every before-image and the audit record, commits.
 */
final class SyncApplier {
  static final int LOCK_TIMEOUT_SECONDS = 30;

  private SyncApplier() {}

  static Sync.Applied apply(
      SyncDialect d,
      Target.Checked source,
      Target target,
      Target.Checked checked,
      SyncPlan plan,
      RunContext context,
      SyncBackup backup,
      Path backupDir,
      String runId,
      String action)
      throws SQLException, IOException {
    List<TableShape> shapes = plan.tables().stream().map(TablePlan::shape).toList();
    SyncBackup.Result dump =
        Sync.backup(
            backup,
            target,
            checked.connection(),
            shapes.stream().map(TableShape::table).toList(),
            backupDir,
            action);
    Connection tc = checked.connection();
    // DDL before the transaction: MariaDB commits implicitly on DDL, which would drop the locks
    AuditLog.install(tc, target.dialect());
    ChangeLog.install(tc, d);
    try (Spill spill = Spill.create()) {
      tc.setAutoCommit(false);
      try {
        d.setLockTimeout(tc, LOCK_TIMEOUT_SECONDS);
        for (TableShape s : shapes) {
          d.lockTable(tc, s.table());
        }
        recheck(d, source.connection(), tc, plan, spill, action);
        Map<String, long[]> counts;
        String sha;
        long changes;
        try (ChangeLog.Recorder log = new ChangeLog.Recorder(tc, runId)) {
          counts = ChangeApplier.writeAll(tc, d, shapes, spill, log, plan.to(), action, false);
          sha = log.sha256();
          changes = log.count();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("from", plan.from());
        details.put("source_fingerprint", plan.source().fingerprint());
        details.put("target_fingerprint", plan.target().fingerprint());
        details.put("contract_sha256", plan.contractSha256());
        details.put("tables", Sync.tableDetails(shapes, counts));
        details.put("backup", dump.file().toString());
        details.put("backup_sha256", dump.sha256());
        details.put("changes", changes);
        details.put("changes_sha256", sha);
        AuditLog.Entry entry =
            AuditLog.append(
                tc,
                target.dialect(),
                context,
                target.ciIdentity(),
                new AuditLog.Event(
                    "sync", plan.to(), Optional.of(runId), Optional.empty(), "applied", details));
        tc.commit();
        return new Sync.Applied(runId, dump, counts, changes, sha, entry);
      } catch (SQLException | IOException | RuntimeException e) {
        tc.rollback();
        throw e;
      } finally {
        tc.setAutoCommit(true);
      }
    }
  }

  /**
   * Streams both sides again (target under lock), spills the changes, and aborts unless both sides
   * hash exactly as they did when the plan was made.
   */
  private static void recheck(
      SyncDialect d, Connection sc, Connection tc, SyncPlan plan, Spill spill, String action)
      throws SQLException, IOException {
    List<String> changed = new ArrayList<>();
    try (Snapshot snap = Snapshot.begin(sc)) {
      for (int i = 0; i < plan.tables().size(); i++) {
        TablePlan tp = plan.tables().get(i);
        TableShape shape = tp.shape();
        try (RowStream src = RowStream.open(sc, d, shape, plan.from(), false);
            RowStream tgt = RowStream.open(tc, d, shape, plan.to(), true);
            Spill.Writer out = spill.writer(i, shape)) {
          TableDiff.run(shape, src, tgt, out);
          if (!tgt.digest().equals(tp.targetDigest())) {
            changed.add("'" + plan.to() + "'." + shape.table() + " (the target)");
          }
          if (!src.digest().equals(tp.sourceDigest())) {
            changed.add("'" + plan.from() + "'." + shape.table() + " (the source)");
          }
        }
      }
    }
    if (!changed.isEmpty()) {
      boolean target = changed.stream().anyMatch(s -> s.endsWith("(the target)"));
      throw new SyncRefusal(
          Guarantee.G4,
          action,
          (target ? "the target changed since planning" : "the source changed since planning")
              + ": "
              + String.join(", ", changed)
              + " no longer hold the rows the plan was computed on, so the plan shown is not"
              + " what would be applied. Aborted; nothing was written",
          "run sync again to see the new plan, then apply that",
          "aborted");
    }
  }
}
