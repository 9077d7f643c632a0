package dev.prodguard.cli;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.config.ServerKind;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.lint.Finding;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import dev.prodguard.lint.Severity;
import dev.prodguard.lint.rules.Rule;
import dev.prodguard.lint.rules.Rules;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "text, json, sarif or junit (default: ${DEFAULT-VALUE})")
  LintFormat format;

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
    Linter linter = new Linter(kind).crossCheck(file -> engine.statements(file, kind));

    boolean complete = paths.isEmpty() && changedSince == null;
    MigrationFiles files;
    if (paths.isEmpty()) {
      if (config.isEmpty()) {
        throw new ConfigException(
            "nothing to lint: give PATHS, or run where prodguard.yml names migrations.locations");
      }
      files = MigrationFiles.read(config.get());
    } else {
      files = MigrationFiles.read(paths);
    }
    // One discovery for lint, verify and deploy: the engine says which files run, in which order.
    // A file named on the command line is linted even when the engine would not run it.
    Set<Path> named = new HashSet<>();
    for (Path p : paths) {
      if (!Files.isDirectory(p)) {
        named.add(p.toAbsolutePath().normalize());
      }
    }
    List<MigrationSource> sources =
        engine.discover(files, kind).all().stream()
            .filter(
                s ->
                    s.role().analysed()
                        || (s.role() == MigrationSource.Role.NOT_RUN
                            && named.contains(Path.of(s.shown()).toAbsolutePath().normalize())))
            .toList();
    if (changedSince != null) {
      Set<Path> changed =
          new HashSet<>(
              changedSince(
                  base, changedSince, sources.stream().map(s -> Path.of(s.shown())).toList()));
      sources = sources.stream().filter(s -> changed.contains(Path.of(s.shown()))).toList();
    }
    LintReport report = linter.lint(sources, List.of(), contract, protectedEnv, complete);

    String label =
        environment == null
            ? "as for a protected environment"
            : "for '" + environment + "'" + (protectedEnv ? " (protected)" : "");
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

  private String render(LintReport report, Path base, String label, DatabaseKind kind) {
    List<ReportItem> items = items(report, base);
    List<String> files = report.files().stream().map(f -> relative(base, f)).toList();
    return switch (format) {
      case text -> text(report, items, label, kind);
      case json -> json(report, items, files, label) + "\n";
      case sarif -> SarifReport.write(version(), ruleInfos(), items) + "\n";
      case junit -> JunitReport.write("prodguard lint", files, items);
    };
  }

  static List<ReportItem> items(LintReport report, Path base) {
    List<ReportItem> items = new ArrayList<>();
    for (Finding f : report.findings()) {
      items.add(
          new ReportItem(
              f.rule(),
              f.severity().id(),
              relative(base, f.file()),
              f.line(),
              f.column(),
              f.message(),
              f.excerpt(),
              f.recipe(),
              f.coveredBy()));
    }
    return items;
  }

  static List<ReportItem.RuleInfo> ruleInfos() {
    List<ReportItem.RuleInfo> rules = new ArrayList<>();
    for (Rule r : Rules.all()) {
      rules.add(new ReportItem.RuleInfo(r.id(), r.summary(), r.recipe(), r.defaultSeverity().id()));
    }
    rules.add(
        new ReportItem.RuleInfo(
            Linter.UNUSED_EXCEPTION,
            "A contract exception that covers no finding hides future changes.",
            "Delete the entry from the contract, or correct its migration or rule.",
            "error"));
    return rules;
  }

  private String text(LintReport r, List<ReportItem> items, String label, DatabaseKind kind) {
    StringBuilder sb = new StringBuilder();
    for (ReportItem i : items) {
      sb.append(i.file())
          .append(':')
          .append(i.line())
          .append(':')
          .append(i.column())
          .append(": ")
          .append(i.suppressedBy() != null ? "covered " + i.level() : i.level())
          .append(" [")
          .append(i.rule())
          .append("] ")
          .append(i.message())
          .append('\n');
      if (i.excerpt() != null && !i.excerpt().isEmpty()) {
        sb.append("    ").append(i.excerpt()).append('\n');
      }
      if (i.suppressedBy() != null) {
        sb.append("    covered by a contract exception: ").append(i.suppressedBy()).append('\n');
      } else {
        sb.append("    fix: ").append(i.recipe()).append('\n');
      }
    }
    long errors = r.count(Severity.ERROR);
    long warnings = r.count(Severity.WARNING);
    sb.append(r.hasErrors() ? "FAILED: " : "ok: ")
        .append(errors)
        .append(errors == 1 ? " error, " : " errors, ")
        .append(warnings)
        .append(warnings == 1 ? " warning" : " warnings");
    if (r.covered() > 0) {
      sb.append(", ").append(r.covered()).append(" covered by contract exceptions");
    }
    sb.append(" in ")
        .append(r.files().size())
        .append(r.files().size() == 1 ? " file" : " files")
        .append(" (")
        .append(r.statements())
        .append(" statements, ")
        .append(kind.label())
        .append(", ")
        .append(label)
        .append(")\n  contract sha256 ")
        .append(r.contractSha256())
        .append('\n');
    return sb.toString();
  }

  private String json(LintReport r, List<ReportItem> items, List<String> files, String label) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("ok", !r.hasErrors());
    j.put("environment", environment);
    j.put("protected", r.protectedEnvironment());
    j.put("judged", label);
    j.put("contract_sha256", r.contractSha256());
    j.put("files", files);
    j.put("statements", r.statements());
    List<Object> findings = new ArrayList<>();
    for (int k = 0; k < items.size(); k++) {
      ReportItem i = items.get(k);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("rule", i.rule());
      f.put("severity", i.level());
      f.put("file", i.file());
      f.put("migration", r.findings().get(k).migration());
      f.put("line", i.line());
      f.put("column", i.column());
      f.put("message", i.message());
      f.put("excerpt", i.excerpt());
      f.put("recipe", i.recipe());
      f.put("covered", i.suppressedBy() != null);
      f.put("covered_by", i.suppressedBy());
      findings.add(f);
    }
    j.put("findings", findings);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("errors", r.count(Severity.ERROR));
    summary.put("warnings", r.count(Severity.WARNING));
    summary.put("covered", r.covered());
    j.put("summary", summary);
    return Json.write(j);
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

  /**
   * The server whose rules judge the files: {@code --dialect}; else the server of {@code --env}'s
   * environment, or of every environment in prodguard.yml (they must agree), each from its resolved
   * URL or its {@code database:} key ({@link ServerKind}); PostgreSQL when there is no
   * prodguard.yml. Never a guess from unresolved {@code ${...}} text: when nothing tells, a
   * configuration error.
   */
  static DatabaseKind dialect(
      String option,
      Optional<ProdguardConfig> config,
      Optional<EnvironmentConfig> env,
      Map<String, String> variables) {
    Optional<DatabaseKind> explicit = Optional.empty();
    if (option != null) {
      explicit =
          Optional.of(
              DatabaseKind.fromOptionName(option)
                  .orElseThrow(
                      () ->
                          new ConfigException(
                              "--dialect must be postgresql or mariadb (alias mysql)")));
    }
    if (env.isPresent()) {
      Optional<DatabaseKind> kind = ServerKind.of(env.get(), variables);
      if (explicit.isPresent() && kind.isPresent() && explicit.get() != kind.get()) {
        throw new ConfigException(
            "--dialect "
                + ServerKind.id(explicit.get())
                + " contradicts environment '"
                + env.get().name()
                + "', which runs "
                + ServerKind.label(kind.get())
                + ": drop --dialect");
      }
      return explicit.or(() -> kind).orElseThrow(() -> unknown(env.get()));
    }
    if (explicit.isPresent() || config.isEmpty()) {
      return explicit.orElse(DatabaseKind.WITHOUT_CONFIGURATION);
    }
    Map<String, DatabaseKind> kinds = new LinkedHashMap<>();
    for (EnvironmentConfig e : config.get().environments().values()) {
      kinds.put(e.name(), ServerKind.of(e, variables).orElseThrow(() -> unknown(e)));
    }
    if (kinds.values().stream().distinct().count() > 1) {
      StringBuilder which = new StringBuilder();
      kinds.forEach(
          (name, k) ->
              which
                  .append(which.length() == 0 ? "" : ", ")
                  .append(name)
                  .append(": ")
                  .append(ServerKind.label(k)));
      throw new ConfigException(
          "the environments run different servers ("
              + which
              + "): lint with --env ENV to judge by one of them");
    }
    return kinds.values().iterator().next();
  }

  private static ConfigException unknown(EnvironmentConfig env) {
    return new ConfigException(
        env.file(), env.line(), "environments." + env.name(), ServerKind.unknownFix(env));
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
    Path p = Path.of(file).toAbsolutePath().normalize();
    Path b = base.toAbsolutePath().normalize();
    String s = p.startsWith(b) ? b.relativize(p).toString() : file;
    return s.replace('\\', '/');
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }
}
