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
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7 (issue 14, item 28): a project Flyway 3/4 started keeps its history in {@code schema_version}
 * ({@code flyway.table=schema_version}, {@code spring.flyway.table}). prodguard read such a
 * database as one without history: every migration pending on a populated schema. Now {@code
 * migrations.table} names it (Flyway's {@code table}), and prodguard reads, guards (G6) and deploys
 * into that table; without the key such a database is refused, naming the table and the key.
 */
@DisplayName("G7 a legacy history table (schema_version) is read where Flyway keeps it")
class G7LegacyHistoryTableIT {
  @TempDir Path dir;

  private static final class Legacy implements AutoCloseable {
    final TestDatabase db;
    final Path dir;
    final Path migrations;
    final Optional<String> appUser;

    Legacy(DatabaseKind kind, Path dir) throws Exception {
      this.db = TestDatabase.create(kind);
      this.dir = dir;
      this.migrations = dir.resolve("db/migration");
      this.appUser =
          kind == DatabaseKind.MARIADB
              ? Optional.of(db.createUser(PipelineFixture.APP_PRIVILEGES))
              : Optional.empty();
      file("V1__customers.sql", "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50));\n");
      file("V2__seed.sql", "INSERT INTO customers VALUES (1, 'one'), (2, 'two');\n");
      // what the project ran for years: Flyway's own API with the history table of Flyway 3/4
      Flyway.configure()
          .dataSource(db.jdbcUrl(), null, null)
          .locations("filesystem:" + migrations)
          .table("schema_version")
          .load()
          .migrate();
    }

    void file(String name, String sql) throws Exception {
      Files.createDirectories(migrations);
      Files.writeString(migrations.resolve(name), sql);
    }

    Map<String, String> ciEnv() {
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("PROD_DATABASE_URL", appUser.map(db::libpqUrl).orElse(db.libpqUrl()));
      appUser.ifPresent(u -> env.put("PROD_DEPLOY_DATABASE_URL", db.libpqUrl()));
      env.put("GITHUB_SHA", PipelineFixture.COMMIT);
      return env;
    }

    RunContext ci() {
      return new RunContext(ciEnv(), Clock.systemUTC(), "runner", "ci-host");
    }

    String yaml(String fp, boolean tableKey) {
      return "environments:\n"
          + "  prod:\n"
          + "    url: ${PROD_DATABASE_URL}\n"
          + (appUser.isPresent() ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n" : "")
          + (fp == null ? "" : "    fingerprint: " + fp + "\n")
          + "    protected: true\n"
          + "migrations:\n"
          + "  locations: [db/migration]\n"
          + (tableKey ? "  table: schema_version\n" : "")
          + "backup: { directory: backups }\n";
    }

    FingerprintInit.Result adopt(boolean tableKey) throws Exception {
      RunContext ci = ci();
      ProdguardConfig bare = Configs.load(dir, yaml(null, tableKey));
      FingerprintInit.Result r =
          FingerprintInit.run(
              Target.prepare(bare, "prod", ci, Target.Access.MUTATE, "init-fingerprint"),
              ci,
              false,
              new FlywayMigrationEngine());
      Configs.write(dir, yaml(r.fingerprint(), tableKey));
      return r;
    }

    Pipeline pipeline() {
      return new Pipeline(
          dev.prodguard.config.ConfigLoader.load(dir.resolve("prodguard.yml")),
          ci(),
          new FlywayMigrationEngine());
    }

    List<String> history(String table) throws SQLException {
      List<String> out = new ArrayList<>();
      try (Connection c = db.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT version, success FROM " + table + " ORDER BY installed_rank")) {
        while (rs.next()) {
          out.add(rs.getString(1) + (rs.getBoolean(2) ? "" : " failed"));
        }
      }
      return out;
    }

    boolean tableExists(String table) throws SQLException {
      try (Connection c = db.connect();
          ResultSet rs =
              c.getMetaData()
                  .getTables(
                      c.getCatalog(),
                      db.kind() == DatabaseKind.POSTGRESQL ? "public" : null,
                      table,
                      null)) {
        return rs.next();
      }
    }

    @Override
    public void close() {
      db.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: with migrations.table: schema_version a Flyway 3/4 history adopts prodguard: guarded"
          + " (G6), verify with nothing pending, promote deploys into schema_version, status and"
          + " drift read it")
  void legacyHistoryTableIsReadAndGuarded(DatabaseKind kind) throws Exception {
    try (Legacy l = new Legacy(kind, dir)) {
      FingerprintInit.Result adopted = l.adopt(true);
      assertThat(adopted.guards().historyTable()).contains("schema_version");
      assertThat(adopted.guards().historyGuard().state())
          .isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);

      Results.Verify v = l.pipeline().verify("prod");
      assertThat(v.upToDate()).as("nothing pending: V1 and V2 are in schema_version").isTrue();

      l.file("V3__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY, customer INT);\n");
      Results.Promote p = l.pipeline().promote("prod");
      assertThat(p.deploy()).isPresent();
      assertThat(p.deploy().get().applied())
          .extracting(MigrationEngine.Applied::script)
          .containsExactly("V3__orders.sql");
      assertThat(l.history("schema_version")).containsExactly("1", "2", "3");
      assertThat(l.tableExists("flyway_schema_history")).isFalse();

      Results.Status s = l.pipeline().status("prod");
      assertThat(s.pending()).isEmpty();
      assertThat(s.validationProblems()).isEmpty();
      assertThat(s.guards().database().historyGuard())
          .isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);
      assertThat(s.drift().refuses()).as("drift: " + s.drift()).isFalse();
      assertThat(l.pipeline().verify("prod").upToDate()).isTrue();

      // G6 on schema_version: a hand-run write of the history outside a deploy is refused
      Throwable direct;
      try (Connection c = l.db.connect();
          Statement st = c.createStatement()) {
        direct = catchThrowable(() -> st.executeUpdate("DELETE FROM schema_version"));
      }
      assertThat(direct).isInstanceOf(SQLException.class).hasMessageContaining("prodguard");
      assertThat(l.history("schema_version")).containsExactly("1", "2", "3");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: without migrations.table, a database whose history is schema_version is refused by"
          + " init-fingerprint, verify, status and promote, naming the table and the key; nothing"
          + " is applied")
  void legacyHistoryTableWithoutTheKeyIsRefused(DatabaseKind kind) throws Exception {
    try (Legacy l = new Legacy(kind, dir)) {
      Throwable init = catchThrowable(() -> l.adopt(false));
      assertRefusedNaming(init);
      assertThat(l.tableExists("database_metadata")).as("init-fingerprint wrote nothing").isFalse();

      l.adopt(true);
      Files.writeString(
          dir.resolve("prodguard.yml"),
          Files.readString(dir.resolve("prodguard.yml")).replace("  table: schema_version\n", ""));
      l.file("V3__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY, customer INT);\n");

      assertRefusedNaming(catchThrowable(() -> l.pipeline().verify("prod")));
      assertRefusedNaming(catchThrowable(() -> l.pipeline().status("prod")));
      assertRefusedNaming(catchThrowable(() -> l.pipeline().promote("prod")));
      assertThat(l.tableExists("orders")).isFalse();
      assertThat(l.tableExists("flyway_schema_history")).isFalse();
      assertThat(l.history("schema_version")).containsExactly("1", "2");
    }
  }

  private static void assertRefusedNaming(Throwable t) {
    assertThat(t).isInstanceOf(GuardRefusal.class);
    GuardRefusal r = (GuardRefusal) t;
    assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
    assertThat(r.why()).contains("'schema_version'", "migrations.table");
    assertThat(r.fix()).contains("migrations.table: schema_version");
    assertThat(r.render().lines().count()).isLessThan(25);
  }
}
