package dev.prodguard.cli;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.RunContext;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.findings.TextWriter;
import dev.prodguard.trace.StatementTrace;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard trace ENV}: what the pending migrations will do, observed (PostgreSQL). */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    description = {
      "Replay ENV's pending migrations on a copy of its schema in a scratch database and report",
      "what PostgreSQL did for each statement (locks, rewrites, scans, index builds), joined with",
      "ENV's table sizes (docs/trace.md). ENV sees catalog reads only. Exit 1 on error findings."
    })
public final class TraceCommand implements Callable<Integer> {
  /** Where the scratch server is when --scratch-url is not given. */
  static final String SCRATCH_VARIABLE = Tracer.SCRATCH_VARIABLE;

  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", description = "environment name")
  String environment;

  @Option(
      names = "--scratch-url",
      paramLabel = "URL",
      description =
          "a PostgreSQL server of ENV's major version where prodguard may create and drop a"
              + " database (default: $"
              + SCRATCH_VARIABLE
              + ", else trace.scratch, else an embedded PostgreSQL of ENV's major version)")
  String scratchUrl;

  @Mixin FleetTargetOption fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    ProdguardConfig config = fleet.load(common, environment, false, "trace " + environment);
    PrintWriter err = spec.commandLine().getErr();
    PipelineSupport.flywayLogging(common);
    TraceReport r =
        new Tracer(
                config,
                common.context(),
                PipelineSupport.engine(),
                new PipelineSupport.WaitLog(err))
            .onInterrupt(Main.interrupted(err))
            .trace(environment, scratchServer(scratchUrl, config, common.context()));
    print(spec.commandLine().getOut(), r, format.json());
    return r.blocking() ? Main.REFUSED : Main.OK;
  }

  /**
   * The configured scratch server, first that is set: {@code --scratch-url}, {@code
   * $PRODGUARD_TRACE_SCRATCH_URL}, {@code trace.scratch}; empty: the embedded default.
   */
  static Optional<DatabaseUrl> scratchServer(
      String option, ProdguardConfig config, RunContext context) {
    if (option != null && !option.isBlank()) {
      try {
        return Optional.of(DatabaseUrl.parse(option));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--scratch-url: " + e.getMessage());
      }
    }
    String variable = context.get(SCRATCH_VARIABLE);
    if (variable != null && !variable.isBlank()) {
      return Optional.of(DatabaseUrl.parse(variable));
    }
    return config.trace().scratch().map(v -> v.databaseUrl(context.env()));
  }

  static void print(PrintWriter out, TraceReport r, boolean json) {
    if (json) {
      out.println(Json.write(r.toJson()));
      return;
    }
    if (r.pendingMigrations() == 0) {
      out.println("trace '" + r.environment() + "': nothing pending");
      return;
    }
    String head = "trace '" + r.environment() + "' (PostgreSQL " + r.serverMajor() + "): ";
    if (r.nothingToTrace()) {
      out.println(
          head
              + TraceReport.NOTHING_TO_TRACE
              + "; "
              + r.pendingMigrations()
              + " pending migration(s) not replayed (docs/trace.md)");
    } else {
      out.println(
          head
              + r.pendingMigrations()
              + " pending migration(s), "
              + r.replayed()
              + " statement(s) replayed"
              + (r.replayed() > r.statements().size() ? " (the last one failed)" : "")
              + "; schema copy "
              + PipelineSupport.seconds(r.copyMillis())
              + ", replay "
              + PipelineSupport.seconds(r.replayMillis()));
    }
    for (StatementTrace t : r.statements()) {
      out.println(
          "  " + t.migration() + " line " + t.line() + " (" + t.millis() + " ms)" + facts(t));
    }
    List<Finding> shown = new ArrayList<>(r.findings());
    shown.sort(Finding.ORDER);
    if (!shown.isEmpty()) {
      out.println();
      out.print(TextWriter.findings(shown));
    }
    long errors = shown.stream().filter(f -> f.severity() == Severity.ERROR).count();
    out.println(
        TextWriter.count(errors, "error")
            + ", "
            + TextWriter.count(shown.size() - errors, "other finding"));
  }

  private static String facts(StatementTrace t) {
    List<String> f = new ArrayList<>();
    t.locks().forEach(l -> f.add(l.mode().replace("Lock", "") + " " + l.relation()));
    t.rewritten().forEach(x -> f.add("rewrites " + x));
    t.scanned().forEach(x -> f.add("scans " + x));
    t.indexesBuilt()
        .forEach(
            i ->
                f.add(
                    (i.rebuilt() ? "rebuilds " : "builds ")
                        + i.name()
                        + (i.concurrently() ? " concurrently" : "")
                        + " on "
                        + i.table()));
    t.constraintsAdded()
        .forEach(
            k ->
                f.add(
                    "adds "
                        + k.typeName()
                        + " "
                        + k.name()
                        + (k.validated() ? " (validated)" : " (not valid)")));
    t.dropped().forEach(x -> f.add("drops " + x));
    t.renamed().forEach(x -> f.add("renames " + x));
    if (!t.inTransaction()) {
      f.add("outside a transaction: locks not observable");
    }
    return f.isEmpty() ? "" : ": " + String.join("; ", f);
  }
}
