package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Adoption;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.lint.History;
import dev.prodguard.lint.LintOnce;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import dev.prodguard.lint.rules.Rules;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.ForeignKey;
import dev.prodguard.support.TableDependency;
import dev.prodguard.support.TableParent;
import dev.prodguard.support.TableTrigger;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * G4 in {@code verify}: what the deploy will run, the pending migrations and the callbacks the
 * engine runs around them (prodguard's own guard artifact aside, while it is exactly as written),
 * is linted against the contract with the dialect of the target's resolved URL and its protection,
 * and checked against the statements the engine will send for each file; the other migrations of
 * the snapshot (those already applied) are read for the routines they define, so a call is judged
 * by the body it runs. Everything comes from the one snapshot the engine discovered: the bytes
 * analysed are the bytes hashed and deployed. Only when prodguard.yml names no contract and the
 * default file does not exist do the default rules apply (the contract hash is then recorded as
 * absent); a contract that cannot be read is a configuration error.
 */
public final class ContractLintAnalyzer implements MigrationAnalyzer {
  private final MigrationEngine engine;

  public ContractLintAnalyzer(MigrationEngine engine) {
    this.engine = java.util.Objects.requireNonNull(engine);
  }

  @Override
  public Analysis analyse(MigrationSet set, MigrationSources sources, Target target) {
    ProdguardConfig config = target.config();
    Optional<Contract> loaded = ContractLoader.forConfig(config);
    Optional<String> sha = loaded.map(Contract::sha256);
    Contract contract =
        loaded.orElseGet(
            () ->
                ContractLoader.parse(
                    config.contract(), "version: 1\n".getBytes(StandardCharsets.UTF_8)));
    Set<MigrationFile> run = new HashSet<>();
    List<MigrationSource> linted = new ArrayList<>();
    List<MigrationSource> history = history(set, sources, contract, target);
    for (PendingMigration p : set.pending()) {
      run.add(p.file());
      MigrationSource s = source(sources, p.file());
      if (!history.contains(s)) {
        linted.add(s);
      }
    }
    for (MigrationFile c : set.callbacks()) {
      run.add(c);
      MigrationSource s = source(sources, c);
      if (s.role().analysed()) {
        linted.add(s);
      }
    }
    for (MigrationSource s : sources.all()) {
      if (s.role() == MigrationSource.Role.REFUSED_NAME) {
        linted.add(s); // the engine stops the deploy on it
      }
    }
    Optional<List<BigInteger>> freshBaseline = pendingBaseline(set, sources);
    List<MigrationSource> applied =
        sources.analysed().stream()
            .filter(s -> s.role().migration() && (!run.contains(s.file()) || history.contains(s)))
            .filter(s -> !skippedByEngine(s, run, freshBaseline))
            .toList();
    DatabaseKind kind = target.dialect().kind();
    List<String> refusals = new ArrayList<>();
    List<ForeignKey> keys = List.of();
    List<TableDependency> dependencies = List.of();
    List<TableParent> parents = List.of();
    List<TableTrigger> triggers = List.of();
    List<dev.prodguard.support.StoredRoutine> stored = List.of();
    List<dev.prodguard.support.UserOperator> operators = List.of();
    if (!contract.protectedTables().isEmpty()) {
      try (Target.Checked c = target.open()) {
        keys = target.dialect().foreignKeys(c.connection());
        dependencies = target.dialect().tableDependencies(c.connection());
        parents = target.dialect().tableParents(c.connection());
        triggers = target.dialect().tableTriggers(c.connection());
        stored = target.dialect().storedRoutines(c.connection());
        operators = target.dialect().userOperators(c.connection());
      } catch (SQLException e) {
        // fail closed: without the keys a cascade into a protected table cannot be ruled out
        refusals.add(
            "cannot read the foreign keys, dependencies and triggers of '"
                + target.name()
                + "' to see which writes cascade into protected tables, change what they depend"
                + " on, reach their partitions or fire triggers that write them: "
                + e.getMessage());
      }
    }
    // G4: the analysis reads statements in the server's default reading; a target whose session
    // reads them otherwise (MariaDB's sql_mode ANSI_QUOTES, ...) is refused (attacker 22/05, 06)
    try (Target.Checked c = target.open()) {
      target
          .dialect()
          .readingDifference(c.connection())
          .ifPresent(
              d ->
                  refusals.add(
                      d
                          + ": the server reads the migrations' statements otherwise than"
                          + " prodguard's analysis (quotes, names, escapes), so what lint judged"
                          + " is not what would run\n  fix: set it back to the server's default"
                          + " for the deploying user and database, then verify again"));
    } catch (SQLException e) {
      refusals.add(
          "cannot read the settings of '"
              + target.name()
              + "' that decide how its server reads the migrations: "
              + e.getMessage());
    }
    // without catalog facts, the same lint as trace's judgement beside it: made once (LintOnce)
    LintReport report =
        keys.isEmpty()
                && dependencies.isEmpty()
                && parents.isEmpty()
                && triggers.isEmpty()
                && stored.isEmpty()
                && operators.isEmpty()
            ? LintOnce.lint(
                kind,
                engine,
                sources.files(),
                linted,
                applied,
                contract,
                target.environment().isProtected(),
                false)
            : Linter.forEngine(kind, engine, sources.files())
                .foreignKeys(keys)
                .tableDependencies(dependencies)
                .tableParents(parents)
                .tableTriggers(triggers)
                .storedRoutines(stored)
                .userOperators(operators)
                .lint(linted, applied, contract, target.environment().isProtected(), false);
    // pending migrations within the baseline that are judged here: the target is behind it
    java.util.Map<String, String> behindBaseline = new java.util.HashMap<>();
    contract
        .adoption()
        .baselineIfAny()
        .ifPresent(
            b ->
                linted.stream()
                    .filter(s -> History.isHistory(s, b))
                    .forEach(s -> behindBaseline.put(s.shown(), s.id().orElseThrow().toString())));
    List<String> failures = new ArrayList<>();
    for (Finding f : report.blocking()) {
      String line =
          f.file() + ":" + f.line() + ": [" + f.rule() + "] " + f.message().replace("\n", " ");
      if (f.rule().equals(Rules.DEPLOY_WILL_FAIL.id())) {
        failures.add(line + "\n  fix: " + f.recipe());
      } else if (behindBaseline.containsKey(f.file())) {
        // history judged on a target behind the baseline: it ran elsewhere, so it is not edited
        refusals.add(
            line
                + "\n  fix: "
                + behindBaseline.get(f.file())
                + " is history under the contract's baseline, judged here because '"
                + target.name()
                + "' got its history another way and does not hold it yet; a migration that ran"
                + " elsewhere is not edited: after review, cover the finding in the contract with"
                + " exceptions: - { migration: "
                + behindBaseline.get(f.file())
                + ", rule: "
                + f.rule()
                + ", reason: \"...\" }");
      } else if (f.rule().equals(Rules.EVERY_MIGRATE_CALLBACK_DDL.id())
          || f.rule().equals(dev.prodguard.lint.rules.EveryMigrateCallbackWriteRule.INFO.id())
          || f.rule().equals(dev.prodguard.lint.rules.ErrorCallbackChangeRule.INFO.id())
          || f.rule().equals(dev.prodguard.lint.rules.CallbackPlaceholderRule.INFO.id())) {
        refusals.add(line + "\n  fix: " + f.recipe());
      } else {
        refusals.add(line);
      }
    }
    if (!history.isEmpty()) {
      // The history is replayed onto this target: what will not run as written stops the replay
      // part way (on MariaDB with the DDL before it kept), so it is a failure before any backup.
      LintReport replay =
          Linter.forEngine(kind, engine, sources.files())
              .lint(history, applied, contract, target.environment().isProtected(), false);
      for (Finding f : replay.findings()) {
        if (History.wouldFailAsWritten(f, kind)) {
          failures.add(
              f.file()
                  + ":"
                  + f.line()
                  + ": ["
                  + f.rule()
                  + "] (history up to the contract's baseline, replayed here) "
                  + f.message().replace("\n", " ")
                  + "\n  fix: "
                  + (f.rule().equals(Rules.DEPLOY_WILL_FAIL.id())
                      ? f.recipe()
                      : "MySQL/MariaDB read '--' as a comment only when a space follows: add the"
                          + " space in the file (environments that applied it then see a changed"
                          + " checksum in Flyway's validation)"));
        }
      }
    }
    if (history.isEmpty() && failures.isEmpty()) {
      // G7: what the target's rows make certain to fail (a NOT NULL column without a default on a
      // table that holds rows), before the backup as the file-determined failures are
      List<RowsMakeDeployFail.Script> before = new ArrayList<>();
      for (MigrationFile c : set.callbacks()) {
        MigrationSource s = source(sources, c);
        if (s.role() != MigrationSource.Role.GUARD_ARTIFACT) { // prodguard's own, as written
          before.add(script(sources, s));
        }
      }
      List<RowsMakeDeployFail.Script> pending = new ArrayList<>();
      for (PendingMigration p : set.pending()) {
        pending.add(script(sources, source(sources, p.file())));
      }
      failures.addAll(RowsMakeDeployFail.failures(kind, before, pending, target));
    }
    List<Finding> covered = report.findings().stream().filter(Finding::covered).toList();
    return new Analysis(refusals, sha, failures, covered, Optional.empty());
  }

  /**
   * The pending migrations the contract's baseline makes history: those at or below the baseline,
   * only while the baseline's own migration is pending too (a target receiving the reviewed
   * history), and only when the target has none of the history yet (a new environment) or prodguard
   * itself was replaying the history onto it: every migration at or below the baseline that the
   * target holds, and every one still pending, was in the migration set of a deploy that began on
   * this environment with the baseline's own migration pending (a first deploy that stopped part
   * way); a pending file that was not in such a set was added since and is judged. On a target
   * where any history came another way (a production that ran it before the contract), a pending
   * migration at or below the baseline is new to it (added afterwards, or a baseline moved up over
   * it) and is judged like any other; so is a file added since the replay began. When the runs
   * cannot be read, everything is judged (fail closed).
   */
  private static List<MigrationSource> history(
      MigrationSet set, MigrationSources sources, Contract contract, Target target) {
    Optional<Adoption.Baseline> baseline = contract.adoption().baselineIfAny();
    if (baseline.isEmpty()) {
      return List.of();
    }
    // G4: only the reviewed history is exempt (baseline.sha256), checked on every target
    History.requireReviewed(baseline.get(), sources.analysed(), sources.files());
    List<MigrationSource> pending =
        set.pending().stream().map(p -> source(sources, p.file())).toList();
    Optional<MigrationSource> own =
        pending.stream()
            .filter(
                s ->
                    s.id()
                        .filter(
                            id ->
                                id.kind() == MigrationId.Kind.VERSIONED
                                    || id.kind() == MigrationId.Kind.BASELINE)
                        .filter(
                            id ->
                                MigrationId.compareVersions(
                                        id.version(), baseline.get().version().version())
                                    == 0)
                        .isPresent())
            .findFirst();
    if (own.isEmpty()) {
      return List.of();
    }
    List<MigrationSource> pendingHistory =
        pending.stream().filter(s -> History.isHistory(s, baseline.get())).toList();
    // A pending baseline migration means a target without any history (the engine applies one
    // only there); the versioned migrations below it are skipped there, not applied.
    if (pendingBaseline(set, sources).isPresent()) {
      return pendingHistory;
    }
    Set<MigrationFile> pendingFiles = new HashSet<>();
    set.pending().forEach(p -> pendingFiles.add(p.file()));
    List<MigrationSource> appliedHistory =
        sources.analysed().stream()
            .filter(s -> s.role().migration())
            .filter(s -> History.isHistory(s, baseline.get()))
            .filter(s -> !pendingFiles.contains(s.file()))
            .filter(s -> s.id().filter(id -> id.kind() == MigrationId.Kind.VERSIONED).isPresent())
            .toList();
    if (appliedHistory.isEmpty()) {
      return pendingHistory; // a new environment
    }
    Set<String> replayed = new HashSet<>();
    try (Target.Checked c = target.open()) {
      RunStore runs = new RunStore(c.connection(), target.dialect());
      if (runs.exists()) {
        for (Run r : runs.deployStarted(target.name())) {
          List<String> names = List.of(r.migrations().split("\n"));
          if (names.contains(own.get().file().relativePath())) {
            replayed.addAll(names);
          }
        }
      }
    } catch (SQLException e) {
      return List.of(); // fail closed: judged
    }
    // The target's history came from prodguard's replay; of the pending ones, a file that was not
    // in it was added since (judged).
    boolean replaying =
        appliedHistory.stream().allMatch(s -> replayed.contains(s.file().relativePath()));
    return replaying
        ? pendingHistory.stream().filter(s -> replayed.contains(s.file().relativePath())).toList()
        : List.of();
  }

  /**
   * The version of the pending baseline migration (Flyway's {@code B5__x.sql}), if one is pending:
   * the target has no history, and the engine applies it instead of the versioned migrations at or
   * below its version.
   */
  private static Optional<List<BigInteger>> pendingBaseline(
      MigrationSet set, MigrationSources sources) {
    return set.pending().stream()
        .map(p -> source(sources, p.file()))
        .filter(s -> s.role() == MigrationSource.Role.BASELINE)
        .map(s -> s.id().orElseThrow().version())
        .findFirst();
  }

  /**
   * A migration the engine neither ran nor runs on this target, so no part of its schema: a
   * baseline migration not pending (a target with history ignores it), and on a fresh target the
   * versioned and undo migrations at or below the pending baseline migration.
   */
  private static boolean skippedByEngine(
      MigrationSource s, Set<MigrationFile> run, Optional<List<BigInteger>> freshBaseline) {
    if (s.role() == MigrationSource.Role.BASELINE) {
      return !run.contains(s.file());
    }
    return freshBaseline.isPresent()
        && s.role() != MigrationSource.Role.REPEATABLE
        && !run.contains(s.file())
        && s.id()
            .map(id -> MigrationId.compareVersions(id.version(), freshBaseline.get()) <= 0)
            .orElse(false);
  }

  /** The discovered source of a file of the set; the set and the sources are one snapshot. */
  /** A script as the engine hands it to the server; no text where it is not plain, known SQL. */
  private RowsMakeDeployFail.Script script(MigrationSources sources, MigrationSource s) {
    if (!s.role().analysed()) {
      return new RowsMakeDeployFail.Script(s.shown(), Optional.empty());
    }
    dev.prodguard.migration.ScriptText t = engine.text(sources.files(), s.file());
    return new RowsMakeDeployFail.Script(
        s.shown(), t.unknown().isEmpty() ? t.text() : Optional.empty());
  }

  private static MigrationSource source(MigrationSources sources, MigrationFile file) {
    return sources
        .of(file)
        .orElseThrow(
            () ->
                new IllegalStateException(file + " is not in the snapshot the engine discovered"));
  }
}
