package dev.prodguard.maven;

import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.config.ServerKind;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code prodguard:lint}, bound to {@code verify}: the migrations of {@code migrations.locations}
 * in Flyway's order against the contract (G4), as {@code prodguard lint} judges them, with no
 * database. Writes {@code target/prodguard/lint.sarif}; fails the build on an uncovered error.
 */
@Mojo(name = "lint", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class LintMojo extends AbstractProdguardMojo {
  /**
   * Judge with this environment's severity; without it, as for a protected one (strictest). Its own
   * property, {@code prodguard.lint.environment}: {@code -Dprodguard.environment=dev} given for
   * {@code check} in the same run must not lower lint's severity.
   */
  @Parameter(property = "prodguard.lint.environment")
  String environment;

  /**
   * {@code postgresql} or {@code mariadb}; default: the environments' server ({@code database:}).
   */
  @Parameter(property = "prodguard.dialect")
  String dialect;

  @Override
  String goal() {
    return "lint";
  }

  @Override
  void run() throws MojoFailureException, IOException {
    ProdguardConfig cfg = requiredConfig();
    Path base = cfg.baseDir();
    Contract contract =
        ContractLoader.forConfig(cfg)
            .orElseGet(
                () -> {
                  getLog()
                      .info(
                          "prodguard lint: no contract at "
                              + cfg.contract()
                              + "; applying the default forbidden rules");
                  return ContractLoader.parse(
                      cfg.contract(), "version: 1\n".getBytes(StandardCharsets.UTF_8));
                });
    Optional<EnvironmentConfig> env =
        environment == null ? Optional.empty() : Optional.of(cfg.environment(environment));
    boolean protectedEnv = env.map(EnvironmentConfig::isProtected).orElse(true);
    DatabaseKind kind = dialect(cfg, env);

    // the configuration's history table, schemas and Java migration folders, as verify reads them
    dev.prodguard.migration.MigrationEngine engine = new FlywayMigrationEngine().configuredBy(cfg);
    MigrationFiles files = MigrationFiles.read(cfg, System.getenv());
    // as 'prodguard lint' judges: placeholders replaced as Flyway will, the contract's baseline
    Linter linter = Linter.forEngine(kind, engine, files);
    List<MigrationSource> sources =
        engine.discover(files, kind).all().stream().filter(s -> s.role().analysed()).toList();
    History split = History.of(sources, files, contract);
    LintReport report = linter.lint(split.judged(), split.history(), contract, protectedEnv, true);

    List<Finding> findings = report.findings().stream().map(f -> f.relativeTo(base)).toList();
    Path sarif =
        writeReport(
            "lint.sarif",
            SarifWriter.write(version(), base.toUri(), new Rules().reported(), findings));
    logFindings(findings);
    String summary =
        TextWriter.count(report.count(Severity.ERROR), "error")
            + ", "
            + TextWriter.count(report.count(Severity.WARNING), "warning")
            + (report.covered() > 0
                ? ", " + report.covered() + " covered by contract exceptions"
                : "")
            + " in "
            + TextWriter.count(report.files().size(), "file")
            + " ("
            + kind.label()
            + ", "
            + (environment == null ? "as for a protected environment" : "for '" + environment + "'")
            + "); SARIF: "
            + sarif;
    if (report.hasErrors()) {
      throw new MojoFailureException(
          "prodguard lint FAILED (G4 frozen mutation contract): "
              + summary
              + "\n  "
              + TextWriter.fixes(findings).strip().replace("\n", "\n  "));
    }
    getLog().info("prodguard lint ok: " + summary);
  }

  /** The server whose rules judge the files, as {@code prodguard lint} decides it. */
  private DatabaseKind dialect(ProdguardConfig cfg, Optional<EnvironmentConfig> env) {
    return ServerKind.judging(
        dialect,
        Optional.of(cfg),
        env,
        System.getenv(),
        "<dialect>",
        "set <environment> (or -Dprodguard.lint.environment)");
  }
}
