package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.guard.GuardStatus;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.pipeline.Results;
import dev.prodguard.pipeline.Run;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard status ENV}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show ENV's fingerprint, pending migrations, runs, lock holder and last deploys.",
      "Also the G6 guards (callback, assert, DDL guard) and open runs' expiry.",
      "Marks runs whose deploy process died as failed."
    })
public final class StatusCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "ENV",
      arity = "0..1",
      description = "environment name (or --fleet NAME)")
  String environment;

  @Mixin FleetOptions fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    FleetCli.usage(spec.commandLine(), environment, fleet);
    PrintWriter out = spec.commandLine().getOut();
    if (fleet.present() && environment == null) {
      return FleetCli.status(common, common.load(), fleet, format.json(), out);
    }
    ProdguardConfig config =
        FleetCli.target(fleet).load(common, environment, false, "status " + environment);
    Results.Status s =
        PipelineSupport.pipeline(common, config, spec.commandLine().getErr()).status(environment);
    if (format.json()) {
      out.println(Json.write(s.toJson()));
      return exitCode(s);
    }
    out.println("environment '" + environment + "'" + (s.isProtected() ? " (protected)" : ""));
    out.println("  fingerprint: " + s.fingerprint() + " (ok)");
    out.println("  server:      " + s.serverIdentity());
    if (!s.validationProblems().isEmpty()) {
      out.println("  validation:  FAILED");
      s.validationProblems().forEach(p -> out.println("    - " + p.replace("\n", "\n      ")));
    }
    printGuards(out, s.guards());
    // the same reading as status --fleet's DRIFT column and verify's G7 drift check
    out.println("  drift (G7):  " + s.drift().shown() + " (" + s.drift().detail() + ")");
    out.println("  pending:     " + (s.pending().isEmpty() ? "none" : s.pending().size()));
    for (PendingMigration p : s.pending()) {
      out.println("    " + p.file().relativePath());
    }
    if (s.lockHolderSession().isPresent()) {
      out.println(
          "  deploy lock: held by session "
              + s.lockHolderSession().get()
              + s.lockHolderRun()
                  .map(
                      r ->
                          ": run "
                              + r.id()
                              + " by "
                              + r.ciSubject()
                              + " since "
                              + r.deployStartedAt().map(Object::toString).orElse("?"))
                  .orElse(" (a backup, or a deploy that is starting)"));
    } else {
      out.println("  deploy lock: free");
    }
    for (Run r : s.markedFailed()) {
      out.println(
          "  marked failed: run "
              + r.id()
              + " (its deploy process died; 'last deploys' says what can remain and what next)");
    }
    for (String u : s.unsettled()) {
      out.println(
          "  unsettled (G7): "
              + u
              + "; verify and deploy refuse until it is checked and settled: prodguard repair "
              + config.address(environment)
              + " --reason \"...\" from CI");
    }
    PipelineSupport.printInvalidIndexes(out, s.invalidIndexes());
    out.println("  open runs:   " + (s.openRuns().isEmpty() ? "none" : ""));
    for (Run r : s.openRuns()) {
      out.println(
          "    "
              + r.id()
              + " "
              + r.status().db()
              + ", "
              + r.migrationCount()
              + " migration(s), expires "
              + r.expiresAt()
              + " ("
              + PipelineSupport.left(s.now(), r.expiresAt())
              + "), by "
              + r.ciSubject());
    }
    out.println("  last deploys:" + (s.lastDeploys().isEmpty() ? " none" : ""));
    for (Run r : s.lastDeploys()) {
      out.println(
          "    "
              + r.id()
              + " "
              + r.status().db()
              + " "
              + r.finishedAt().or(r::deployStartedAt).map(Object::toString).orElse("")
              + ", "
              + r.migrationCount()
              + " migration(s), by "
              + r.ciSubject());
      r.failure().ifPresent(f -> out.println("      " + failureLine(f, r.id())));
    }
    if (s.lastDeploys().stream().anyMatch(r -> r.failure().isPresent())) {
      out.println(
          "    (each failure's full text: prodguard status "
              + config.address(environment)
              + " --format json, last_deploys[].failure)");
    }
    return exitCode(s);
  }

  /** Longest failure line {@code status} prints; the full text is in its JSON. */
  static final int FAILURE_LINE = 160;

  /**
   * One line of a failed run's failure text: its first line, without the leading {@code deploy of
   * run ID to 'ENV' failed: } that the run's own line already says, with the server's error when
   * the line is Flyway's "Failed to execute script", cut at {@link #FAILURE_LINE} characters.
   */
  static String failureLine(String failure, String runId) {
    String first = failure.strip().lines().findFirst().orElse("");
    String prefix = "deploy of run " + runId + " to '";
    if (first.startsWith(prefix)) {
      int colon = first.indexOf("' failed: ", prefix.length());
      if (colon > 0) {
        first = first.substring(colon + "' failed: ".length());
      }
    }
    // Flyway's error block says the server's error only on its "Message :" line
    if (first.startsWith("Failed to execute script")) {
      first =
          first
              + ": "
              + failure
                  .lines()
                  .filter(l -> l.startsWith("Message"))
                  .map(l -> l.substring(l.indexOf(':') + 1).strip())
                  .findFirst()
                  .orElse("");
    }
    boolean more = failure.strip().lines().count() > 1;
    if (first.length() > FAILURE_LINE) {
      return first.substring(0, FAILURE_LINE - 3) + "...";
    }
    return more ? first + " ..." : first;
  }

  /**
   * 1 when the applied migrations do not validate against the files, or a dead deploy is unsettled
   * (what verify would refuse, G7), so that a script or CI step reading status cannot take
   * 'validation: FAILED' for a pass.
   */
  static int exitCode(Results.Status s) {
    return s.validationProblems().isEmpty() && s.unsettled().isEmpty() ? Main.OK : Main.REFUSED;
  }

  /** G6, one line per guard; problems spelled out under them. */
  static void printGuards(PrintWriter out, GuardStatus g) {
    out.println("  guards (G6):");
    for (GuardArtifactFiles.Check a : g.artifacts()) {
      out.println(
          "    callback:  "
              + a.path()
              + " "
              + (a.state() == GuardArtifactFiles.State.OK
                  ? "(ok)"
                  : a.state().label().toUpperCase(Locale.ROOT)));
    }
    out.println(
        "    assert:    prodguard_assert_deploy() "
            + (g.database().assertInstalled() ? "installed" : "MISSING"));
    out.println(
        "    database:  "
            + g.database()
                .databaseProtected()
                .map(p -> p ? "protected" : "not protected")
                .orElse("MISSING prodguard_guard_config"));
    String ddl =
        switch (g.database().ddlGuard()) {
          case INSTALLED -> "installed (event trigger prodguard_ddl_guard)";
          case UNSUPPORTED -> "not available on MySQL/MariaDB (the role split stands in)";
          case DISABLED -> "DISABLED";
          case MISSING -> g.ddlGuardExpected() ? "MISSING" : "not installed (not protected)";
        };
    out.println(
        "    ddl guard: " + ddl + (g.ddlGuardRequired() ? " [guards.require-ddl-trigger]" : ""));
    for (GuardArtifactFiles.Check a : g.artifacts()) {
      for (GuardArtifactFiles.Stale s : a.stale()) {
        out.println("    stale:     " + s.path() + " STALE");
      }
    }
    String history =
        switch (g.database().historyGuard()) {
          case INSTALLED -> "present, guard installed";
          case NO_TABLE -> "no history table yet (the first deploy creates and guards it)";
          // The table is there; what is missing or disabled is prodguard's guard on it.
          case MISSING, DISABLED ->
              "present, guard "
                  + (g.environmentProtected()
                      ? g.database().historyGuard().label().toUpperCase(Locale.ROOT)
                      : (g.database().historyGuard() == DatabaseGuards.HistoryGuard.MISSING
                              ? "not installed"
                              : "disabled")
                          + " (not protected)");
        };
    out.println(
        "    history:   " + g.database().historyTable().map(t -> t + " ").orElse("") + history);
    g.roleSplit()
        .ifPresent(
            r ->
                out.println(
                    "    role split: "
                        + (r.deployUrl() ? "deploy-url set" : "no deploy-url")
                        + "; "
                        + r.credential().account()
                        + (r.credential().canChangeSchema()
                            ? " CAN change the schema"
                            : " cannot change the schema")
                        + (r.credential().canWriteGuarded()
                            ? ", CAN write prodguard's tables"
                            : "")));
    for (String p : g.problems()) {
      out.println("    ! " + p);
    }
  }
}
