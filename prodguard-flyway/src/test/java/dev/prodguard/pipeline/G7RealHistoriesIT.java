package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real histories (issue 14): a production database that plain Flyway has migrated for years, with a
 * migration deleted after it ran (the project ships {@code ignoreMigrationPatterns: "*:missing"}),
 * adopts prodguard on real PostgreSQL and MariaDB: init-fingerprint, verify with nothing pending,
 * then a new migration through promote, with the deleted version reviewed in the contract's {@code
 * history:} and no hand-run {@code flyway repair}. The review is one version in one state: a second
 * deleted migration is still refused, on verify and inside Flyway's own validation on migrate; an
 * entry that matches nothing is refused.
 */
@DisplayName("G7 real histories: reviewed missing, ignored and future versions")
class G7RealHistoriesIT {
  @TempDir Path dir;

  /** The legacy project: a database plain Flyway migrated, then prodguard adopted. */
  private static final class Adopted implements AutoCloseable {
    final TestDatabase db;
    final Path dir;
    final Path migrations;
    final Optional<String> appUser;
    String fingerprint;

    Adopted(DatabaseKind kind, Path dir) {
      this.db = TestDatabase.create(kind);
      this.dir = dir;
      this.migrations = dir.resolve("db/migration");
      this.appUser =
          kind == DatabaseKind.MARIADB
              ? Optional.of(db.createUser(PipelineFixture.APP_PRIVILEGES))
              : Optional.empty();
    }

    void file(String name, String sql) throws Exception {
      Files.createDirectories(migrations);
      Files.writeString(migrations.resolve(name), sql);
    }

    /** What the project ran for years: Flyway's own API, its own settings. */
    void plainFlywayMigrate(String... ignoreMigrationPatterns) {
      Flyway.configure()
          .dataSource(db.jdbcUrl(), null, null)
          .locations("filesystem:" + migrations)
          .ignoreMigrationPatterns(ignoreMigrationPatterns)
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

    String yaml(String fp) {
      return "environments:\n"
          + "  prod:\n"
          + "    url: ${PROD_DATABASE_URL}\n"
          + (appUser.isPresent() ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n" : "")
          + (fp == null ? "" : "    fingerprint: " + fp + "\n")
          + "    protected: true\n"
          + "migrations:\n"
          + "  locations: [db/migration]\n"
          + "backup: { directory: backups }\n";
    }

    /** init-fingerprint prod, as CI runs it once when the team adopts prodguard. */
    void adopt() throws Exception {
      RunContext ci = ci();
      ProdguardConfig bare = Configs.load(dir, yaml(null));
      fingerprint =
          FingerprintInit.run(
                  Target.prepare(bare, "prod", ci, Target.Access.MUTATE, "init-fingerprint"),
                  ci,
                  false,
                  new FlywayMigrationEngine())
              .fingerprint();
      Configs.write(dir, yaml(fingerprint));
    }

    void contract(String history) throws Exception {
      Files.writeString(dir.resolve(ContractLoader.DEFAULT_FILE), "version: 1\n" + history);
    }

    Pipeline pipeline() {
      return new Pipeline(
          dev.prodguard.config.ConfigLoader.load(dir.resolve("prodguard.yml")),
          ci(),
          new FlywayMigrationEngine());
    }

    /** version/success rows of the history, in rank order. */
    List<String> history() throws Exception {
      List<String> out = new ArrayList<>();
      try (Connection c = db.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT version, success FROM flyway_schema_history ORDER BY installed_rank")) {
        while (rs.next()) {
          out.add(rs.getString(1) + (rs.getBoolean(2) ? "" : " failed"));
        }
      }
      return out;
    }

    @Override
    public void close() {
      db.close();
    }
  }

  /** V1..V4 migrated by plain Flyway over the years; V2 deleted from the repository since. */
  private Adopted legacy(DatabaseKind kind) throws Exception {
    Adopted a = new Adopted(kind, dir);
    try {
      a.file(
          "V1__customers.sql", "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50));\n");
      a.file("V2__seed.sql", "INSERT INTO customers VALUES (1, 'one'), (2, 'two');\n");
      a.file("V3__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY, customer INT);\n");
      a.file("V4__orders_note.sql", "ALTER TABLE orders ADD COLUMN note VARCHAR(100);\n");
      a.plainFlywayMigrate();
      Files.delete(a.migrations.resolve("V2__seed.sql"));
      a.plainFlywayMigrate("*:missing"); // what the project's own config ships: nothing to do
      return a;
    } catch (Exception | Error e) {
      a.close();
      throw e;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: a database plain Flyway migrated for years, one migration deleted after it ran, adopts"
          + " prodguard: verify with nothing pending, then promote, no repair")
  void adoptionWithoutRepair(DatabaseKind kind) throws Exception {
    try (Adopted a = legacy(kind)) {
      a.adopt();

      // Without a review, the deleted migration is what it always was: refused (G7).
      assertThatThrownBy(() -> a.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why()).contains("2");
                assertThat(r.fix()).contains("contract's history");
              });

      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync in 2023\" }\n");
      Results.Verify v = a.pipeline().verify("prod");
      assertThat(v.upToDate()).isTrue();

      a.file("V5__orders_shipped.sql", "ALTER TABLE orders ADD COLUMN shipped_at DATE;\n");
      Results.Promote p = a.pipeline().promote("prod");
      assertThat(p.deploy()).isPresent();
      assertThat(p.deploy().get().applied())
          .extracting(MigrationEngine.Applied::script)
          .containsExactly("V5__orders_shipped.sql");
      // V2's row is still there and still a success: nothing was repaired or deleted.
      assertThat(a.history()).containsSubsequence("1", "2", "3", "4", "5");
      assertThat(a.history()).noneMatch(h -> h.endsWith("failed"));
      assertThat(a.pipeline().status("prod").validationProblems()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "G7: a review covers one version in one state: a second deleted migration is still refused"
          + " by verify, and by Flyway's own validation when migrate runs")
  void oneVersionNotABlanket() throws Exception {
    try (Adopted a = legacy(DatabaseKind.POSTGRESQL)) {
      a.adopt();
      Files.delete(a.migrations.resolve("V3__orders.sql"));
      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n");

      GuardRefusal r = (GuardRefusal) catchThrowable(() -> a.pipeline().verify("prod"));
      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("V3").doesNotContain("V2 ");

      // The engine itself, at migrate: Flyway's validateOnMigrate still sees V3.
      MigrationEngine engine =
          new FlywayMigrationEngine()
              .reviewing(ContractLoader.load(a.dir.resolve(ContractLoader.DEFAULT_FILE)).history());
      MigrationFiles files =
          MigrationFiles.read(
              dev.prodguard.config.ConfigLoader.load(a.dir.resolve("prodguard.yml")),
              java.util.Map.of());
      org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
      ds.setURL(a.db.jdbcUrl());
      assertThat(engine.validate(files, ds)).singleElement().asString().contains("3");
      assertThatThrownBy(() -> engine.migrate(files, ds))
          .isInstanceOf(MigrationEngine.MigrationFailure.class)
          .hasMessageContaining("3");
    }
  }

  @Test
  @DisplayName(
      "G4: a history entry that matches nothing in the target's history is refused, like an"
          + " exception that covers nothing")
  void entryThatMatchesNothing() throws Exception {
    try (Adopted a = legacy(DatabaseKind.POSTGRESQL)) {
      a.adopt();
      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n"
              + "  - { version: \"4\", state: missing, reason: \"stale: V4 is still here\" }\n");
      assertThatThrownBy(() -> a.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
                assertThat(r.why()).contains("V4 missing", "matches nothing");
              });
      assertThat(a.pipeline().status("prod").validationProblems())
          .anyMatch(p -> p.contains("V4 missing"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: one contract serves old and new databases: a reviewed deleted migration is satisfied on"
          + " a protected database that never ran it, and an entry no database can hold, or that"
          + " contradicts the history, is still refused")
  void oneContractForOldAndNewDatabases(DatabaseKind kind) throws Exception {
    String review =
        "history:\n"
            + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n";
    try (Adopted old = legacy(kind)) {
      old.adopt();
      old.contract(review);
      assertThat(old.pipeline().verify("prod").upToDate()).isTrue();
    }
    // A new tenant (a fresh, protected database) gets the same files and the same contract.
    Path newDir = Files.createDirectories(dir.resolve("new-tenant"));
    try (Adopted fresh = new Adopted(kind, newDir)) {
      fresh.file(
          "V1__customers.sql", "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50));\n");
      fresh.file("V3__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY, customer INT);\n");
      fresh.file("V4__orders_note.sql", "ALTER TABLE orders ADD COLUMN note VARCHAR(100);\n");
      fresh.adopt();
      fresh.contract(review);
      assertThat(fresh.pipeline().verify("prod").set().pending()).hasSize(3);
      fresh.pipeline().promote("prod");
      assertThat(fresh.history()).containsSubsequence("1", "3", "4").doesNotContain("2");
      assertThat(fresh.pipeline().verify("prod").upToDate()).isTrue();
      assertThat(fresh.pipeline().status("prod").validationProblems()).isEmpty();

      // Stale everywhere: V4's file is there, so no database can hold V4 missing.
      fresh.contract(
          review + "  - { version: \"4\", state: missing, reason: \"stale: V4 is still here\" }\n");
      assertThatThrownBy(() -> fresh.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
                assertThat(r.why()).contains("V4 missing", "its migration file is there");
              });
      assertThat(fresh.pipeline().status("prod").validationProblems())
          .anyMatch(p -> p.contains("V4 missing"));

      // The state contradicts this history: V4 deleted is newer than every file, so Flyway
      // holds it future, not missing.
      Files.delete(fresh.migrations.resolve("V4__orders_note.sql"));
      assertThatThrownBy(() -> fresh.pipeline().verify("prod")).isInstanceOf(GuardRefusal.class);
      assertThat(fresh.pipeline().status("prod").validationProblems())
          .anyMatch(p -> p.contains("V4 missing") && p.contains("it is future there"));
    }
  }

  @Test
  @DisplayName(
      "G7: future (applied by a release these files predate) and ignored (a file below the applied"
          + " versions) pass only when reviewed, and the ignored one never runs")
  void futureAndIgnored() throws Exception {
    try (Adopted a = legacy(DatabaseKind.POSTGRESQL)) {
      a.adopt();
      String v4 = Files.readString(a.migrations.resolve("V4__orders_note.sql"));
      // The release that shipped V4 was reverted in the repository; the database keeps V4.
      Files.delete(a.migrations.resolve("V4__orders_note.sql"));
      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n");
      assertThatThrownBy(() -> a.pipeline().verify("prod"))
          .isInstanceOfSatisfying(GuardRefusal.class, r -> assertThat(r.why()).contains("4"));
      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n"
              + "  - { version: \"4\", state: future, reason: \"release 7 reverted, V4 stays\" }\n");
      assertThat(a.pipeline().verify("prod").upToDate()).isTrue();

      // The revert is reverted; a hotfix branch merged late brings V3.5, below the applied V4.
      a.file("V4__orders_note.sql", v4);
      a.file("V3_5__late.sql", "CREATE TABLE late (id INT);\n");
      a.file("V5__orders_ref.sql", "ALTER TABLE orders ADD COLUMN ref VARCHAR(20);\n");
      assertThatThrownBy(() -> a.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> assertThat(r.why()).contains("3.5")); // and the stale future entry
      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n"
              + "  - { version: \"3.5\", state: ignored, reason: \"applied by hand in INC-42\" }\n");
      a.pipeline().promote("prod");
      assertThat(a.history()).contains("5").doesNotContain("3.5");
      try (Connection c = a.db.connect();
          ResultSet rs = c.getMetaData().getTables(null, null, "late", null)) {
        assertThat(rs.next()).as("V3.5 never ran").isFalse();
      }
    }
  }

  @Test
  @DisplayName(
      "G7: a file below the applied versions is named in the state Flyway reads it in (ignored),"
          + " with 'will not run here' (prodguard never runs out of order); an entry naming it"
          + " missing is refused as the invalid entry (G4), not as the same G7 again")
  void skippedFileNamedInItsOwnState() throws Exception {
    try (Adopted a = legacy(DatabaseKind.POSTGRESQL)) {
      a.adopt();
      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n");
      // A data migration the target never ran (the project's own Flyway runs outOfOrder(true)).
      a.file("V3_2__data_fix.sql", "UPDATE customers SET name = 'x' WHERE id = 1;\n");
      GuardRefusal first = (GuardRefusal) catchThrowable(() -> a.pipeline().verify("prod"));
      assertThat(first).isNotNull();
      assertThat(first.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(first.fix())
          .contains("{ version: \"3.2\", state: ignored")
          .contains("never runs a migration out of order")
          .contains("will not run on 'prod'")
          .doesNotContain("state: missing");

      // Following a wrong state: the entry itself is what verify names.
      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n"
              + "  - { version: \"3.2\", state: missing, reason: \"never ran\" }\n");
      GuardRefusal second = (GuardRefusal) catchThrowable(() -> a.pipeline().verify("prod"));
      assertThat(second).isNotNull();
      assertThat(second.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(second.why())
          .contains("V3.2 missing", "its migration file is there", "'prod' holds it ignored")
          .contains("state: ignored");

      a.contract(
          "history:\n"
              + "  - { version: \"2\", state: missing, reason: \"seed data moved to sync\" }\n"
              + "  - { version: \"3.2\", state: ignored, reason: \"never ran\" }\n");
      assertThat(a.pipeline().verify("prod").upToDate()).isTrue();
    }
  }

  @Test
  @DisplayName(
      "G7: on an unprotected environment (a fresh dev database never ran the deleted migration) an"
          + " entry that does not match passes, unless the files contradict it")
  void unprotectedEnvironment() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.create(DatabaseKind.POSTGRESQL, dir, "dev", false, false)) {
      Files.writeString(
          dir.resolve(ContractLoader.DEFAULT_FILE),
          "version: 1\nhistory:\n"
              + "  - { version: \"2\", state: missing, reason: \"deleted after prod ran it\" }\n");
      f.migration("V3__more.sql", "CREATE TABLE more_items (id INT);\n");
      assertThat(f.pipeline().verify("dev").upToDate()).isFalse();

      Files.writeString(
          dir.resolve(ContractLoader.DEFAULT_FILE),
          "version: 1\nhistory:\n"
              + "  - { version: \"3\", state: missing, reason: \"stale: V3's file is here\" }\n");
      assertThatThrownBy(() -> f.pipeline().verify("dev"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> assertThat(r.why()).contains("V3 missing", "its migration file is there"));
    }
  }
}
