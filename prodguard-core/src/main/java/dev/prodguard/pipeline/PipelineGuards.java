package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.GuardArtifact;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.SchemaGrants;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The checks the pipeline's steps share: the pending set as the engine sees it and its analysis
 * (G4, G7), the guards of a protected environment (G6), the run a step works on and whether it is
 * still live and unchanged (G7), and the deploy lock (G8). Each refuses through {@link
 * dev.prodguard.db.GuardRefusal}.
 */
final class PipelineGuards {
  private final StepContext s;
  private final AuditTrail trail;
  private final ProdguardConfig config;
  private final MigrationEngine engine;
  private final MigrationAnalyzer analyzer;

  PipelineGuards(StepContext s) {
    this.s = s;
    this.trail = new AuditTrail(s);
    this.config = s.config;
    this.engine = s.engine;
    this.analyzer = s.analyzer;
  }

  /**
   * The pending set as the engine sees it now. {@code validate}: also refuse when what is applied
   * does not match the files. Deploy skips that extra pass: the engine validates again before it
   * applies anything (validateOnMigrate), and the set hash already binds every pending byte.
   */
  MigrationSet currentSet(Target target, MigrationFiles files, String what, boolean validate) {
    try {
      return readCurrentSet(target, files, what, validate);
    } catch (RuntimeException e) {
      throw ReadWait.translate(target, what, e); // a read that waited too long for a lock
    }
  }

  private MigrationSet readCurrentSet(
      Target target, MigrationFiles files, String what, boolean validate) {
    DataSource reading = s.reading(target);
    // An entry the files contradict (V13.2 reviewed missing while its file is there) can never
    // let the history through: named as the cause, with the validation problems it leaves.
    List<String> impossible =
        validate ? HistoryEntries.impossible(config, engine, target, files, reading) : List.of();
    if (validate) {
      refuseNamesTheEngineRefuses(target, files, what);
    }
    // validation and the pending set from one read of the target's history where the engine can
    MigrationEngine.Validated read =
        validate
            ? engine.validateAndPending(files, reading)
            : new MigrationEngine.Validated(List.of(), engine.pending(files, reading));
    List<String> problems = read.problems();
    if (!impossible.isEmpty()) {
      String entryFix =
          "correct or remove the entry in the contract's history through review (an entry"
              + " reviews one version in the one state Flyway reads it in; 'prodguard lint'"
              + " refuses the same entry)";
      throw new GuardRefusal(
          Guarantee.G4,
          what,
          String.join("\n", impossible)
              + (problems.isEmpty()
                  ? ""
                  : "\nand the migrations already applied to '"
                      + target.name()
                      + "' do not match the files:\n- "
                      + String.join("\n- ", problems)),
          problems.isEmpty()
              ? entryFix
              : "- "
                  + entryFix
                  + "\n- "
                  + historyFix(problems, target, irregularFacts(files, reading))
                      .replaceFirst("^- ", ""));
    }
    if (!problems.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the migrations already applied to '"
              + target.name()
              + "' do not match the files (an applied migration was edited, renamed or"
              + " deleted, or one is missing or failed):\n- "
              + String.join("\n- ", problems),
          historyFix(problems, target, irregularFacts(files, reading)));
    }
    List<String> unmatched =
        validate ? HistoryEntries.unmatched(config, engine, target, files, reading) : List.of();
    if (!unmatched.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G4,
          what,
          String.join("\n", unmatched),
          "remove the stale entry from the contract's history through review (an entry reviews"
              + " one version in one state of this history, like an exception)");
    }
    return MigrationSet.of(
        read.pending(), engine.discover(files, target.dialect().kind()).callbacks(), files);
  }

  /**
   * G7: a file the engine refuses for its name (Flyway: {@code v2__x.sql}, {@code notes.sql}) stops
   * every deploy; said as such, before validation reports it as a mismatch with what is applied.
   */
  private void refuseNamesTheEngineRefuses(Target target, MigrationFiles files, String what) {
    List<String> refused =
        engine.discover(files, target.dialect().kind()).all().stream()
            .filter(s -> s.role() == MigrationSource.Role.REFUSED_NAME)
            .map(MigrationSource::shown)
            .toList();
    if (!refused.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the deploy would fail: the migration tool refuses the name of "
              + String.join(", ", refused)
              + " (neither a migration nor a callback)",
          "name a migration V<version>__<description>.sql (capital V) or"
              + " R__<description>.sql, or move the file out of the migration locations, and"
              + " push again");
    }
  }

  /** G4: the analysis of the pending set; refused when it finds an uncovered error. */
  MigrationAnalyzer.Analysis requireAnalysed(
      MigrationSet set, MigrationFiles files, Target target, String what) {
    MigrationSources sources = engine.discover(files, target.dialect().kind());
    MigrationAnalyzer.Analysis analysis = analyzer.analyse(set, sources, target);
    if (!analysis.deployFailures().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the deploy would fail: the migration tool or the server will refuse these pending"
              + " migrations, whatever the database holds:\n- "
              + String.join("\n- ", analysis.deployFailures()),
          "fix each file as its 'fix' says and push again (a contract entry cannot change this)");
    }
    if (!analysis.refusals().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G4,
          what,
          "the pending migrations break the contract:\n- "
              + String.join("\n- ", analysis.refusals()),
          "change the migrations (or, after review, the contract) and push again");
    }
    return analysis;
  }

  /**
   * G1: a database that records itself as protected stays protected whatever prodguard.yml says. A
   * file saying {@code protected: false} (or a fleet without {@code protected}) must not turn a
   * production database into one a laptop may change: only {@code init-fingerprint} from CI removes
   * the record.
   */
  void requireRecordedProtection(Connection c, Target target, String what) throws SQLException {
    if (target.environment().isProtected() || !DatabaseGuards.recordedProtected(c).orElse(false)) {
      return;
    }
    throw new GuardRefusal(
        Guarantee.G1,
        what,
        "the database of '"
            + target.name()
            + "' records it as protected (prodguard_guard_config), but prodguard.yml does not:"
            + " a configuration file cannot take a database's protection away",
        "put 'protected: true' back for '"
            + target.name()
            + "' and run the change through 'prodguard promote "
            + config.address(target.name())
            + "' from CI; to unprotect the database on purpose, run 'prodguard init-fingerprint "
            + config.address(target.name())
            + "' from CI after the reviewed change");
  }

  /**
   * G6 for a protected environment: the database records it as protected (restored if missing or
   * edited, and audited), the engine's guard artifacts (Flyway: the callback) are in place exactly
   * as written, and, with {@code guards.require-ddl-trigger}, the DDL guard is installed.
   */
  void requireGuards(Connection c, Target target, String what) throws SQLException {
    if (!target.environment().isProtected()) {
      return;
    }
    DatabaseSupport d = target.dialect();
    String env = target.name();
    if (DatabaseGuards.requireProtected(c, s.createdBy(), s.now())) {
      trail.audit(
          c,
          target,
          "guards",
          Optional.empty(),
          "protected_flag_restored",
          Map.of(
              "why",
              "prodguard_guard_config did not record '" + env + "' as protected; set it again"));
    }
    for (GuardArtifactFiles.Check cb : engine.checkGuardArtifacts(config, d)) {
      if (cb.state() != GuardArtifactFiles.State.OK) {
        GuardArtifact a = cb.artifact();
        throw new GuardRefusal(
            Guarantee.G6,
            what,
            a.label()
                + " "
                + cb.path()
                + " is "
                + cb.state().label()
                + ": without it "
                + a.stops()
                + " is not stopped by the database",
            "run 'prodguard init-fingerprint "
                + config.address(env)
                + "' (it writes the file exactly as prodguard expects), review and commit it; "
                + a.ownFiles());
      }
    }
    requireHistoryGuard(c, target, what);
    requireRoleSplit(c, target, what);
    if (config.guards().requireDdlTrigger()) {
      DatabaseGuards.DdlGuard g = DatabaseGuards.ddlGuard(c, d);
      if (g == DatabaseGuards.DdlGuard.UNSUPPORTED) {
        throw new GuardRefusal(
            Guarantee.G6,
            what,
            "guards.require-ddl-trigger is set, but '"
                + env
                + "' is MySQL/MariaDB, which has no event triggers: the requirement cannot be"
                + " met",
            "remove guards.require-ddl-trigger from prodguard.yml through review (the Flyway"
                + " callback is the database-side guard on MySQL/MariaDB)");
      }
      if (g != DatabaseGuards.DdlGuard.INSTALLED) {
        throw new GuardRefusal(
            Guarantee.G6,
            what,
            "guards.require-ddl-trigger is set, but the DDL guard (event trigger"
                + " prodguard_ddl_guard) of '"
                + env
                + "' is "
                + g.label(),
            "install it: run 'prodguard init-fingerprint "
                + config.address(env)
                + "' once from CI with a superuser URL (only a superuser can create event"
                + " triggers)");
      }
    }
  }

  /**
   * G6: the engine's history table, once it exists, carries its guard (triggers that only a guarded
   * deploy's sessions pass), so that Flyway repair, baseline and a migration run by hand from a
   * folder without the callback cannot write it.
   */
  void requireHistoryGuard(Connection c, Target target, String what) throws SQLException {
    Optional<String> table = engine.historyTable();
    if (table.isEmpty()) {
      return;
    }
    DatabaseGuards.HistoryGuard h = DatabaseGuards.historyGuard(c, target.dialect(), table.get());
    if (h == DatabaseGuards.HistoryGuard.MISSING || h == DatabaseGuards.HistoryGuard.DISABLED) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "the guard on "
              + table.get()
              + " (triggers that let only a guarded deploy write it) is "
              + h.label()
              + ": without it Flyway repair, baseline, or a migration run by hand from a folder"
              + " without the callback changes '"
              + target.name()
              + "'",
          "run 'prodguard init-fingerprint "
              + config.address(target.name())
              + "' from CI: it installs the guard (where the DDL guard is installed, with the"
              + " superuser URL that installed it)");
    }
  }

  /**
   * G6's role split. On PostgreSQL, with a {@code deploy-url}: the url role must not be able to
   * make itself an owner ({@link OwnerRoleSplit}). On a server without DDL triggers
   * (MySQL/MariaDB): only privileges stop a schema change made by hand, so deploys need a
   * credential of their own ({@code deploy-url}) and the environment's {@code url} credential, the
   * one applications and people use, must not be able to change the schema. Read from the server's
   * grants, connected as that credential; and, through {@code c} (the deploy credential), the
   * grants of every other account with the same user name at another host ({@code
   * 'app'@'localhost'} beside {@code 'app'@'%'}), which a connection from that host logs in as.
   * What cannot be read refuses (fail closed).
   */
  void requireRoleSplit(Connection c, Target target, String what) throws SQLException {
    DatabaseSupport d = target.dialect();
    if (d.schemaGrants().isEmpty()) {
      if (target.environment().deployUrl().isPresent()) {
        OwnerRoleSplit.require(target, engine.historyTable(), what);
      }
      return;
    }
    String env = target.name();
    if (target.environment().deployUrl().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "'"
              + env
              + "' is MySQL/MariaDB, which has no DDL triggers, so only privileges stop a Flyway"
              + " clean or a DDL migration run by hand; prodguard.yml gives '"
              + env
              + "' no deploy-url, so prodguard deploys with the credential of its url, the one"
              + " applications and people use",
          "split the roles: a deploy user with the schema privileges, the url's user with SELECT"
              + " and EXECUTE on the database and INSERT, UPDATE, DELETE on the application's own"
              + " tables only; then set "
              + target
                  .config()
                  .setting(
                      env,
                      "deploy-url",
                      "${"
                          + env.toUpperCase(Locale.ROOT).replace('-', '_')
                          + "_DEPLOY_DATABASE_URL}")
              + " in prodguard.yml through review"
              + " (docs/g6-direct-migration.md)");
    }
    SchemaGrants.Found found;
    try (Target.Checked app = target.openEnvironmentCredential()) {
      found = DatabaseGuards.credential(app.connection(), d, engine.historyTable()).orElseThrow();
    }
    requireUnable(found, env, what, "");
    List<SchemaGrants.Found> namesakes;
    try {
      namesakes = DatabaseGuards.namesakes(c, d, engine.historyTable(), found.account());
    } catch (SchemaGrants.Unreadable e) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "the credential of '"
              + env
              + "''s url is "
              + found.account()
              + "; the same user name at another host is another account, with privileges of its"
              + " own, that a connection from that host logs in as, and the deploy credential"
              + " cannot list those accounts or read their grants ("
              + e.getMessage()
              + "), so the role split cannot be checked",
          "let the deploy-url's user read the account tables: "
              + e.grant()
              + " (docs/g6-direct-migration.md#mysqlmariadb-the-role-split)");
    }
    for (SchemaGrants.Found other : namesakes) {
      requireUnable(
          other,
          env,
          what,
          " (the same user as the url's "
              + found.account()
              + " at another host, which a connection from that host logs in as)");
    }
  }

  /** Refuses when {@code found} can change the schema or write prodguard's or the history table. */
  private void requireUnable(SchemaGrants.Found found, String env, String what, String namesake) {
    if (found.canChangeSchema()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          (namesake.isEmpty() ? "the credential of '" + env + "''s url, " : "the account ")
              + found.account()
              + namesake
              + ", can change the schema: "
              + String.join("; ", found.schemaChanging())
              + ". Applications and anyone running Flyway by hand use it, and MySQL/MariaDB have"
              + " no DDL trigger to stop them",
          "take those privileges from "
              + found.account()
              + " (REVOKE; keep SELECT and EXECUTE on the database): only the deploy-url's"
              + " user may change the schema");
    }
    if (found.canWriteGuarded()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          (namesake.isEmpty() ? "the credential of '" + env + "''s url, " : "the account ")
              + found.account()
              + namesake
              + ", can write prodguard's tables or the migration history table: "
              + String.join("; ", found.guardedWrites())
              + ". With it an application or a person could switch protection off in"
              + " prodguard_guard_config or forge an approved deploy session, and MySQL/MariaDB"
              + " privileges only add up, so a table-level REVOKE cannot take a database-level"
              + " grant back",
          "grant "
              + found.account()
              + " SELECT and EXECUTE on the database and INSERT, UPDATE, DELETE table by table on"
              + " the application's own tables, never on the database (*) or on prodguard_* and"
              + " the history table (docs/g6-direct-migration.md#mysqlmariadb-the-role-split)");
    }
  }

  Run select(RunStore store, String env, Optional<String> runId, String what, String step)
      throws SQLException {
    Optional<Run> run = runId.isPresent() ? store.find(runId.get()) : store.latest(env);
    if (run.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          runId.isPresent()
              ? "there is no run " + runId.get() + " in '" + env + "'"
              : ("deploy".equals(step) ? "deployment fails without verification state: " : "")
                  + "no verification is recorded for '"
                  + env
                  + "'; "
                  + step
                  + " requires a run that verify recorded",
          "prodguard verify "
              + config.address(env)
              + (step.equals("deploy") ? ", then backup, then deploy" : ""));
    }
    if (!run.get().environment().equals(env)) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "run " + run.get().id() + " belongs to environment '" + run.get().environment() + "'",
          "name a run of '" + env + "', or none to use the latest");
    }
    return run.get();
  }

  GuardRefusal notOpen(Run run, String what, String env) {
    String why =
        switch (run.status()) {
          case DEPLOYED ->
              "run "
                  + run.id()
                  + " was already deployed"
                  + run.finishedAt().map(t -> " at " + t).orElse("")
                  + "; a run is single use";
          case DEPLOYING -> "run " + run.id() + " is being deployed right now";
          case FAILED ->
              "run " + run.id() + " failed" + run.failure().map(f -> ": " + f).orElse("");
          case EXPIRED ->
              "run " + run.id() + " expired" + run.failure().map(f -> " (" + f + ")").orElse("");
          default -> "run " + run.id() + " is " + run.status().db();
        };
    return new GuardRefusal(
        Guarantee.G7,
        what,
        why,
        "for new migrations start a new run: prodguard verify "
            + config.address(env)
            + ", prodguard backup "
            + config.address(env)
            + ", prodguard deploy "
            + config.address(env));
  }

  void requireLiveVerification(RunStore store, Run run, Instant now, String what, String env)
      throws SQLException {
    if (!now.isBefore(run.verificationExpiresAt())) {
      store.markExpired(
          run.id(), run.status(), "verification expired at " + run.verificationExpiresAt(), now);
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the verification of run "
              + run.id()
              + " expired at "
              + run.verificationExpiresAt()
              + " (pipeline.verification-ttl "
              + config.pipeline().verificationTtl().toMinutes()
              + "m)",
          "start over: prodguard verify "
              + config.address(env)
              + " && prodguard backup "
              + config.address(env)
              + " && prodguard deploy "
              + config.address(env));
    }
  }

  void requireSameSet(Run run, MigrationSet set, String what, String env) {
    if (!set.sha256().equals(run.migrationSetSha256())) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the pending migrations are not the set run "
              + run.id()
              + " verified (recorded sha256 "
              + run.migrationSetSha256()
              + ", now "
              + set.sha256()
              + "): since verify a migration or callback file was changed, added or removed, a"
              + " script configuration (.sql.conf) changed, or a placeholder value"
              + " (migrations.placeholders, or the environment variable it reads) differs; or the"
              + " state row was edited. Pending now: "
              + (set.isEmpty() ? "none" : String.join(", ", set.names().strip().split("\n"))),
          "verify and back up this exact set again: prodguard verify "
              + config.address(env)
              + " && prodguard backup "
              + config.address(env)
              + " && prodguard deploy "
              + config.address(env));
    }
  }

  void requireSameContractAndCommit(Run run, String what, String env) {
    Optional<String> contract = ContractHashAnalyzer.contractSha256(config);
    if (!contract.equals(run.contractSha256())) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the contract "
              + config.contract().getFileName()
              + " changed since run "
              + run.id()
              + " was verified (recorded "
              + run.contractSha256().orElse("absent")
              + ", now "
              + contract.orElse("absent")
              + ")",
          "verify again under the current contract: prodguard verify " + config.address(env));
    }
    Optional<String> commit = s.commit();
    if (commit.isPresent() && run.commit().isPresent() && !commit.equals(run.commit())) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "run "
              + run.id()
              + " was verified at commit "
              + run.commit().get()
              + ", this is commit "
              + commit.get(),
          "run verify, backup and deploy from the same pipeline: prodguard verify "
              + config.address(env));
    }
  }

  /**
   * G7 ({@link KillBounds}): refuses while a run of {@code env} whose deploy died inside a
   * migration no transaction bounds is not settled by {@code prodguard repair}. {@code pendingNow}:
   * the pending set when the step has read it (else read here, only when a dead run needs it).
   */
  void refuseUnsettled(
      RunStore store,
      Target target,
      MigrationFiles files,
      String env,
      String what,
      Optional<List<PendingMigration>> pendingNow)
      throws SQLException {
    List<KillBounds.Unsettled> u = unsettled(store, target, files, env, pendingNow);
    if (!u.isEmpty()) {
      throw KillBounds.refusal(u.get(0), what, config.address(env));
    }
  }

  void refuseUnsettled(RunStore store, Target target, MigrationFiles files, String env, String what)
      throws SQLException {
    refuseUnsettled(store, target, files, env, what, Optional.empty());
  }

  /** The unsettled runs of {@code env} ({@link KillBounds#unsettled}), newest first. */
  List<KillBounds.Unsettled> unsettled(
      RunStore store,
      Target target,
      MigrationFiles files,
      String env,
      Optional<List<PendingMigration>> pendingNow)
      throws SQLException {
    if (KillBounds.died(store, env).isEmpty()) {
      return List.of();
    }
    java.util.Set<String> pending = new java.util.HashSet<>();
    for (PendingMigration p :
        pendingNow.isPresent() ? pendingNow.get() : engine.pending(files, s.reading(target))) {
      pending.add(p.file().relativePath());
    }
    return KillBounds.unsettled(
        store, env, script -> files.find(script).isPresent() && !pending.contains(script));
  }

  /** Marks 'deploying' runs whose lock session is gone as failed (not holding the lock). */
  List<Run> reapStale(Target target, Connection c, DatabaseSupport d, RunStore store)
      throws SQLException {
    // Runs first, holder second: a deploy that starts in between already holds the lock.
    List<Run> deploying = store.withStatus(RunStatus.DEPLOYING);
    if (deploying.isEmpty()) {
      return List.of();
    }
    Optional<String> holder = DeployLock.holder(c, d);
    List<Run> reaped = new ArrayList<>();
    for (Run r : deploying) {
      if (holder.isEmpty() || !holder.equals(r.deploySession())) {
        if (store.markStale(r.id(), r.deploySession(), staleMessage(r, target), s.now())) {
          reaped.add(r);
        }
      }
    }
    return reaped;
  }

  /**
   * The reviewed way forward for each kind of history problem the engine reports (never the
   * migration tool's own "run repair", which the history guard refuses, G6): a failed row is
   * removed by {@code prodguard repair} from CI (failed rows are never reviewable in the contract);
   * an applied migration edited since gets its deployed bytes back (a checksum change has no
   * reviewed entry); a deleted, skipped or newer one is one version of the contract's history.
   */
  static String historyFix(
      List<String> problems, Target target, List<MigrationEngine.HistoryFact> facts) {
    List<String> ways = new ArrayList<>();
    String all = String.join("\n", problems).toLowerCase(java.util.Locale.ROOT);
    boolean failed = all.contains("detected failed");
    boolean checksum = all.contains("checksum mismatch");
    boolean other =
        problems.stream()
            .map(p -> p.toLowerCase(java.util.Locale.ROOT))
            .anyMatch(p -> !p.contains("detected failed") && !p.contains("checksum mismatch"));
    if (failed) {
      ways.add(
          "a failed migration: remove what it left (the deploy's failure message and 'prodguard"
              + " status "
              + target.config().address(target.name())
              + "' say what), fix its file, then run 'prodguard repair "
              + target.config().address(target.name())
              + " --reason \"...\"' from CI (docs/pipeline.md, repairing a history), which removes"
              + " only the failed row; a failed row is never reviewable in the contract's history");
    }
    if (checksum) {
      ways.add(
          "an applied migration edited since it ran (checksum): restore that file exactly as it"
              + " was deployed (the bytes of the release that applied it) and put the change in a"
              + " new migration; prodguard has no reviewed entry for a changed checksum and its"
              + " repair removes failed rows only");
    }
    if (other) {
      List<String> versions = irregularVersions(problems);
      if (versions.isEmpty()) {
        versions = List.of("VERSION");
      }
      for (String v : versions) {
        ways.add(reviewWay(v, facts, target));
      }
    }
    return ways.size() == 1 ? ways.get(0) : "- " + String.join("\n- ", ways);
  }

  /**
   * The history as the engine reads it, for the advice only: an engine or target that cannot tell
   * answers nothing, and the advice then names no state.
   */
  private List<MigrationEngine.HistoryFact> irregularFacts(
      MigrationFiles files, DataSource reading) {
    try {
      return engine.irregularHistory(files, reading);
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /**
   * The reviewed way forward for one irregular version, in the state the engine reads it in ({@code
   * facts}, Flyway's {@code MigrationInfo} state): an entry in another state would match nothing
   * (lint refuses a {@code missing} entry whose file is there). Unknown state: the entry's state is
   * left for the reader to fill in from 'prodguard status'.
   */
  static String reviewWay(String version, List<MigrationEngine.HistoryFact> facts, Target target) {
    Optional<dev.prodguard.contract.Contract.HistoryState> state =
        facts.stream()
            .filter(f -> sameVersion(f.version(), version))
            .map(MigrationEngine.HistoryFact::state)
            .findFirst();
    String entry =
        "{ version: \""
            + version
            + "\", state: "
            + state.map(dev.prodguard.contract.Contract.HistoryState::id).orElse("STATE")
            + ", reason: \"...\" }";
    String env = "'" + target.name() + "'";
    if (state.isEmpty()) {
      return "V"
          + version
          + ": an applied migration deleted since it ran (state missing), a file below the"
          + " applied versions (ignored) or one applied by a newer release (future), as 'prodguard"
          + " status "
          + target.config().address(target.name())
          + "' shows: review that one version in the contract's history, e.g. "
          + entry
          + " (docs/contract.md#history); otherwise restore its file exactly as deployed";
    }
    return switch (state.get()) {
      case IGNORED ->
          "V"
              + version
              + " is a migration file below the versions "
              + env
              + " has applied (Flyway: ignored). prodguard never runs a migration out of order"
              + " (even where the application's own Flyway sets outOfOrder(true)), so V"
              + version
              + " will not run on "
              + env
              + ": if its change is not needed there (or was made another way), review that one"
              + " version in the contract's history, "
              + entry
              + " (docs/contract.md#history); if it must run, put its change in a new migration"
              + " above the applied versions";
      case MISSING ->
          "V"
              + version
              + " was applied to "
              + env
              + " and its file deleted since (Flyway: missing): if on purpose, review that one"
              + " version in the contract's history, "
              + entry
              + " (docs/contract.md#history); otherwise restore its file exactly as deployed";
      case FUTURE ->
          "V"
              + version
              + " was applied to "
              + env
              + " and no file of it is here, above every version these files hold (Flyway:"
              + " future): a newer release applied it, or its file was deleted since. If these"
              + " files are meant (a release rolled back, a migration removed on purpose), review"
              + " that one version in the contract's history, "
              + entry
              + " (docs/contract.md#history); otherwise deploy from the newer release or restore"
              + " its file exactly as deployed";
      case BASELINE ->
          "the history of "
              + env
              + " starts with a baseline at V"
              + version
              + ": review it in the contract's history, "
              + entry
              + " (docs/contract.md#history)";
    };
  }

  private static boolean sameVersion(String a, String b) {
    Optional<dev.prodguard.contract.MigrationId> x =
        dev.prodguard.contract.MigrationId.parse("V" + a.replace('_', '.'));
    Optional<dev.prodguard.contract.MigrationId> y =
        dev.prodguard.contract.MigrationId.parse("V" + b.replace('_', '.'));
    return x.isPresent()
        && y.isPresent()
        && dev.prodguard.contract.MigrationId.compareVersions(x.get().version(), y.get().version())
            == 0;
  }

  /**
   * The versions the irregular-history problems name, in order, each once (the engine labels each
   * {@code V3 description: ...}); empty when none names one.
   */
  static List<String> irregularVersions(List<String> problems) {
    java.util.regex.Pattern version =
        java.util.regex.Pattern.compile("^V([0-9]+(?:[._][0-9]+)*)(?=[ :])");
    List<String> out = new ArrayList<>();
    for (String p : problems) {
      String l = p.toLowerCase(java.util.Locale.ROOT);
      if (l.contains("detected failed") || l.contains("checksum mismatch")) {
        continue;
      }
      java.util.regex.Matcher m = version.matcher(p);
      if (m.find() && !out.contains(m.group(1))) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  String staleMessage(Run r, Target target) {
    String head =
        "the deploy process ended without finishing (killed, crashed or disconnected; its"
            + " lock session "
            + r.deploySession().orElse("?")
            + " is gone). ";
    String next = "Then: " + Results.startOver(target.environment().isProtected(), r.environment());
    if (rolledBackWhole(r, target)) {
      return head
          + "Nothing of the migration it was running remains: every migration and callback of the"
          + " run runs in one transaction, which the server rolled back when the session died;"
          + " those that finished before are in "
          + engine.historyTable().orElse("the migration history")
          + " and stay. No restore is needed"
          + r.backup().map(b -> " (the run's backup stays: " + b.path() + ")").orElse("")
          + ". "
          + next;
    }
    return head
        + "The database may be partially migrated: check "
        + engine.historyTable().orElse("the migration history")
        + "; if it is inconsistent, "
        + r.backupNote()
        + ". "
        + next;
  }

  /**
   * Nothing of a dead run's unfinished migration can remain: the server's DDL is transactional and
   * every migration and callback of the run runs in one transaction (as the engine decides: the
   * script configuration, else whether every statement can), judged on this snapshot's files only
   * when they are exactly the run's (its migration set hash). Anything unknown answers false, and
   * the message then advises checking and the backup.
   */
  private boolean rolledBackWhole(Run r, Target target) {
    if (!target.dialect().transactionalDdl()) {
      return false;
    }
    try {
      MigrationFiles files = s.files();
      DatabaseKind kind = target.dialect().kind();
      List<PendingMigration> pending = new ArrayList<>();
      for (String name : r.migrations().split("\n")) {
        if (!name.isEmpty()) {
          Optional<MigrationFile> f = files.find(name);
          if (f.isEmpty()) {
            return false;
          }
          pending.add(new PendingMigration(Optional.empty(), "", f.get()));
        }
      }
      List<MigrationFile> callbacks = engine.discover(files, kind).callbacks();
      if (pending.isEmpty()
          || !MigrationSet.of(pending, callbacks, files).sha256().equals(r.migrationSetSha256())) {
        return false;
      }
      List<MigrationFile> run = new ArrayList<>(callbacks);
      pending.forEach(p -> run.add(p.file()));
      for (MigrationFile f : run) {
        EngineStatements es = engine.statements(files, f, kind);
        boolean each = es.statements().stream().allMatch(EngineStatements.Statement::transactional);
        if (es.failure().isPresent() || !es.executeInTransaction().orElse(each)) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Refuses while another session holds the deploy lock; a promote's own lock (held by this process
   * for its whole run) is not another's.
   */
  void refuseWhileLocked(Connection c, DatabaseSupport d, RunStore store, String env, String what)
      throws SQLException {
    Optional<String> holder = DeployLock.holder(c, d);
    if (holder.isPresent() && !holder.equals(s.promoteLock)) {
      throw lockHeld(c, d, store, env, what);
    }
    if (s.promoteLock.isPresent() && !holder.equals(s.promoteLock)) {
      throw promoteLockLost(env, what);
    }
  }

  /** The deploy lock as a step holds it: its own, or the promote's this process already holds. */
  record Held(String session, boolean own) {}

  /**
   * G8: takes the deploy lock for a step on {@code c}, or, inside a promote, checks that the
   * promote still holds it (it was taken before verify). Refuses when another session holds it.
   */
  Held lock(Connection c, DatabaseSupport d, RunStore store, String env, String what)
      throws SQLException {
    if (s.promoteLock.isPresent()) {
      if (!DeployLock.holder(c, d).equals(s.promoteLock)) {
        throw promoteLockLost(env, what);
      }
      return new Held(s.promoteLock.get(), false);
    }
    String session = DeployLock.sessionId(c, d);
    if (!DeployLock.tryAcquire(c, d)) {
      throw lockHeld(c, d, store, env, what);
    }
    return new Held(session, true);
  }

  /**
   * G8, before anything else on the control connection {@code c}: the URL keeps a database session.
   * The deploy lock is a session-level lock and the sessions approved for a deploy (G6) are server
   * sessions; a pooler in transaction mode (PgBouncer) hands them to other clients between
   * transactions, so locks would be held by, and approvals granted to, sessions prodguard no longer
   * has. Probed with a second connection ({@link
   * dev.prodguard.support.DeploySessions#sessionNotKept}); refused naming the pooler and the fix.
   */
  void requireSessionKept(Target target, Connection c, String what) throws SQLException {
    requireSessionKept(target, c, what, TargetDataSource.reading(target));
  }

  /**
   * {@link #requireSessionKept(Target, Connection, String)}, the second connection from {@code
   * probe}.
   */
  void requireSessionKept(Target target, Connection c, String what, DataSource probe)
      throws SQLException {
    if (s.promoteLock.isPresent() || !c.getAutoCommit()) {
      // promote probed once before its lock; a connection in a transaction cannot tell
      return;
    }
    Optional<String> seen;
    try (Connection b = probe.getConnection()) {
      seen = target.dialect().sessionNotKept(c, b);
    }
    if (seen.isPresent()) {
      String env = target.name();
      throw new GuardRefusal(
          Guarantee.G8,
          what,
          "the URL prodguard deploys '"
              + env
              + "' with does not keep a database session: "
              + seen.get()
              + ". The deploy lock is a session-level lock and the sessions approved for a deploy"
              + " are server sessions: through this pooler they would be held by, or granted to,"
              + " sessions that other clients use next, and the pipeline's own steps would"
              + " refuse each other",
          "give the pipeline a direct URL to the server, or one through a session-pooled port"
              + " (PgBouncer pool_mode = session): set "
              + target
                  .config()
                  .setting(
                      env,
                      "deploy-url",
                      "${"
                          + env.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                          + "_DEPLOY_DATABASE_URL}")
              + " in prodguard.yml (applications may keep the pooled url)");
    }
  }

  /**
   * G8 for {@code promote}: takes the deploy lock on {@code c} (a connection of its own, held until
   * the promote ends) before verify, so that no other pipeline supersedes this promote's run or
   * takes the lock between its steps; returns the session that holds it. Refused, and audited,
   * naming the run of whoever holds it.
   */
  String promoteLock(Connection c, Target target, String env, String what, DataSource probe)
      throws SQLException {
    DatabaseSupport d = target.dialect();
    try {
      requireSessionKept(target, c, what, probe);
      dev.prodguard.guard.PipelineSchema.ensure(c, d);
      RunStore store = new RunStore(c, d);
      reapStale(target, c, d, store);
      String session = DeployLock.sessionId(c, d);
      if (!DeployLock.tryAcquire(c, d)) {
        throw lockHeld(c, d, store, env, what);
      }
      return session;
    } catch (GuardRefusal r) {
      throw trail.auditRefusal(c, target, "promote", r);
    }
  }

  /** Releases a lock the step took itself; a promote's lock stays held until the promote ends. */
  static void release(Connection c, DatabaseSupport d, Held held) {
    if (held.own()) {
      releaseQuietly(c, d);
    }
  }

  private GuardRefusal promoteLockLost(String env, String what) {
    return new GuardRefusal(
        Guarantee.G8,
        what,
        "this promote no longer holds the deploy lock of '"
            + env
            + "' it took before verify (its connection "
            + s.promoteLock.orElse("?")
            + " ended): another pipeline may be running",
        "start over: prodguard promote "
            + config.address(env)
            + " (prodguard status "
            + config.address(env)
            + " shows the holder)");
  }

  /** How long a refused step waits for a promote that holds the lock to record its run. */
  static final java.time.Duration HOLDER_RUN_WAIT = java.time.Duration.ofSeconds(30);

  GuardRefusal lockHeld(Connection c, DatabaseSupport d, RunStore store, String env, String what)
      throws SQLException {
    Optional<String> holder = DeployLock.holder(c, d);
    Optional<Run> run = holderRun(store, holder);
    // A promote holds the lock from before its verify records the run: wait briefly to name it.
    long deadline = System.nanoTime() + HOLDER_RUN_WAIT.toNanos();
    while (run.isEmpty() && holder.isPresent() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      Optional<String> now = DeployLock.holder(c, d);
      if (!now.equals(holder)) {
        break;
      }
      run = holderRun(store, holder);
    }
    String why =
        run.map(r -> holding(r, env, holder))
            .orElse(
                "the deploy lock of '"
                    + env
                    + "' is held by session "
                    + holder.orElse("(released just now)")
                    + " (a backup, a promote, or a deploy that is starting)");
    return new GuardRefusal(
        Guarantee.G8,
        what,
        why,
        "wait until it ends (prodguard status "
            + config.address(env)
            + " shows the holder); a deploy that dies releases the lock with its connection");
  }

  private static String holding(Run r, String env, Optional<String> holder) {
    if (r.status() == RunStatus.DEPLOYING) {
      return "another deploy of '"
          + env
          + "' is in progress: run "
          + r.id()
          + " by "
          + r.ciSubject()
          + " since "
          + r.deployStartedAt().map(Instant::toString).orElse("?")
          + " (session "
          + holder.orElse("?")
          + ")";
    }
    return "another pipeline of '"
        + env
        + "' holds the deploy lock: run "
        + r.id()
        + " ("
        + r.status().db()
        + ", verified at "
        + r.verifiedAt()
        + " by "
        + r.ciSubject()
        + "; session "
        + holder.orElse("?")
        + ") is being promoted or backed up";
  }

  /**
   * The run whose step holds the deploy lock: a deploying run owns it; a promote (from before its
   * backup) or a backup records its lock session on its open run as well.
   */
  static Optional<Run> holderRun(RunStore store, Optional<String> holder) throws SQLException {
    if (holder.isEmpty()) {
      return Optional.empty();
    }
    Optional<Run> deploying =
        store.withStatus(RunStatus.DEPLOYING).stream()
            .filter(r -> holder.equals(r.deploySession()))
            .findFirst();
    if (deploying.isPresent()) {
      return deploying;
    }
    return store.openHeldBy(holder.get());
  }

  static void releaseQuietly(Connection c, DatabaseSupport d) {
    try {
      if (!c.isClosed()) {
        DeployLock.release(c, d);
      }
    } catch (SQLException e) {
      // closing the connection releases it anyway
    }
  }
}
