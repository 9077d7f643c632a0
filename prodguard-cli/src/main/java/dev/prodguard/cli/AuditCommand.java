package dev.prodguard.cli;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.environment.Target;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard audit ENV} and {@code prodguard audit verify ENV} (G10). */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Show the audit trail of ENV (read-only).",
    subcommands = AuditCommand.Verify.class)
public final class AuditCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", arity = "0..1", description = "environment name")
  String environment;

  @Option(names = "--limit", defaultValue = "50", description = "newest N rows (0: all)")
  int limit;

  @Mixin FleetTargetOption fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    Target t =
        Target.prepare(
            fleet.load(common, environment, false, "audit " + environment),
            environment,
            common.context(),
            Target.Access.READ,
            "audit " + environment);
    List<AuditLog.Entry> rows;
    try (Target.Checked c = t.openToRead()) {
      rows = AuditLog.read(c.connection(), limit);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format.json()) {
      out.println(Json.write(rows));
      return Main.OK;
    }
    for (AuditLog.Entry e : rows) {
      out.printf(
          "%5d %s %-18s %-9s %s%s%s%n",
          e.seq(),
          e.at(),
          e.command(),
          e.outcome(),
          e.ciSubject() != null ? e.ciSubject() : e.osUser() + "@" + e.host(),
          e.runId() == null ? "" : " run=" + e.runId(),
          " " + e.details());
    }
    if (rows.isEmpty()) {
      out.println("(no audit records)");
    }
    return Main.OK;
  }

  /** {@code prodguard audit verify ENV}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Walk the hash chain of ENV's audit trail; exit 1 at the first broken link.",
        "Pass a head recorded earlier (printed by this command, e.g. in a CI log) to also",
        "catch deletion of the newest rows."
      })
  public static final class Verify implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENV", description = "environment name")
    String environment;

    @Option(
        names = "--expect-head",
        paramLabel = "SEQ:HASH",
        description = "a head recorded earlier")
    String expectHead;

    @Mixin FleetTargetOption fleet;

    @Mixin FormatOption format;

    @Override
    public Integer call() throws Exception {
      Target t =
          Target.prepare(
              fleet.load(common, environment, false, "audit verify " + environment),
              environment,
              common.context(),
              Target.Access.READ,
              "audit verify " + environment);
      AuditLog.Verification v;
      try (Target.Checked c = t.openToRead()) {
        v = AuditLog.verify(c.connection(), Optional.ofNullable(expectHead));
      }
      PrintWriter out = spec.commandLine().getOut();
      String head = v.head().map(h -> h.seq() + ":" + h.hash()).orElse("(empty)");
      if (format.json()) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("environment", environment);
        j.put("intact", v.intact());
        j.put("rows", v.rows());
        j.put("head", head);
        v.firstBreak()
            .ifPresent(b -> j.put("first_break", Map.of("seq", b.seq(), "problem", b.problem())));
        out.println(Json.write(j));
        return v.intact() ? Main.OK : Main.REFUSED;
      }
      if (v.intact()) {
        out.println("audit trail of '" + environment + "' is intact: " + v.rows() + " rows");
        out.println("  head: " + head + "   (record it; pass it later with --expect-head)");
        return Main.OK;
      }
      AuditLog.Break b = v.firstBreak().orElseThrow();
      throw new GuardRefusal(
          Guarantee.G10,
          "audit verify " + environment,
          "the audit chain is broken at row " + b.seq() + ": " + b.problem(),
          "treat this as an incident: compare with the last recorded head and the database's own"
              + " logs to find who changed prodguard_audit");
    }
  }
}
