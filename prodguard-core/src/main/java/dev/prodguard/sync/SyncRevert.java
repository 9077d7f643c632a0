package dev.prodguard.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prodguard.audit.AuditLog;
import dev.prodguard.contract.Contract;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.support.sync.SyncDialect;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code sync --revert RUN}: finds the run in an intact audit chain, checks its stored
 * before-images against the count and SHA-256 the audit recorded, and, still under the contract,
 * restores them in one transaction, each row first read under lock and required to be exactly as
 * the sync left it. The revert is itself a run with its own change log and audit record.
 */
final class SyncRevert {
  private SyncRevert() {}

  static Sync.Applied run(
      SyncDialect d,
      Target target,
      Target.Checked checked,
      Contract contract,
      RunContext context,
      SyncBackup backup,
      Path backupDir,
      String runId,
      String revertId,
      String action)
      throws SQLException, IOException {
    Connection c = checked.connection();
    String env = target.name();
    List<AuditLog.Entry> entries = auditEntries(c, target, action);
    AuditLog.Entry applied =
        entries.stream()
            .filter(
                e ->
                    "sync".equals(e.command())
                        && runId.equals(e.runId())
                        && "applied".equals(e.outcome()))
            .findFirst()
            .orElseThrow(
                () ->
                    refusal(
                        Guarantee.G10,
                        action,
                        "the audit of '" + env + "' records no applied sync run '" + runId + "'",
                        "find the run id in 'prodguard audit "
                            + env
                            + "' (command sync, outcome"
                            + " applied)"));
    for (AuditLog.Entry e : entries) {
      if ("sync --revert".equals(e.command())
          && "applied".equals(e.outcome())
          && runId.equals(json(e.details()).path("reverts").asText())) {
        throw refusal(
            Guarantee.G10,
            action,
            "sync run '" + runId + "' was already reverted by run '" + e.runId() + "'",
            "nothing to do; to apply the data again, run sync again");
      }
    }
    JsonNode details = json(applied.details());
    List<String> tables = new ArrayList<>();
    Map<String, List<String>> columns = new LinkedHashMap<>();
    details
        .path("tables")
        .fields()
        .forEachRemaining(
            t -> {
              tables.add(t.getKey());
              List<String> cols = new ArrayList<>();
              t.getValue().path("columns").forEach(n -> cols.add(n.asText()));
              columns.put(t.getKey(), cols);
            });
    // still under the contract: a table or column taken out of sync since is not written
    List<SyncSpec> specs = SyncContract.resolve(contract, tables, columns);
    SyncShapes.Side side = new SyncShapes.Side(c, env);
    List<TableShape> shapes = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    for (SyncSpec spec : specs) {
      TableShape shape = SyncShapes.describe(d, spec, side, side);
      if (!shape.columnNames().equals(columns.get(spec.table()))) {
        throw refusal(
            Guarantee.G4,
            action,
            "the contract's key of '" + spec.table() + "' changed since the sync",
            "restore it from the sync's backup (" + details.path("backup").asText() + ")");
      }
      index.put(spec.table(), shapes.size());
      shapes.add(shape);
    }
    // deleted rows were stored whole: they go back through a whole-row shape (spill n + i)
    int n = shapes.size();
    List<TableShape> all = new ArrayList<>(shapes);
    for (TableShape s : shapes) {
      Set<String> rowColumns = new LinkedHashSet<>();
      details
          .path("tables")
          .path(s.table())
          .path("row_columns")
          .forEach(col -> rowColumns.add(col.asText()));
      for (String col : rowColumns) {
        if (!s.full().columnNames().contains(col)) {
          throw refusal(
              Guarantee.G4,
              action,
              "column "
                  + s.table()
                  + "."
                  + col
                  + " of the rows the sync deleted is gone from '"
                  + env
                  + "' (or is generated now): the rows cannot be put back as they were",
              "restore them from the sync's backup (" + details.path("backup").asText() + ")");
        }
      }
      all.add(s.fullRestrictedTo(rowColumns));
    }
    // what the revert writes, per table: an insert undone is a delete, an update undone changes
    // its columns back (checked for cascades as sync --apply checks its plan)
    Map<String, long[]> deletes = new LinkedHashMap<>();
    Map<String, Map<String, Long>> columnUpdates = new LinkedHashMap<>();
    for (TableShape s : shapes) {
      deletes.put(s.table(), new long[1]);
      columnUpdates.put(s.table(), new LinkedHashMap<>());
    }
    try (Spill spill = Spill.create()) {
      List<Spill.Writer> writers = new ArrayList<>();
      ChangeLog.ReadResult read;
      try {
        for (int i = 0; i < all.size(); i++) {
          writers.add(spill.writer(i, all.get(i)));
        }
        read =
            ChangeLog.read(
                c,
                runId,
                stored -> {
                  Integer i = index.get(stored.table());
                  if (i == null) {
                    throw new IllegalStateException(
                        "stored change of unknown table " + stored.table());
                  }
                  int slot = "delete".equals(stored.op()) ? n + i : i;
                  TableShape s = all.get(slot);
                  Change change =
                      new Change(
                          Change.Op.valueOf(stored.op().toUpperCase(java.util.Locale.ROOT)),
                          ChangeLog.parseKey(s, stored.key()),
                          ChangeLog.parseImage(s, stored.before()),
                          ChangeLog.parseImage(s, stored.after()));
                  if (change.op() == Change.Op.INSERT) {
                    deletes.get(stored.table())[0]++;
                  } else if (change.op() == Change.Op.UPDATE) {
                    for (int col = 0; col < s.columns().size(); col++) {
                      if (change.changed(col)) {
                        columnUpdates
                            .get(stored.table())
                            .merge(s.columns().get(col).name(), 1L, Long::sum);
                      }
                    }
                  }
                  writers.get(slot).accept(change);
                });
      } catch (SQLException | IOException e) {
        throw e;
      } catch (Exception e) {
        throw refusal(
            Guarantee.G10,
            action,
            "the stored before-images of run '" + runId + "' are unreadable: " + e.getMessage(),
            "restore from the sync's backup (" + details.path("backup").asText() + ")");
      } finally {
        for (Spill.Writer w : writers) {
          w.close();
        }
      }
      if (read.count() != details.path("changes").asLong(-1)
          || !read.sha256().equals(details.path("changes_sha256").asText())) {
        throw refusal(
            Guarantee.G10,
            action,
            "prodguard_sync_change holds "
                + read.count()
                + " rows for run '"
                + runId
                + "' hashing to "
                + read.sha256()
                + ", but the audit recorded "
                + details.path("changes").asText()
                + " rows hashing to "
                + details.path("changes_sha256").asText()
                + ": the before-images were altered",
            "restore from the sync's backup ("
                + details.path("backup").asText()
                + ") and find out who edited prodguard_sync_change");
      }
      List<SyncCascades.Writes> writes = new ArrayList<>();
      for (TableShape s : shapes) {
        writes.add(
            new SyncCascades.Writes(
                s.table(), deletes.get(s.table())[0], columnUpdates.get(s.table())));
      }
      Optional<SyncRefusal> cascade = SyncCascades.checkRevert(d, c, writes, action);
      if (cascade.isPresent()) {
        throw cascade.get();
      }
      SyncBackup.Result dump =
          Sync.backup(
              backup,
              target,
              c,
              shapes.stream().map(TableShape::table).toList(),
              backupDir,
              action);
      c.setAutoCommit(false);
      try {
        d.setLockTimeout(c, SyncApplier.LOCK_TIMEOUT_SECONDS);
        for (TableShape s : shapes) {
          d.lockTable(c, s.table());
        }
        Map<String, long[]> counts;
        String sha;
        long changes;
        try (ChangeLog.Recorder log = new ChangeLog.Recorder(c, revertId)) {
          counts = ChangeApplier.writeAll(c, d, all, spill, log, env, action, true);
          sha = log.sha256();
          changes = log.count();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reverts", runId);
        out.put("tables", Sync.tableDetails(shapes, counts));
        out.put("backup", dump.file().toString());
        out.put("backup_sha256", dump.sha256());
        out.put("changes", changes);
        out.put("changes_sha256", sha);
        AuditLog.Entry entry =
            AuditLog.append(
                c,
                target.dialect(),
                context,
                target.ciIdentity(),
                new AuditLog.Event(
                    "sync --revert", env, Optional.of(revertId), Optional.empty(), "applied", out));
        c.commit();
        return new Sync.Applied(revertId, dump, counts, changes, sha, entry);
      } catch (SQLException | IOException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static List<AuditLog.Entry> auditEntries(Connection c, Target target, String action)
      throws SQLException {
    AuditLog.Verification v;
    try {
      v = AuditLog.verify(c, Optional.empty());
    } catch (SQLException e) {
      if (target.dialect().isUndefinedTable(e)) {
        throw refusal(
            Guarantee.G10,
            action,
            "'" + target.name() + "' has no audit table, so no sync was ever applied to it",
            "check the environment and the run id");
      }
      throw e;
    }
    if (!v.intact()) {
      throw refusal(
          Guarantee.G10,
          action,
          "the audit chain of '"
              + target.name()
              + "' is broken ("
              + v.firstBreak().orElseThrow().problem()
              + "): the record of the run cannot be trusted",
          "investigate with 'prodguard audit verify " + target.name() + "'; restore from backup");
    }
    return AuditLog.read(c, 0);
  }

  private static JsonNode json(String s) {
    try {
      return ChangeLog.JSON.readTree(s);
    } catch (IOException e) {
      return ChangeLog.JSON.createObjectNode();
    }
  }

  private static SyncRefusal refusal(Guarantee g, String action, String why, String fix) {
    return new SyncRefusal(g, action, why, fix, "refused");
  }
}
