package dev.prodguard.pipeline;

import dev.prodguard.ci.CiIdentity;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What every step of the pipeline works with: prodguard.yml, the injected world ({@link
 * RunContext}: environment, clock, host), the migration engine and the analyser of its sources, the
 * session registrar and progress; and where a run comes from (the time, the commit CI builds, who
 * started it).
 */
final class StepContext {
  private static final SecureRandom RANDOM = new SecureRandom();

  final ProdguardConfig config;
  final RunContext context;
  final MigrationEngine engine;
  final MigrationAnalyzer analyzer;
  final SessionRegistrar registrar;
  final Progress progress;
  final Optional<CiIdentity> verifiedCi;

  /**
   * G8 for {@code promote}: the session of this process's control connection that took the deploy
   * lock before verify and holds it until deploy ends; empty for a single step.
   */
  final Optional<String> promoteLock;

  /**
   * What one {@code promote} shares between its steps: the fingerprint-checked (G2) connection that
   * holds the deploy lock, on which verify, backup and deploy do their own checks and records (as a
   * single step does on the connection that takes the lock), and the reading connection the
   * engine's validation and pending reads reuse; empty for a single step.
   */
  final Optional<PromoteSession> promote;

  /** The migration files one process verifies, backs up and deploys (a fleet's snapshot). */
  private final Optional<MigrationFiles> snapshot;

  StepContext(
      ProdguardConfig config,
      RunContext context,
      MigrationEngine engine,
      MigrationAnalyzer analyzer,
      SessionRegistrar registrar,
      Progress progress,
      Optional<CiIdentity> verifiedCi,
      Optional<PromoteSession> promote,
      Optional<MigrationFiles> snapshot) {
    this.config = config;
    this.context = context;
    this.engine = engine;
    this.analyzer = analyzer;
    this.registrar = registrar;
    this.progress = progress;
    this.verifiedCi = verifiedCi;
    this.promote = promote;
    this.promoteLock = promote.map(PromoteSession::lockSession);
    this.snapshot = snapshot;
  }

  /**
   * The migration files: the process's snapshot when it was given one (every target of a fleet gets
   * the same bytes, read and hashed once), else read now.
   */
  MigrationFiles files() {
    return snapshot.orElseGet(() -> MigrationFiles.read(config, context.env()));
  }

  /**
   * The control connection of a step on {@code target}: inside a promote, the promote's own
   * (already checked, holding the deploy lock; the step does not close it), else a new checked one
   * (G2).
   */
  Control control(Target target) throws SQLException {
    if (promote.isPresent()) {
      return new Control(promote.get().control(), false);
    }
    Target.Checked c = target.open();
    return new Control(c.connection(), true);
  }

  /** Connections for the engine's reads (validation, pending set): checked (G2). */
  DataSource reading(Target target) {
    return promote.isPresent() ? promote.get().reading() : TargetDataSource.reading(target);
  }

  /** A step's control connection; closed at the end of the step only when the step opened it. */
  record Control(Connection connection, boolean owned) implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      if (owned) {
        connection.close();
      }
    }
  }

  /** G1 (unless proven once for the process), the URL and G3 for {@code env}; see Target. */
  Target prepare(String env, Target.Access access, String what) {
    return Target.prepare(config, env, context, access, what, verifiedCi);
  }

  /** The clock's time, to the microsecond both databases store. */
  Instant now() {
    return context.clock().instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** The commit CI is building (GitHub Actions, GitLab CI). */
  Optional<String> commit() {
    for (String v : List.of("GITHUB_SHA", "CI_COMMIT_SHA")) {
      String s = context.get(v);
      if (s != null && !s.isBlank()) {
        return Optional.of(s.strip());
      }
    }
    return Optional.empty();
  }

  /** Who asks: the verified CI identity, else the operating-system user and host. */
  String subject(Target target) {
    return target
        .ciIdentity()
        .map(CiIdentity::describe)
        .orElse(context.osUser() + "@" + context.hostName() + " (not CI)");
  }

  String createdBy() {
    return context.osUser() + "@" + context.hostName();
  }

  static String newRunId() {
    return "run-" + HexFormat.of().formatHex(randomBytes(6));
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    // a server's error quotes values (a placeholder read from the environment included)
    return m == null ? e.getClass().getSimpleName() : dev.prodguard.db.Redactor.redact(m);
  }
}
