package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A fingerprinted database on a real server, a repository folder with prodguard.yml and
 * db/migration, and a CI context (ci.mode env, CI=true) to run the pipeline from. A protected
 * MariaDB environment gets G6's role split, as a team would set it up: its {@code url} is an
 * application account with SELECT and EXECUTE on the database, and prodguard deploys with {@code
 * deploy-url} (the server's administrator here).
 */
final class PipelineFixture implements AutoCloseable {
  static final String COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

  final TestDatabase db;
  final Path dir;
  final Path migrations;
  final String environment;
  final boolean isProtected;
  private final boolean restoreCheck;

  /** The account of the environment's url on a protected MariaDB (role split); else empty. */
  final Optional<String> appUser;

  private String fingerprint;

  private PipelineFixture(
      DatabaseKind kind, Path dir, String environment, boolean isProtected, boolean restoreCheck) {
    this.db = TestDatabase.create(kind);
    this.dir = dir;
    this.migrations = dir.resolve("db/migration");
    this.environment = environment;
    this.isProtected = isProtected;
    this.restoreCheck = restoreCheck;
    this.appUser =
        isProtected && kind == DatabaseKind.MARIADB
            ? Optional.of(db.createUser(APP_PRIVILEGES))
            : Optional.empty();
  }

  /**
   * What an application's account holds on the database under the role split: reads and the assert,
   * no schema and no writes at database level (those would reach prodguard's tables and the history
   * table); writes are granted table by table on the application's own tables.
   */
  static final String APP_PRIVILEGES = "SELECT, EXECUTE";

  /** A protected 'prod' environment. */
  static PipelineFixture prod(DatabaseKind kind, Path dir) {
    return create(kind, dir, "prod", true, false);
  }

  /**
   * A protected 'prod' target promoted with V2 creating {@code users} (rows 1 and 2) after {@code
   * ddl}, then {@code setup} run by hand (a DBA's, an earlier tool's: only the target's catalog
   * tells of it) and its drift accepted; the contract protects {@code users}.
   */
  static PipelineFixture protectedUsers(DatabaseKind kind, Path dir, String ddl, String... setup)
      throws Exception {
    PipelineFixture f = prod(kind, dir);
    f.migration(
        "V2__users.sql",
        "CREATE TABLE users (id INT PRIMARY KEY, account_id INT);\n"
            + ddl
            + "INSERT INTO users VALUES (1, 1), (2, 2);\n");
    f.pipeline().promote("prod");
    if (setup.length > 0) {
      f.db.execute(setup);
      f.pipeline().driftAccept("prod", "objects made by hand, reviewed");
    }
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\nprotected-tables: { users: {} }\n");
    return f;
  }

  /** A protected 'prod' environment whose init-fingerprint wrote {@code engine}'s guard files. */
  static PipelineFixture prod(DatabaseKind kind, Path dir, MigrationEngine engine) {
    return create(kind, dir, "prod", true, false, engine);
  }

  static PipelineFixture create(
      DatabaseKind kind, Path dir, String env, boolean isProtected, boolean restoreCheck) {
    return create(kind, dir, env, isProtected, restoreCheck, new FlywayMigrationEngine());
  }

  static PipelineFixture create(
      DatabaseKind kind,
      Path dir,
      String env,
      boolean isProtected,
      boolean restoreCheck,
      MigrationEngine engine) {
    PipelineFixture f = new PipelineFixture(kind, dir, env, isProtected, restoreCheck);
    try {
      Files.createDirectories(f.migrations);
      RunContext ci = f.ci();
      ProdguardConfig bare = Configs.load(dir, f.yaml(null));
      f.fingerprint =
          FingerprintInit.run(
                  Target.prepare(bare, env, ci, Target.Access.MUTATE, "init-fingerprint"),
                  ci,
                  false,
                  engine)
              .fingerprint();
      Configs.write(dir, f.yaml(f.fingerprint));
      f.migration(
          "V1__items.sql",
          "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50));\n"
              + "INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three');\n");
      return f;
    } catch (Exception e) {
      f.close();
      throw new IllegalStateException(e);
    }
  }

  private String yaml(String fp) {
    return "environments:\n"
        + "  "
        + environment
        + ":\n"
        + "    url: ${"
        + urlVariable()
        + "}\n"
        + (appUser.isPresent() ? "    deploy-url: ${" + deployUrlVariable() + "}\n" : "")
        + (fp == null ? "" : "    fingerprint: " + fp + "\n")
        + "    protected: "
        + isProtected
        + "\n"
        + "migrations:\n"
        + "  locations: [db/migration]\n"
        + "pipeline: { verification-ttl: 30m, backup-ttl: 60m }\n"
        + "backup: { directory: backups, restore-check: "
        + restoreCheck
        + " }\n";
  }

  String urlVariable() {
    return environment.toUpperCase() + "_DATABASE_URL";
  }

  String deployUrlVariable() {
    return environment.toUpperCase() + "_DEPLOY_DATABASE_URL";
  }

  /**
   * The JDBC URL of the environment's own credential, what an application or a person running
   * Flyway by hand uses: the application account under MariaDB's role split, else the server's.
   */
  String appJdbcUrl() {
    return appUser.map(db::jdbcUrl).orElse(db.jdbcUrl());
  }

  ProdguardConfig config() {
    return dev.prodguard.config.ConfigLoader.load(dir.resolve("prodguard.yml"));
  }

  /** The variables of a CI job: CI=true, the URL, the commit, the actor. */
  Map<String, String> ciEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put(urlVariable(), appUser.map(db::libpqUrl).orElse(db.libpqUrl()));
    if (appUser.isPresent()) {
      env.put(deployUrlVariable(), db.libpqUrl());
    }
    env.put("GITHUB_SHA", COMMIT);
    env.put("GITHUB_ACTOR", "ci-bot");
    env.put("GITHUB_RUN_ID", "4711");
    return env;
  }

  RunContext ci() {
    return new RunContext(ciEnv(), Clock.systemUTC(), "runner", "ci-host");
  }

  /** CI, with the clock moved by {@code offset}. */
  RunContext ciAt(Duration offset) {
    return new RunContext(ciEnv(), Clock.offset(Clock.systemUTC(), offset), "runner", "ci-host");
  }

  Pipeline pipeline() {
    return pipeline(ci());
  }

  Pipeline pipeline(RunContext context) {
    return new Pipeline(config(), context, new FlywayMigrationEngine());
  }

  Pipeline pipeline(MigrationEngine engine) {
    return new Pipeline(config(), ci(), engine);
  }

  void migration(String name, String sql) {
    try {
      Files.writeString(migrations.resolve(name), sql);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code yaml} as the contract, its {@code baseline: { ... }} pinned, as a reviewer does,
   * to the history files as they are now ({@code baseline.sha256}).
   */
  void pinnedContract(String yaml) {
    try {
      Path file = dir.resolve("prodguard-contract.yml");
      Files.writeString(file, yaml);
      dev.prodguard.contract.Adoption.Baseline b =
          dev.prodguard.contract.ContractLoader.load(file).adoption().baselineIfAny().orElseThrow();
      dev.prodguard.migration.MigrationFiles files =
          dev.prodguard.migration.MigrationFiles.read(java.util.List.of(migrations));
      String digest =
          dev.prodguard.lint.History.sha256(
              b,
              new dev.prodguard.flyway.FlywayMigrationEngine()
                  .discover(files, db.kind())
                  .analysed(),
              files);
      Files.writeString(
          file, yaml.replaceFirst("(baseline: \\{[^}]*)\\}", "$1, sha256: \"" + digest + "\" }"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PostgreSQL or MariaDB spelling of "sleep this long". */
  String sleepSql(int seconds) {
    return db.kind() == DatabaseKind.POSTGRESQL
        ? "SELECT pg_sleep(" + seconds + ");"
        : "SELECT SLEEP(" + seconds + ");";
  }

  String fingerprint() {
    return fingerprint;
  }

  /** First column of the first row, or empty. */
  Optional<String> query(String sql) {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  boolean tableExists(String table) {
    String schema = db.kind() == DatabaseKind.POSTGRESQL ? "current_schema()" : "DATABASE()";
    return query(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                + schema
                + " AND table_name = '"
                + table
                + "'")
        .orElseThrow()
        .equals("1");
  }

  Run run(String id) {
    try (Connection c = db.connect()) {
      return new RunStore(c, DatabaseSupport.of(db.kind())).find(id).orElseThrow();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    db.close();
  }
}
