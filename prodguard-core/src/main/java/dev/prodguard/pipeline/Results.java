package dev.prodguard.pipeline;

import dev.prodguard.guard.GuardStatus;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.PendingMigration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the pipeline commands return; {@code toJson()} gives the {@code --format json} shape. */
public final class Results {
  private Results() {}

  /**
   * {@code verify}: a new verified run, or nothing to do; {@code invalidIndexes}: what failed
   * concurrent index builds left in the target (G7).
   */
  public record Verify(
      String environment, Optional<Run> run, MigrationSet set, List<LeftoverIndex> invalidIndexes) {
    public Verify {
      invalidIndexes = List.copyOf(invalidIndexes);
    }

    public boolean upToDate() {
      return run.isEmpty();
    }

    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("command", "verify");
      j.put("environment", environment);
      j.put("outcome", upToDate() ? "up_to_date" : "verified");
      run.ifPresent(r -> putRun(j, r));
      j.put("pending", pendingJson(set.pending()));
      j.put("invalid_indexes", invalidIndexes.stream().map(LeftoverIndex::toJson).toList());
      return j;
    }
  }

  /**
   * {@code backup}; {@code restoreCheckLeftOut}: what the restore check did not restore because the
   * checking role cannot create it (one line each, with why).
   */
  public record Backup(
      String environment,
      Run run,
      int tables,
      boolean restoreChecked,
      List<String> restoreCheckLeftOut) {
    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("command", "backup");
      j.put("environment", environment);
      j.put("outcome", "backed_up");
      putRun(j, run);
      j.put("tables", tables);
      j.put("restore_checked", restoreChecked);
      j.put("restore_check_left_out", restoreCheckLeftOut);
      return j;
    }
  }

  /** {@code deploy}. */
  public record Deploy(
      String environment,
      Optional<Run> run,
      List<MigrationEngine.Applied> applied,
      Optional<String> receipt) {
    public boolean upToDate() {
      return run.isEmpty();
    }

    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("command", "deploy");
      j.put("environment", environment);
      j.put("outcome", upToDate() ? "up_to_date" : "deployed");
      run.ifPresent(r -> putRun(j, r));
      List<Map<String, Object>> a = new ArrayList<>();
      for (MigrationEngine.Applied m : applied) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("version", m.version().orElse(null));
        x.put("description", m.description());
        x.put("script", m.script());
        x.put("millis", m.millis());
        a.add(x);
      }
      j.put("applied", a);
      return j;
    }
  }

  /** {@code promote}. */
  public record Promote(Verify verify, Optional<Backup> backup, Optional<Deploy> deploy) {
    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("command", "promote");
      j.put("environment", verify.environment());
      j.put("outcome", verify.upToDate() ? "up_to_date" : "deployed");
      j.put("verify", verify.toJson());
      backup.ifPresent(b -> j.put("backup", b.toJson()));
      deploy.ifPresent(d -> j.put("deploy", d.toJson()));
      return j;
    }
  }

  /** {@code status}. */
  public record Status(
      String environment,
      boolean isProtected,
      String fingerprint,
      String serverIdentity,
      List<String> validationProblems,
      List<PendingMigration> pending,
      Optional<String> lockHolderSession,
      Optional<Run> lockHolderRun,
      List<Run> openRuns,
      List<Run> lastDeploys,
      List<Run> markedFailed,
      List<LeftoverIndex> invalidIndexes,
      GuardStatus guards,
      Instant now,
      Optional<String> version,
      Optional<Run> lastRun,
      Drift drift,
      List<String> unsettled) {
    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("command", "status");
      j.put("environment", environment);
      j.put("protected", isProtected);
      j.put("fingerprint", fingerprint);
      j.put("server_identity", serverIdentity);
      j.put("validation_problems", validationProblems);
      j.put("pending", pendingJson(pending));
      Map<String, Object> lock = new LinkedHashMap<>();
      lock.put("held", lockHolderSession.isPresent());
      lockHolderSession.ifPresent(s -> lock.put("session", s));
      lockHolderRun.ifPresent(
          r -> {
            lock.put("run", r.id());
            lock.put("ci_subject", r.ciSubject());
            lock.put("since", r.deployStartedAt().map(Instant::toString).orElse(null));
          });
      j.put("lock", lock);
      j.put("open_runs", openRuns.stream().map(Results::runJson).toList());
      j.put("last_deploys", lastDeploys.stream().map(Results::runJson).toList());
      j.put("marked_failed", markedFailed.stream().map(Run::id).toList());
      j.put("invalid_indexes", invalidIndexes.stream().map(LeftoverIndex::toJson).toList());
      j.put("guards", guards.toJson());
      j.put("version", version.orElse(null));
      j.put("last_run", lastRun.map(Results::runJson).orElse(null));
      j.put("drift", drift.toJson());
      j.put("unsettled", unsettled);
      return j;
    }
  }

  /**
   * {@code repair}: the failed history entries it removed, and the runs whose deploy died inside a
   * migration no transaction bounds that it settled (G7), each {@code RUN (SCRIPT)}.
   */
  public record Repair(String environment, List<String> removed, List<String> settled) {}

  /**
   * The one next step after a failed or dead deploy, or a repair, of {@code env}: a protected
   * environment starts over from verify (backup and deploy follow; promote does all three), an
   * unprotected one deploys again on the fast path (docs/pipeline.md).
   */
  /**
   * The way forward after a failed migration the migration tool recorded as failed in {@code
   * history}: verify refuses (G7) while that row is there, so {@code prodguard repair} (from CI for
   * a protected environment) removes it first; {@code env} as the commands take it ({@code t5
   * --fleet tenants} for a fleet's target).
   */
  public static String repairThenStartOver(
      boolean protectedEnvironment, String env, String history) {
    return "prodguard repair "
        + env
        + " --reason \"...\""
        + (protectedEnvironment ? " from CI" : "")
        + " (it removes only the failed row of "
        + history
        + "; verify refuses until then), then "
        + startOver(protectedEnvironment, env);
  }

  public static String startOver(boolean protectedEnvironment, String env) {
    return protectedEnvironment
        ? "prodguard verify "
            + env
            + ", then backup and deploy (prodguard promote "
            + env
            + " does all three)"
        : "prodguard deploy " + env;
  }

  /**
   * The schema against the one the last deploy left (or the last accepted drift), as status reads
   * it (docs/drift.md, the same reading as verify's); verify refuses on {@code drifted} and {@code
   * unsettled}.
   *
   * @param state {@code none}, {@code drifted}, {@code no_reference} (no deploy recorded a schema
   *     yet), {@code unsettled} (a deploy died after the reference was taken and the schema differs
   *     from it: its partial effects cannot be told from a hand change), {@code not_checked} (see
   *     {@code detail})
   * @param changes objects that differ, when drifted or unsettled
   * @param detail the reference, or why drift was not checked
   */
  public record Drift(String state, int changes, String detail) {
    public static Drift notChecked(String why) {
      return new Drift("not_checked", 0, why);
    }

    /** verify would refuse on it (G7). */
    public boolean refuses() {
      return state.equals("drifted") || state.equals("unsettled");
    }

    /** One short word or phrase for a table cell. */
    public String shown() {
      return switch (state) {
        case "drifted" -> changes + " change(s)";
        case "unsettled" -> changes + " change(s), deploy died";
        case "no_reference" -> "no record";
        case "not_checked" -> "not checked";
        default -> state;
      };
    }

    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("state", state);
      m.put("changes", changes);
      m.put("detail", detail);
      return m;
    }
  }

  static List<Map<String, Object>> pendingJson(List<PendingMigration> pending) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PendingMigration p : pending) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", p.version().orElse(null));
      m.put("description", p.description());
      m.put("script", p.file().relativePath());
      m.put("sha256", p.file().sha256());
      out.add(m);
    }
    return out;
  }

  private static void putRun(Map<String, Object> j, Run r) {
    j.put("run", runJson(r));
  }

  public static Map<String, Object> runJson(Run r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("environment", r.environment());
    m.put("status", r.status().db());
    m.put("migration_set_sha256", r.migrationSetSha256());
    m.put("migration_count", r.migrationCount());
    m.put("contract_sha256", r.contractSha256().orElse(null));
    m.put("commit", r.commit().orElse(null));
    m.put("ci_subject", r.ciSubject());
    m.put("created_at", r.createdAt().toString());
    m.put("verification_expires_at", r.verificationExpiresAt().toString());
    m.put("expires_at", r.expiresAt().toString());
    r.backup()
        .ifPresent(
            b -> {
              Map<String, Object> x = new LinkedHashMap<>();
              x.put("path", b.path());
              x.put("size", b.size());
              x.put("sha256", b.sha256());
              x.put("duration_ms", b.durationMillis());
              x.put("at", b.at().toString());
              x.put("expires_at", b.expiresAt().toString());
              m.put("backup", x);
            });
    r.deployStartedAt().ifPresent(t -> m.put("deploy_started_at", t.toString()));
    r.finishedAt().ifPresent(t -> m.put("finished_at", t.toString()));
    r.failure().ifPresent(f -> m.put("failure", f));
    return m;
  }
}
