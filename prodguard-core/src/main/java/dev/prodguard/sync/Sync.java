package dev.prodguard.sync;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.jdbc.DatabaseMetadata;
import dev.prodguard.support.sync.SyncDialect;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code prodguard sync}: contract-governed promotion of reference data from one environment to
 * another. Order of guards: G4 (tables and columns in the contract) and distinct environments
 * before anything; G1 and G3 in {@link Target#prepare}; G2 on both connections; then the plan,
 * refused (G4) when it deletes without permission or exceeds the ceiling. Dry run by default.
 */
public final class Sync {
  public static final int DEFAULT_SAMPLE = 20;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter RUN_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** What to sync. {@code columns} narrows a table to some of its contract columns. */
  public record Request(
      String from,
      String to,
      List<String> tables,
      Map<String, List<String>> columns,
      boolean apply,
      int sample) {
    public Request {
      tables = List.copyOf(tables);
      columns = Map.copyOf(columns);
    }

    public static Request dryRun(String from, String to, String... tables) {
      return new Request(from, to, List.of(tables), Map.of(), false, DEFAULT_SAMPLE);
    }

    public Request applying() {
      return new Request(from, to, tables, columns, true, sample);
    }
  }

  /** Test seam and extension point: called between planning and applying. */
  public interface Hooks {
    Hooks NONE = new Hooks() {};

    default void afterPlan(SyncPlan plan) throws Exception {}
  }

  /** An applied sync or revert. {@code counts}: per table insert, update, delete. */
  public record Applied(
      String runId,
      SyncBackup.Result backup,
      Map<String, long[]> counts,
      long changes,
      String changesSha256,
      AuditLog.Entry audit) {}

  /** The plan, and what was applied (empty for a dry run). */
  public record Result(SyncPlan plan, Optional<Applied> applied) {}

  private final ProdguardConfig config;
  private final Contract contract;
  private final RunContext context;
  private final SyncBackup backup;
  private final Hooks hooks;

  public Sync(
      ProdguardConfig config,
      Contract contract,
      RunContext context,
      SyncBackup backup,
      Hooks hooks) {
    this.config = config;
    this.contract = contract;
    this.context = context;
    this.backup = backup;
    this.hooks = hooks;
  }

  public Result run(Request r) throws SQLException, IOException {
    String action = "sync --from " + r.from() + " --to " + r.to() + (r.apply() ? " --apply" : "");
    List<SyncSpec> specs = SyncContract.resolve(contract, r.tables(), r.columns());
    if (r.from().equals(r.to())) {
      throw new GuardRefusal(
          Guarantee.G2,
          action,
          "the source and the target are the same environment ('"
              + r.from()
              + "'): a sync needs two different databases",
          "name the environment to copy from with --from and the one to write with --to");
    }
    Target source = Target.prepare(config, r.from(), context, Target.Access.READ, action);
    Target target =
        Target.prepare(
            config, r.to(), context, r.apply() ? Target.Access.MUTATE : Target.Access.READ, action);
    if (source.dialect().kind() != target.dialect().kind()) {
      throw new GuardRefusal(
          Guarantee.G4,
          action,
          "'"
              + r.from()
              + "' is "
              + source.dialect().kind()
              + " but '"
              + r.to()
              + "' is "
              + target.dialect().kind()
              + ": values cannot be carried faithfully between server families",
          "sync PostgreSQL to PostgreSQL or MariaDB to MariaDB");
    }
    SyncDialect d = target.dialect().sync();
    try (Target.Checked src = source.open();
        Target.Checked tgt = target.open()) {
      distinct(action, r.from(), src.metadata(), r.to(), tgt.metadata());
      d.prepareSession(src.connection());
      d.prepareSession(tgt.connection());
      try {
        SyncPlan plan =
            SyncPlanner.plan(
                d,
                new SyncShapes.Side(src.connection(), r.from()),
                src.metadata(),
                new SyncShapes.Side(tgt.connection(), r.to()),
                tgt.metadata(),
                specs,
                contract.sha256(),
                r.sample());
        Optional<SyncRefusal> violation = SyncPolicy.check(plan);
        if (violation.isEmpty()) {
          violation = SyncCascades.check(d, tgt.connection(), plan);
        }
        if (violation.isPresent()) {
          throw violation.get();
        }
        if (!r.apply() || plan.changes() == 0) {
          return new Result(plan, Optional.empty()); // nothing to write: no backup, no run
        }
        afterPlan(plan);
        Applied applied =
            SyncApplier.apply(
                d,
                src,
                target,
                tgt,
                plan,
                context,
                backup,
                backupDirectory(),
                newRunId("sync"),
                action);
        return new Result(plan, Optional.of(applied));
      } catch (GuardRefusal refusal) {
        if (r.apply()) {
          audit(tgt, target, "sync", Optional.empty(), refusal);
        }
        throw refusal;
      }
    }
  }

  /**
   * {@code --revert RUN}: restores the before-images of an applied sync, refusing when any row
   * differs from what the sync left.
   */
  public Applied revert(String runId, String to) throws SQLException, IOException {
    String action = "sync --revert " + runId + " --to " + to;
    Target target = Target.prepare(config, to, context, Target.Access.MUTATE, action);
    SyncDialect d = target.dialect().sync();
    try (Target.Checked tgt = target.open()) {
      d.prepareSession(tgt.connection());
      String revertId = newRunId("revert");
      try {
        return SyncRevert.run(
            d, target, tgt, contract, context, backup, backupDirectory(), runId, revertId, action);
      } catch (GuardRefusal refusal) {
        audit(tgt, target, "sync --revert", Optional.of(revertId), refusal);
        throw refusal;
      }
    }
  }

  private void afterPlan(SyncPlan plan) {
    try {
      hooks.afterPlan(plan);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("sync hook failed: " + e.getMessage(), e);
    }
  }

  private Path backupDirectory() {
    return config.backup().directory().resolve("sync");
  }

  /** G2: two environments that pass their fingerprint checks must still be two databases. */
  static void distinct(
      String action, String from, DatabaseMetadata a, String to, DatabaseMetadata b) {
    if (a.fingerprint().equals(b.fingerprint()) || a.serverIdentity().equals(b.serverIdentity())) {
      throw new GuardRefusal(
          Guarantee.G2,
          action,
          "'"
              + from
              + "' and '"
              + to
              + "' lead to the same database ("
              + b.serverIdentity()
              + "): a sync would read and write the same rows",
          "give each environment its own database and fingerprint");
    }
  }

  /** Records a refusal or abort of a write in the target's audit (G10), never masking it. */
  private void audit(
      Target.Checked checked,
      Target target,
      String command,
      Optional<String> runId,
      GuardRefusal r) {
    Connection c = checked.connection();
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      AuditLog.install(c, target.dialect());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("guarantee", r.guarantee().name());
      details.put("what", r.what());
      details.put("why", r.why());
      AuditLog.append(
          c,
          target.dialect(),
          context,
          target.ciIdentity(),
          new AuditLog.Event(
              command,
              target.name(),
              runId,
              Optional.empty(),
              r instanceof SyncRefusal s ? s.outcome() : "refused",
              details));
    } catch (SQLException | RuntimeException e) {
      r.addSuppressed(e);
    }
  }

  static SyncBackup.Result backup(
      SyncBackup backup,
      Target target,
      Connection control,
      List<String> tables,
      Path dir,
      String action)
      throws SQLException {
    try {
      return backup.backup(target, control, tables, dir);
    } catch (SyncRefusal e) {
      throw e;
    } catch (GuardRefusal e) {
      throw new SyncRefusal(e.guarantee(), action, e.why(), e.fix(), "refused");
    } catch (IOException e) {
      throw new SyncRefusal(
          Guarantee.G9,
          action,
          "the backup of " + String.join(", ", tables) + " failed: " + e.getMessage(),
          "fix the dump tool or its access to '"
              + target.name()
              + "' and run again; nothing was written",
          "refused");
    }
  }

  static Map<String, Object> tableDetails(List<TableShape> shapes, Map<String, long[]> counts) {
    Map<String, Object> tables = new LinkedHashMap<>();
    for (TableShape s : shapes) {
      long[] n = counts.get(s.table());
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("key", s.keyNames());
      t.put("columns", s.columnNames());
      t.put("row_columns", s.full().columnNames());
      t.put("insert", n[0]);
      t.put("update", n[1]);
      t.put("delete", n[2]);
      tables.put(s.table(), t);
    }
    return tables;
  }

  private String newRunId(String prefix) {
    byte[] r = new byte[3];
    RANDOM.nextBytes(r);
    return prefix
        + "-"
        + RUN_STAMP.format(context.clock().instant())
        + "-"
        + HexFormat.of().formatHex(r);
  }
}
