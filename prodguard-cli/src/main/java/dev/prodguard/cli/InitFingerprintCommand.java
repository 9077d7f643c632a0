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
import java.util.Optional;
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

  @Parameters(
      paramLabel = "ENV",
      arity = "0..1",
      description =
          "environment name from prodguard.yml, or a target id with --fleet (without it: every"
              + " target of the fleet)")
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
    if (environment == null && fleet.fleet == null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "missing ENV (or --fleet NAME for every target of a fleet)");
    }
    if (environment == null) {
      if (writeConfig || reidentify) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--write-config and --reidentify are for one ENV (or one target: ID --fleet NAME)");
      }
      return everyTarget();
    }
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
    // G2: the fingerprint --write-config replaces is named (never silently overwritten)
    Optional<String> replaced =
        target.environment().fingerprint().filter(f -> !f.equals(result.fingerprint()));
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
      if (written) {
        replaced.ifPresent(p -> json.put("config_replaced", p));
      }
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
    if (written && replaced.isPresent()) {
      out.println(
          "  replaced the fingerprint of '"
              + environment
              + "' in "
              + config.file()
              + ": "
              + replaced.get()
              + " -> "
              + result.fingerprint()
              + " (the database's); review that this is the database '"
              + environment
              + "' means, then commit it.");
    } else if (written) {
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

  /**
   * {@code init-fingerprint --fleet NAME}: every target of the fleet in this one process (G1 once,
   * before the catalog read, for a protected fleet; then G3 and the metadata per target, as for one
   * target). One line per target; a target that fails is reported and the others go on (exit 1).
   */
  private int everyTarget() throws Exception {
    ProdguardConfig raw = common.load();
    RunContext context = common.context();
    dev.prodguard.config.FleetConfig f = raw.fleet(fleet.fleet);
    java.util.Optional<dev.prodguard.ci.CiIdentity> identity = java.util.Optional.empty();
    String action = "init-fingerprint --fleet " + f.name();
    if (f.isProtected()) {
      identity =
          java.util.Optional.of(
              dev.prodguard.ci.CiVerifiers.forConfig(raw).verify(context, action));
    }
    java.util.List<dev.prodguard.config.FleetConfig.Target> all =
        dev.prodguard.fleet.FleetTargets.resolve(raw, f, context);
    dev.prodguard.fleet.FleetTargets.requireUsableUrls(f, all, context);
    ProdguardConfig config = dev.prodguard.fleet.FleetTargets.asEnvironments(raw, f, all);
    common.loaded = config;
    PrintWriter out = spec.commandLine().getOut();
    java.util.List<Map<String, Object>> json = new java.util.ArrayList<>();
    int failed = 0;
    int differ = 0;
    for (dev.prodguard.config.FleetConfig.Target t : all) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("target", t.id());
      try {
        Target target =
            Target.prepare(config, t.id(), context, Target.Access.MUTATE, action, identity);
        FingerprintInit.Result r =
            FingerprintInit.run(target, context, false, PipelineSupport.engine());
        boolean matches = t.fingerprint().map(r.fingerprint()::equals).orElse(false);
        differ += matches ? 0 : 1;
        j.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
        j.put("fingerprint", r.fingerprint());
        j.put("configured", matches);
        j.put("problem", null); // docs/fleets.md#json-output: a field without a value is null
        if (!format.json()) {
          out.println(
              "  "
                  + t.id()
                  + ": "
                  + r.fingerprint()
                  + (r.outcome() == FingerprintInit.Outcome.CREATED ? " (new)" : "")
                  + (matches ? "" : "   <- not in its targets: entry or catalog row yet"));
        }
      } catch (dev.prodguard.db.GuardRefusal | java.sql.SQLException e) {
        failed++;
        String why =
            e instanceof dev.prodguard.db.GuardRefusal g
                ? g.guarantee() + ": " + g.why()
                : "database error: " + e.getMessage();
        j.put("outcome", "failed");
        j.put("fingerprint", null);
        j.put("configured", null);
        j.put("problem", why);
        if (!format.json()) {
          out.println("  " + t.id() + ": NOT fingerprinted: " + why);
        }
      }
      json.add(j);
    }
    if (format.json()) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("fleet", f.name());
      j.put("targets", json);
      out.println(Json.write(j));
    } else {
      out.println(
          "fleet '"
              + f.name()
              + "': "
              + (all.size() - failed)
              + " of "
              + all.size()
              + " target(s) fingerprinted"
              + (differ > 0
                  ? "; put the fingerprints marked above into their targets: entries or catalog"
                      + " rows (--format json lists them for a script)"
                  : ""));
    }
    return failed == 0 ? Main.OK : Main.REFUSED;
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
