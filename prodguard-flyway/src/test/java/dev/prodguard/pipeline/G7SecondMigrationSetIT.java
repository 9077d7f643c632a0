package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7 (new user NU13/01, conductor-oss/conductor): a project whose second module runs its own Flyway
 * with its own history table ({@code flyway_schema_history_scheduler}) in the same schema.
 * prodguard keeps one migration set per schema; the second set's configuration was refused with the
 * advice to set {@code migrations.table} to the first set's history table, which would have read
 * the main history as the module's. The refusal now tells the two cases apart by the other table's
 * entries and names the way that works: a schema of the module's own ({@code
 * migrations.default-schema}), which this test then takes end to end on real PostgreSQL.
 */
@DisplayName("G7 a second migration set in one database")
class G7SecondMigrationSetIT {
  @TempDir Path dir;

  /** One module of the project: its own folder, prodguard.yml and migrations. */
  private static final class Module {
    final TestDatabase db;
    final Path dir;
    final String extraKeys;
    final Optional<String> appUser;

    Module(TestDatabase db, Path dir, String extraKeys, Optional<String> appUser) throws Exception {
      this.db = db;
      this.dir = dir;
      this.extraKeys = extraKeys;
      this.appUser = appUser;
      Files.createDirectories(dir.resolve("db/migration"));
    }

    void file(String name, String sql) throws Exception {
      Files.writeString(dir.resolve("db/migration").resolve(name), sql);
    }

    RunContext ci() {
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("PROD_DATABASE_URL", appUser.map(db::libpqUrl).orElse(db.libpqUrl()));
      appUser.ifPresent(u -> env.put("PROD_DEPLOY_DATABASE_URL", db.libpqUrl()));
      env.put("GITHUB_SHA", PipelineFixture.COMMIT);
      return new RunContext(env, Clock.systemUTC(), "runner", "ci-host");
    }

    String yaml(String fp) {
      return "environments:\n"
          + "  prod:\n"
          + "    url: ${PROD_DATABASE_URL}\n"
          + (appUser.isPresent() ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n" : "")
          + (fp == null ? "" : "    fingerprint: " + fp + "\n")
          + "    protected: true\n"
          + "migrations:\n"
          + "  locations: [db/migration]\n"
          + extraKeys
          + "backup: { directory: backups }\n";
    }

    String adopt() throws Exception {
      ProdguardConfig bare = Configs.load(dir, yaml(null));
      FingerprintInit.Result r =
          FingerprintInit.run(
              Target.prepare(bare, "prod", ci(), Target.Access.MUTATE, "init-fingerprint"),
              ci(),
              false,
              new FlywayMigrationEngine());
      Configs.write(dir, yaml(r.fingerprint()));
      return r.fingerprint();
    }

    /** This module's prodguard.yml with the database's fingerprint, without init-fingerprint. */
    void configure(String fingerprint) throws Exception {
      Configs.write(dir, yaml(fingerprint));
    }

    Pipeline pipeline() {
      return new Pipeline(
          dev.prodguard.config.ConfigLoader.load(dir.resolve("prodguard.yml")),
          ci(),
          new FlywayMigrationEngine());
    }
  }

  private static boolean tableExists(TestDatabase db, String schema, String table)
      throws SQLException {
    try (Connection c = db.connect();
        ResultSet rs = c.getMetaData().getTables(c.getCatalog(), schema, table, null)) {
      return rs.next();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: a module's own history table in the schema of the main set's history is refused with"
          + " a schema of its own as the way forward, not the main history's table name")
  void secondSetInTheSameSchemaIsRefusedNamingItsOwnSchema(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Optional<String> app =
          kind == DatabaseKind.MARIADB
              ? Optional.of(db.createUser(PipelineFixture.APP_PRIVILEGES))
              : Optional.empty();
      Module main = new Module(db, dir.resolve("main"), "", app);
      main.file("V1__workflows.sql", "CREATE TABLE workflows (id INT PRIMARY KEY);\n");
      String fingerprint = main.adopt();
      assertThat(main.pipeline().promote("prod").deploy()).isPresent();

      Module scheduler =
          new Module(
              db, dir.resolve("scheduler"), "  table: flyway_schema_history_scheduler\n", app);
      scheduler.file("V1__schedules.sql", "CREATE TABLE schedules (id INT PRIMARY KEY);\n");
      scheduler.configure(fingerprint);
      // prodguard's G6 callback as init-fingerprint writes it, so that G7 is what decides
      Files.copy(
          main.dir.resolve("db/migration/beforeEachMigrate.sql"),
          scheduler.dir.resolve("db/migration/beforeEachMigrate.sql"));

      for (Throwable t :
          new Throwable[] {
            catchThrowable(() -> scheduler.pipeline().verify("prod")),
            catchThrowable(() -> scheduler.pipeline().promote("prod"))
          }) {
        assertThat(t).isInstanceOf(GuardRefusal.class);
        GuardRefusal r = (GuardRefusal) t;
        assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
        assertThat(r.why()).contains("'flyway_schema_history'", "second migration set");
        assertThat(r.fix())
            .contains(
                kind == DatabaseKind.MARIADB
                    ? "a database of its own"
                    : "'migrations.default-schema: NAME'")
            .doesNotContain("migrations.table: flyway_schema_history");
        assertThat(r.render().lines().count()).isLessThan(25);
      }
      assertThat(tableExists(db, null, "schedules")).isFalse();
    }
  }

  @Test
  @DisplayName(
      "G7: the module in a schema of its own (migrations.default-schema) adopts and promotes into"
          + " the same protected PostgreSQL database; the main set stays up to date and deploys")
  void secondSetInItsOwnSchemaPromotes() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Module main = new Module(db, dir.resolve("main"), "", Optional.empty());
      main.file("V1__workflows.sql", "CREATE TABLE workflows (id INT PRIMARY KEY);\n");
      main.adopt();
      assertThat(main.pipeline().promote("prod").deploy()).isPresent();

      Module scheduler =
          new Module(
              db,
              dir.resolve("scheduler"),
              "  default-schema: scheduler\n  table: flyway_schema_history_scheduler\n",
              Optional.empty());
      scheduler.file("V1__schedules.sql", "CREATE TABLE schedules (id INT PRIMARY KEY);\n");
      scheduler.adopt();
      assertThat(scheduler.pipeline().promote("prod").deploy()).isPresent();
      assertThat(tableExists(db, "scheduler", "schedules")).isTrue();
      assertThat(tableExists(db, "scheduler", "flyway_schema_history_scheduler")).isTrue();

      assertThat(main.pipeline().verify("prod").upToDate()).isTrue();
      main.file("V2__tasks.sql", "CREATE TABLE tasks (id INT PRIMARY KEY);\n");
      Results.Promote p = main.pipeline().promote("prod");
      assertThat(p.deploy().orElseThrow().applied())
          .extracting(MigrationEngine.Applied::script)
          .containsExactly("V2__tasks.sql");
      assertThat(scheduler.pipeline().verify("prod").upToDate()).isTrue();
    }
  }
}
