package dev.prodguard.cli;

import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.ConfigException;
import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.GuardStatus;
import dev.prodguard.jdbc.DatabaseMetadata;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard check [ENV]}: URL rule and fingerprint, read-only. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check that ENV's URL and database are what prodguard.yml says (read-only).",
      "Without ENV, checks every environment whose URL is set in this shell.",
      "Reports the G6 guards too (callback missing, modified or stale, assert, DDL guard,"
          + " history guard, MySQL/MariaDB role split)."
    })
public final class CheckCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", arity = "0..1", description = "environment name")
  String environment;

  @Mixin FleetTargetOption fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    ProdguardConfig config = fleet.load(common, environment, false, "check " + environment);
    RunContext context = common.context();
    PrintWriter out = spec.commandLine().getOut();
    if (environment != null) {
      Target t = Target.prepare(config, environment, context, Target.Access.READ, "check");
      Checked r = check(t);
      DatabaseMetadata m = r.metadata();
      if (format.json()) {
        Map<String, Object> j = json(environment, "ok", t.url().toString(), m, null);
        j.put("guards", r.guards().toJson());
        out.println(Json.write(j));
      } else {
        out.println("ok: '" + environment + "' is the database prodguard.yml names");
        out.println("  url:         " + t.url());
        out.println("  fingerprint: " + m.fingerprint());
        out.println("  server:      " + m.serverIdentity());
        StatusCommand.printGuards(out, r.guards());
      }
      return Main.OK;
    }
    List<Map<String, Object>> results = new ArrayList<>();
    int failed = 0;
    int checked = 0;
    for (EnvironmentConfig env : config.environments().values()) {
      if (!env.url().resolvable(context.env())) {
        results.add(
            json(
                env.name(),
                "skipped",
                null,
                null,
                "not set here: " + String.join(", ", env.url().variables())));
        continue;
      }
      if (env.isProtected()
          && !CiVerifiers.inCi(config, context, java.util.Optional.empty(), "check")) {
        results.add(json(env.name(), "skipped", null, null, "protected; checked only from CI"));
        continue;
      }
      checked++;
      try {
        Checked r = check(Target.prepare(config, env.name(), context, Target.Access.READ, "check"));
        Map<String, Object> j = json(env.name(), "ok", null, r.metadata(), null);
        j.put("guards", r.guards().toJson());
        results.add(j);
      } catch (GuardRefusal r) {
        failed++;
        results.add(
            json(env.name(), "refused", null, null, r.guarantee().label() + ": " + r.why()));
      }
    }
    if (format.json()) {
      out.println(Json.write(results));
    } else {
      for (Map<String, Object> r : results) {
        out.printf(
            "%-10s %-8s %s%n",
            r.get("environment"),
            r.get("status"),
            r.getOrDefault("fingerprint", r.getOrDefault("reason", "")));
        if (r.get("guards") instanceof Map<?, ?> g && g.get("problems") instanceof List<?> ps) {
          for (Object p : ps) {
            out.println("           ! G6: " + p);
          }
        }
      }
    }
    if (checked == 0) {
      throw new ConfigException(
          "no environment could be checked from this shell: set a URL variable or name ENV");
    }
    return failed == 0 ? Main.OK : Main.REFUSED;
  }

  /** The validated metadata, and the G6 guards as found (reported, not judged: exit stays 0). */
  record Checked(DatabaseMetadata metadata, GuardStatus guards) {}

  static Checked check(Target t) throws Exception {
    try (Target.Checked c = t.open()) {
      return new Checked(
          c.metadata(),
          GuardStatus.read(
              c.connection(), t.dialect(), t.config(), t.environment(), PipelineSupport.engine()));
    }
  }

  private static Map<String, Object> json(
      String env, String status, String url, DatabaseMetadata m, String reason) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("environment", env);
    j.put("status", status);
    if (url != null) {
      j.put("url", url);
    }
    if (m != null) {
      j.put("fingerprint", m.fingerprint());
      j.put("server_identity", m.serverIdentity());
    }
    if (reason != null) {
      j.put("reason", reason);
    }
    return j;
  }
}
