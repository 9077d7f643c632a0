package dev.prodguard.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.config.ServerKind;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.JsonStream;
import dev.prodguard.findings.JsonWriter;
import dev.prodguard.findings.JunitWriter;
import dev.prodguard.findings.SarifWriter;
import dev.prodguard.findings.Severity;
import dev.prodguard.findings.TextWriter;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.lint.History;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import dev.prodguard.lint.rules.Rules;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.Placeholders;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard lint [PATHS]}: contract and safety analysis of migrations (G4). */
@Command(
    name = "lint",
    resourceBundle = FormatOption.FINDINGS_BUNDLE,
    mixinStandardHelpOptions = true,
    description = {
      "Analyse SQL migrations against the contract (no database needed).",
      "Without PATHS, lints migrations.locations from prodguard.yml in Flyway's order.",
      "Without --env, judges as for a protected environment (the strictest).",
      "Exit 1 when a finding is at error level and no contract exception covers it."
    })
public final class LintCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PATHS", arity = "0..*", description = "SQL files or folders")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = "--env",
      paramLabel = "ENV",
      description = "apply this environment's contract severity (protected: forbidden = error)")
  String environment;

  @Mixin FormatOption format;

  @Option(
      names = "--changed-since",
      paramLabel = "REV",
      description = "lint only migrations added or changed since this git revision")
  String changedSince;

  @Option(
      names = "--contract",
      paramLabel = "FILE",
      description =
          "contract file (default: 'contract' in prodguard.yml, else ./prodguard-contract.yml)")
  Path contractFile;

  @Option(
      names = "--dialect",
      paramLabel = "DIALECT",
      description =
          "postgresql or mariadb (alias mysql); default: the server of the environment's"
              + " resolved URL, else its 'database:' key")
  String dialect;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "write the report to FILE instead of standard output")
  Path output;

  /** What the contract's baseline left out, for the summary; null when nothing. */
  private String baselineNote;

  @Override
  public Integer call() throws Exception {
    Optional<ProdguardConfig> config = optionalConfig(common);
    Path base = config.map(ProdguardConfig::baseDir).orElse(Path.of("").toAbsolutePath());
    Contract contract = contract(contractFile, config, base, spec.commandLine().getErr());

    boolean protectedEnv = true;
    Optional<EnvironmentConfig> env = Optional.empty();
    if (environment != null) {
      if (config.isEmpty()) {
        throw new ConfigException(
            common.config.toString(), 0, null, "--env needs prodguard.yml, which was not found");
      }
      env = Optional.of(config.get().environment(environment));
      protectedEnv = env.get().isProtected();
    }
    DatabaseKind kind = dialect(dialect, config, env, common.context().env());
    FlywayMigrationEngine engine = new FlywayMigrationEngine();
    engine.prepareParsing(kind); // while the files are read and discovered

    boolean complete = paths.isEmpty() && changedSince == null;
    MigrationFiles files;
    if (paths.isEmpty()) {
      if (config.isEmpty()) {
        throw new ConfigException(
            "nothing to lint: give PATHS, or run where prodguard.yml names migrations.locations");
      }
      files = MigrationFiles.read(config.get(), common.context().env());
    } else {
      files = MigrationFiles.read(paths);
      if (config.isPresent()) {
        files =
            files.with(Placeholders.resolve(config.get().placeholders(), common.context().env()));
      }
    }
    // the configuration's history table, schemas and Java migration folders, as verify reads them
    dev.prodguard.migration.MigrationEngine configured =
        config.isPresent() ? engine.configuredBy(config.get()) : engine;
    Linter linter = Linter.forEngine(kind, configured, files);
    // One discovery for lint, verify and deploy: the engine says which files run, in which order.
    // A file named on the command line is linted even when the engine would not run it.
    Set<Path> named = new HashSet<>();
    for (Path p : paths) {
      if (!Files.isDirectory(p)) {
        named.add(p.toAbsolutePath().normalize());
      }
    }
    // A file named on the command line is judged for its content; in a folder, a name Flyway
    // refuses is a finding (the deploy would stop on it).
    List<MigrationSource> sources =
        configured.discover(files, kind).all().stream()
            .map(
                s ->
                    s.role() == MigrationSource.Role.REFUSED_NAME
                            && named.contains(Path.of(s.shown()).toAbsolutePath().normalize())
                        ? new MigrationSource(
                            s.file(), MigrationSource.Role.NOT_RUN, s.id(), s.shown())
                        : s)
            .filter(
                s ->
                    s.role().analysed()
                        || (s.role() == MigrationSource.Role.NOT_RUN
                            && named.contains(Path.of(s.shown()).toAbsolutePath().normalize())))
            .toList();
    // The contract's baseline: without PATHS, migrations up to it are history, read only for the
    // routines they define. With --changed-since an edited history file is judged (not history).
    List<MigrationSource> history = List.of();
    if (paths.isEmpty() && changedSince == null) {
      History split = History.of(sources, files, contract);
      sources = split.judged();
      history = split.history();
      contract
          .adoption()
          .baselineIfAny()
          .ifPresent(b -> baselineNote = b.version() + " (" + split.history().size() + " files)");
    }
    if (changedSince != null) {
      Set<Path> changed =
          new HashSet<>(
              changedSince(
                  base, changedSince, sources.stream().map(s -> Path.of(s.shown())).toList()));
      // The unchanged migrations before the first changed one are not judged, but their schema is
      // learned (column definitions, routines), as a full lint knows it when it reaches the change.
      List<MigrationSource> earlier = new ArrayList<>();
      for (MigrationSource s : sources) {
        if (changed.contains(Path.of(s.shown()))) {
          break;
        }
        earlier.add(s);
      }
      history = earlier;
      sources = sources.stream().filter(s -> changed.contains(Path.of(s.shown()))).toList();
    }
    LintReport report = linter.lint(sources, history, contract, protectedEnv, complete);
    if (!history.isEmpty() && baselineNote != null) {
      // History is not judged for style, but a new environment replays it: count the files that
      // will not run as written, so a replay that would stop part way is known before it starts.
      List<Finding> wouldFail =
          linter.lint(history, List.of(), contract, protectedEnv, false).findings().stream()
              .filter(f -> History.wouldFailAsWritten(f, kind))
              .toList();
      historyFailingFiles = wouldFail.stream().map(Finding::file).distinct().count();
      historyFailing =
          wouldFail.stream()
              .map(f -> relative(base, f.file()) + ":" + f.line() + " [" + f.rule() + "]")
              .distinct()
              .toList();
      if (historyFailingFiles > 0) {
        historyWouldFail =
            "; "
                + historyFailingFiles
                + " of them would fail as written on a new environment: "
                + String.join(", ", historyFailing);
      }
    }

    String label =
        environment == null
            ? "as for a protected environment"
            : "for '" + environment + "'" + (protectedEnv ? " (protected)" : "");
    if (output != null && format.json()) {
      // the report of a large corpus is megabytes: written as UTF-8 bytes as it is produced
      Files.write(
          output, JsonStream.writeUtf8(json(report, relativeFindings(report, base), label)));
      return report.hasErrors() ? Main.REFUSED : Main.OK;
    }
    String out = render(report, base, label, kind);
    if (output != null) {
      Files.writeString(output, out, StandardCharsets.UTF_8);
    } else {
      PrintWriter w = spec.commandLine().getOut();
      w.print(out);
      w.flush();
    }
    return report.hasErrors() ? Main.REFUSED : Main.OK;
  }

  /** What of the history would fail as written (empty: nothing), after the baseline note. */
  private String historyWouldFail = "";

  private long historyFailingFiles;
  private List<String> historyFailing = List.of();

  /** The report's findings and files, each file named relative to {@code base}. */
  private record Relative(List<Finding> findings, List<String> files) {}

  private static Relative relativeFindings(LintReport report, Path base) {
    Map<String, String> names = new HashMap<>(); // each file named once, however many findings
    java.util.function.UnaryOperator<String> relative =
        f -> names.computeIfAbsent(f, x -> relative(base, x));
    List<Finding> findings = report.findings().stream().map(f -> f.relativeTo(relative)).toList();
    List<String> files = report.files().stream().map(relative).toList();
    return new Relative(findings, files);
  }

  private String render(LintReport report, Path base, String label, DatabaseKind kind) {
    Relative r = relativeFindings(report, base);
    List<Finding> findings = r.findings();
    List<String> files = r.files();
    return switch (format.get()) {
      case text -> text(report, findings, label, kind);
      case json -> JsonStream.write(json(report, r, label));
      case sarif -> SarifWriter.write(version(), base.toUri(), new Rules().reported(), findings);
      case junit -> junit(findings, files);
    };
  }

  private String text(LintReport r, List<Finding> findings, String label, DatabaseKind kind) {
    StringBuilder sb = new StringBuilder(TextWriter.findings(findings));
    long errors = r.count(Severity.ERROR);
    long warnings = r.count(Severity.WARNING);
    sb.append(r.hasErrors() ? "FAILED: " : "ok: ")
        .append(TextWriter.count(errors, "error"))
        .append(", ")
        .append(TextWriter.count(warnings, "warning"));
    if (r.covered() > 0) {
      sb.append(", ").append(r.covered()).append(" covered by contract exceptions");
    }
    sb.append(" in ")
        .append(TextWriter.count(r.files().size(), "file"))
        .append(" (")
        .append(r.statements())
        .append(" statements, ")
        .append(kind.label())
        .append(", ")
        .append(label)
        .append(")\n");
    if (baselineNote != null) {
      sb.append("  history up to the contract's baseline ")
          .append(baselineNote)
          .append(" not judged")
          .append(historyWouldFail)
          .append('\n');
    }
    sb.append("  contract sha256 ").append(r.contractSha256()).append('\n');
    return sb.toString();
  }

  /** Written as produced ({@link JsonStream}): a report can hold thousands of findings. */
  private JsonStream.Body json(LintReport r, Relative rel, String label) {
    List<Finding> findings = rel.findings();
    List<String> files = rel.files();
    return j -> {
      j.writeStartObject();
      j.writeBooleanField("ok", !r.hasErrors());
      nullable(j, "environment", environment);
      j.writeBooleanField("protected", r.protectedEnvironment());
      j.writeStringField("judged", label);
      nullable(j, "contract_sha256", r.contractSha256());
      j.writeArrayFieldStart("files");
      for (String f : files) {
        j.writeString(f);
      }
      j.writeEndArray();
      j.writeNumberField("statements", r.statements());
      if (baselineNote != null) {
        j.writeStringField("baseline", baselineNote);
        j.writeNumberField("history_would_fail_files", historyFailingFiles);
        j.writeArrayFieldStart("history_would_fail");
        for (String h : historyFailing) {
          j.writeString(h);
        }
        j.writeEndArray();
      }
      JsonStream.findings(j, "findings", findings, JsonWriter.Shape.LINT);
      j.writeObjectFieldStart("summary");
      j.writeNumberField("errors", r.count(Severity.ERROR));
      j.writeNumberField("warnings", r.count(Severity.WARNING));
      j.writeNumberField("covered", r.covered());
      j.writeEndObject();
      j.writeEndObject();
    };
  }

  private static void nullable(JsonGenerator j, String name, String value)
      throws java.io.IOException {
    if (value == null) {
      j.writeNullField(name);
    } else {
      j.writeStringField(name, value);
    }
  }

  /** A passing case per file without findings, one case per finding. */
  private static String junit(List<Finding> findings, List<String> files) {
    Set<String> withFindings = new HashSet<>();
    findings.forEach(f -> withFindings.add(f.file()));
    List<JunitWriter.Case> clean = new ArrayList<>();
    for (String file : new LinkedHashSet<>(files)) {
      if (!withFindings.contains(file)) {
        clean.add(new JunitWriter.Case(file, "no findings"));
      }
    }
    return JunitWriter.write(
        new JunitWriter.Suite("prodguard lint", "lint", true), clean, findings);
  }

  // ---- shared with contract commands ---------------------------------------------------

  /** prodguard.yml when it exists; a malformed one is still an error. */
  static Optional<ProdguardConfig> optionalConfig(CommonOptions common) {
    if (!Files.exists(common.config)) {
      return Optional.empty();
    }
    return Optional.of(ConfigLoader.load(common.config));
  }

  static Path contractPath(Path explicit, Optional<ProdguardConfig> config, Path base) {
    if (explicit != null) {
      return explicit;
    }
    return config.map(ProdguardConfig::contract).orElse(base.resolve(ContractLoader.DEFAULT_FILE));
  }

  /**
   * The contract: {@code --contract FILE}, else the one prodguard.yml names. Only when neither
   * names one and the default file does not exist do DESIGN's defaults (strict) apply, with a note;
   * a named contract that cannot be read is a configuration error (exit 2).
   */
  static Contract contract(
      Path explicit, Optional<ProdguardConfig> config, Path base, PrintWriter err) {
    Optional<Contract> found;
    Path file = contractPath(explicit, config, base);
    if (explicit != null) {
      found = Optional.of(ContractLoader.load(explicit));
    } else if (config.isPresent()) {
      found = ContractLoader.forConfig(config.get());
    } else if (Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
      found = Optional.empty();
    } else {
      found = Optional.of(ContractLoader.load(file));
    }
    if (found.isPresent()) {
      return found.get();
    }
    err.println(
        "prodguard: no contract at "
            + file
            + "; applying the default forbidden rules (see docs/contract.md)");
    return ContractLoader.parse(file, "version: 1\n".getBytes(StandardCharsets.UTF_8));
  }

  /** The server whose rules judge the files ({@link ServerKind#judging}). */
  static DatabaseKind dialect(
      String option,
      Optional<ProdguardConfig> config,
      Optional<EnvironmentConfig> env,
      Map<String, String> variables) {
    return ServerKind.judging(option, config, env, variables, "--dialect", "lint with --env ENV");
  }

  /** Files among {@code candidates} that git reports added, copied, modified or untracked. */
  static List<Path> changedSince(Path base, String rev, List<Path> candidates) {
    Path top = GitCli.topLevel(base);
    Set<Path> changed = new HashSet<>();
    String diff = GitCli.check(top, "diff", "--name-only", "-z", "--diff-filter=ACMRT", rev, "--");
    String untracked = GitCli.check(top, "ls-files", "-z", "--others", "--exclude-standard");
    for (String list : List.of(diff, untracked)) {
      for (String name : list.split("\0")) {
        if (!name.isEmpty()) {
          changed.add(real(top.resolve(name)));
        }
      }
    }
    return candidates.stream().filter(p -> changed.contains(real(p))).toList();
  }

  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (java.io.IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  static String relative(Path base, String file) {
    return Finding.relative(base, file);
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }
}
