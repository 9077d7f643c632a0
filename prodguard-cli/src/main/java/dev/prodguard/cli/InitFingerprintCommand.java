package dev.prodguard.cli;

import dev.prodguard.audit.LocalAuditLog;
import dev.prodguard.config.ConfigWriter;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.setup.FingerprintInit;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard init-fingerprint ENV}. */
@Command(
    name = "init-fingerprint",
    mixinStandardHelpOptions = true,
    description = {
      "Create database_metadata and fingerprint the database of ENV.",
      "Never overwrites a different fingerprint. Protected environments: only from CI."
    })
public final class InitFingerprintCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", description = "environment name from prodguard.yml")
  String environment;

  @Option(
      names = "--write-config",
      description = "write the fingerprint into prodguard.yml (keeps comments and layout)")
  boolean writeConfig;

  @Option(
      names = "--reidentify",
      description =
          "give a copy (restore or clone) of another database its own identity; refused on an"
              + " original. Recorded in the audit log.")
  boolean reidentify;

  @Mixin FormatOption format;

  @Mixin FleetTargetOption fleet;

  @Override
  public Integer call() throws Exception {
    if (fleet.fleet != null && writeConfig) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--write-config writes environments of prodguard.yml; put a fleet target's"
              + " fingerprint into its 'targets:' entry or its catalog row");
    }
    // G1 first for a protected fleet, before the catalog read
    ProdguardConfig config =
        fleet.load(common, environment, true, "init-fingerprint " + environment);
    RunContext context = common.context();
    LocalAuditLog localLog = new LocalAuditLog(config.stateDirectory().resolve("audit.jsonl"));
    if (reidentify) {
      localLog.checkPrivate(); // G10: the re-identification's record must have a safe place
    }
    Target target =
        Target.prepare(
            config, environment, context, Target.Access.MUTATE, "init-fingerprint " + environment);
    FingerprintInit.Result result =
        FingerprintInit.run(target, context, reidentify, PipelineSupport.engine());
    if (result.outcome() == FingerprintInit.Outcome.REIDENTIFIED) {
      Map<String, String> details = new LinkedHashMap<>();
      details.put("previous", result.previous().orElse(""));
      details.put("fingerprint", result.fingerprint());
      details.put("server_identity", result.serverIdentity());
      localLog.append(
          context, "init-fingerprint --reidentify", environment, "reidentified", details);
    }
    boolean written = false;
    boolean configMatches =
        target.environment().fingerprint().map(result.fingerprint()::equals).orElse(false);
    if (writeConfig && !configMatches) {
      ConfigWriter.writeFingerprint(config.file(), environment, result.fingerprint());
      written = true;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("outcome", result.outcome().name().toLowerCase());
      json.put("environment", environment);
      json.put("fingerprint", result.fingerprint());
      json.put("server_identity", result.serverIdentity());
      result.previous().ifPresent(p -> json.put("previous", p));
      json.put("config_written", written);
      json.put("guards", guardsJson(result.guards()));
      out.println(Json.write(json));
      return Main.OK;
    }
    switch (result.outcome()) {
      case CREATED -> out.println("Fingerprinted '" + environment + "': " + result.fingerprint());
      case UNCHANGED ->
          out.println("'" + environment + "' was already fingerprinted: " + result.fingerprint());
      case REIDENTIFIED ->
          out.println(
              "Re-identified this copy (was "
                  + result.previous().orElse("?")
                  + ") as '"
                  + environment
                  + "': "
                  + result.fingerprint());
    }
    out.println("  server identity: " + result.serverIdentity());
    printGuards(out, environment, result.guards());
    if (written) {
      out.println("  wrote the fingerprint into " + config.file() + "; commit it.");
    } else if (!configMatches && fleet.fleet != null) {
      out.println(
          "Put this fingerprint into target '"
              + environment
              + "' of fleet '"
              + fleet.fleet
              + "' (its 'targets:' entry or its catalog row):");
      out.println("    fingerprint: " + result.fingerprint());
    } else if (!configMatches) {
      out.println("Put this line under environments." + environment + " in " + config.file() + ":");
      out.println("    fingerprint: " + result.fingerprint());
      out.println("(or run again with --write-config)");
    }
    return Main.OK;
  }

  /** G6: what init-fingerprint installed; a DDL guard it could not install is said, not failed. */
  static void printGuards(PrintWriter out, String env, FingerprintInit.Guards g) {
    out.println(
        "  guards (G6): prodguard_assert_deploy() installed; the database records '"
            + env
            + "' as "
            + (g.databaseProtected() ? "protected" : "not protected"));
    for (GuardArtifactFiles.Write a : g.artifacts()) {
      switch (a.written()) {
        case CREATED -> out.println("    callback:  wrote " + a.path() + "; review and commit it");
        case REPLACED ->
            out.println("    callback:  " + a.path() + " was modified: rewrote it; commit it");
        case UNCHANGED -> out.println("    callback:  " + a.path() + " (ok)");
      }
      for (GuardArtifactFiles.Removed r : a.removed()) {
        out.println("    callback:  removed " + r.note() + "; commit the removal");
      }
    }
    String table = g.historyTable().orElse("history table");
    DatabaseGuards.HistoryGuardInstall h = g.historyGuard();
    String history =
        switch (h.state()) {
          case INSTALLED -> table + " guarded" + (h.changed() ? "" : " (unchanged)");
          case NO_TABLE -> "no " + table + " yet: the first deploy creates and guards it";
          case MISSING, DISABLED ->
              g.databaseProtected()
                  ? table + " NOT GUARDED"
                  : table + " not guarded (not protected)";
        };
    out.println("    history:   " + history);
    DatabaseGuards.DdlGuardInstall d = g.ddlGuard();
    String state =
        switch (d.state()) {
          case INSTALLED ->
              d.changed()
                  ? "installed (event trigger prodguard_ddl_guard)"
                  : "installed (event trigger prodguard_ddl_guard, unchanged)";
          case UNSUPPORTED -> "not available";
          case DISABLED -> "DISABLED";
          case MISSING -> g.databaseProtected() ? "NOT INSTALLED" : "not installed";
        };
    out.println("    ddl guard: " + state + d.note().map(n -> ": " + n).orElse(""));
  }

  static Map<String, Object> guardsJson(FingerprintInit.Guards g) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("assert_installed", true);
    j.put("database_protected", g.databaseProtected());
    // The first artifact (Flyway's callback), null for an engine that has none.
    Map<String, Object> cb = null;
    if (!g.artifacts().isEmpty()) {
      GuardArtifactFiles.Write a = g.artifacts().get(0);
      cb = new LinkedHashMap<>();
      cb.put("path", a.path());
      cb.put("written", a.written().label());
    }
    j.put("callback", cb);
    Map<String, Object> ddl = new LinkedHashMap<>();
    ddl.put("state", g.ddlGuard().state().label());
    ddl.put("changed", g.ddlGuard().changed());
    g.ddlGuard().note().ifPresent(n -> ddl.put("note", n));
    j.put("ddl_guard", ddl);
    if (cb != null) {
      cb.put("legacy_removed", !g.artifacts().get(0).removed().isEmpty());
    }
    Map<String, Object> history = new LinkedHashMap<>();
    history.put("table", g.historyTable().orElse(null));
    history.put("state", g.historyGuard().state().label());
    history.put("changed", g.historyGuard().changed());
    j.put("history_guard", history);
    return j;
  }
}
