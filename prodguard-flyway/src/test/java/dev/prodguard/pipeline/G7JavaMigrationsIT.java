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
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7 (issue 14, item 7): a project with Flyway Java migrations ({@code
 * src/main/java/db/migration/V2__Backfill_names.java}) next to its SQL ones. prodguard resolved SQL
 * files only, so an applied Java migration read as "missing" and needed a {@code history: missing}
 * entry. Now the sources of {@code migrations.java} (by default the package of each {@code
 * classpath:} location) are known to Flyway: an applied Java migration is applied, and a pending
 * one is refused (G4), since prodguard cannot read or run it.
 */
@DisplayName("G7 Java migrations: applied ones are history, pending ones are refused")
class G7JavaMigrationsIT {
  @TempDir Path dir;

  /** The project's Java migration as plain Flyway ran it, years ago. */
  static final class V2__Backfill_names extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
      try (Statement st = context.getConnection().createStatement()) {
        st.executeUpdate("UPDATE customers SET name = 'unknown' WHERE name IS NULL");
      }
    }
  }

  private static final class Project implements AutoCloseable {
    final TestDatabase db;
    final Path dir;
    final Path sql;
    final Path java;
    final Optional<String> appUser;

    Project(DatabaseKind kind, Path dir) throws Exception {
      this.db = TestDatabase.create(kind);
      this.dir = dir;
      this.sql = dir.resolve("src/main/resources/db/migration");
      this.java = dir.resolve("src/main/java/db/migration");
      this.appUser =
          kind == DatabaseKind.MARIADB
              ? Optional.of(db.createUser(PipelineFixture.APP_PRIVILEGES))
              : Optional.empty();
      Files.createDirectories(sql);
      Files.createDirectories(java);
      Files.writeString(
          sql.resolve("V1__customers.sql"),
          "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50));\n"
              + "INSERT INTO customers VALUES (1, NULL);\n");
      Files.writeString(
          java.resolve("V2__Backfill_names.java"),
          "package db.migration;\n\n"
              + "public class V2__Backfill_names extends"
              + " org.flywaydb.core.api.migration.BaseJavaMigration {\n"
              + "  public void migrate(org.flywaydb.core.api.migration.Context c) throws Exception"
              + " {}\n}\n");
      // what the project ran: Flyway with its SQL location and its compiled Java migration
      Flyway.configure()
          .dataSource(db.jdbcUrl(), null, null)
          .locations("filesystem:" + sql)
          .javaMigrations(new V2__Backfill_names())
          .load()
          .migrate();
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

    /** Flyway's location as prodguard.yml writes it. */
    String location = "classpath:db/migration";

    String yaml(String fp) {
      return "environments:\n"
          + "  prod:\n"
          + "    url: ${PROD_DATABASE_URL}\n"
          + (appUser.isPresent() ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n" : "")
          + (fp == null ? "" : "    fingerprint: " + fp + "\n")
          + "    protected: true\n"
          + "migrations:\n"
          + "  locations: ["
          + location
          + "]\n"
          + "backup: { directory: backups }\n";
    }

    void adopt() throws Exception {
      RunContext ci = ci();
      ProdguardConfig bare = Configs.load(dir, yaml(null));
      String fp =
          FingerprintInit.run(
                  Target.prepare(bare, "prod", ci, Target.Access.MUTATE, "init-fingerprint"),
                  ci,
                  false,
                  new FlywayMigrationEngine())
              .fingerprint();
      Configs.write(dir, yaml(fp));
    }

    Pipeline pipeline() {
      return new Pipeline(
          dev.prodguard.config.ConfigLoader.load(dir.resolve("prodguard.yml")),
          ci(),
          new FlywayMigrationEngine());
    }

    List<String> history() throws SQLException {
      List<String> out = new ArrayList<>();
      try (Connection c = db.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT version, type, success FROM flyway_schema_history"
                      + " ORDER BY installed_rank")) {
        while (rs.next()) {
          out.add(rs.getString(1) + " " + rs.getString(2) + (rs.getBoolean(3) ? "" : " failed"));
        }
      }
      return out;
    }

    @Override
    public void close() {
      db.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: an applied Java migration next to SQL ones is applied, not missing: verify with nothing"
          + " pending and no history entry, then promote deploys a new SQL migration")
  void appliedJavaMigrationIsHistory(DatabaseKind kind) throws Exception {
    try (Project p = new Project(kind, dir)) {
      p.adopt();
      assertThat(p.history()).containsExactly("1 SQL", "2 JDBC");

      Results.Verify v = p.pipeline().verify("prod");
      assertThat(v.upToDate()).isTrue();

      Files.writeString(
          p.sql.resolve("V3__orders.sql"), "CREATE TABLE orders (id INT PRIMARY KEY);\n");
      Results.Promote promoted = p.pipeline().promote("prod");
      assertThat(promoted.deploy().orElseThrow().applied())
          .extracting(MigrationEngine.Applied::script)
          .containsExactly("V3__orders.sql");
      Results.Status s = p.pipeline().status("prod");
      assertThat(s.validationProblems()).isEmpty();
      assertThat(s.pending()).isEmpty();
      assertThat(p.history()).containsExactly("1 SQL", "2 JDBC", "3 SQL");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: a pending Java migration is refused by verify and promote naming its file, never"
          + " passed unread; nothing is applied")
  void pendingJavaMigrationIsRefused(DatabaseKind kind) throws Exception {
    pendingJavaMigrationIsRefused(kind, "classpath:db/migration");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: the location written as the resources folder (src/main/resources/db/migration) reads"
          + " the same Java folder as classpath:db/migration: a pending Java migration is refused"
          + " (attacker 20/07)")
  void pendingJavaMigrationIsRefusedFolderForm(DatabaseKind kind) throws Exception {
    pendingJavaMigrationIsRefused(kind, "src/main/resources/db/migration");
  }

  private void pendingJavaMigrationIsRefused(DatabaseKind kind, String location) throws Exception {
    try (Project p = new Project(kind, dir)) {
      p.location = location;
      p.adopt();
      Files.writeString(
          p.java.resolve("V3__Purge_customers.java"),
          "package db.migration;\n// deletes every customer row, in Java: nothing prodguard reads\n");
      Files.writeString(
          p.sql.resolve("V4__orders.sql"), "CREATE TABLE orders (id INT PRIMARY KEY);\n");

      for (Throwable t :
          new Throwable[] {
            catchThrowable(() -> p.pipeline().verify("prod")),
            catchThrowable(() -> p.pipeline().promote("prod"))
          }) {
        assertThat(t).isInstanceOf(GuardRefusal.class);
        GuardRefusal r = (GuardRefusal) t;
        assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
        assertThat(r.why()).contains("V3__Purge_customers.java", "Java migration");
        assertThat(r.fix()).contains("SQL migration");
        assertThat(r.render().lines().count()).isLessThan(25);
      }
      assertThat(p.history()).containsExactly("1 SQL", "2 JDBC");
    }
  }
}
