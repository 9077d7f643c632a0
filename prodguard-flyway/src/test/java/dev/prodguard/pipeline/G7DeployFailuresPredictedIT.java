package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14: each file below verified (and cost a backup) before, then failed the deploy, leaving
 * earlier migrations of the same promote applied. Now {@code promote} refuses it in verify, G7,
 * before any backup and before anything is applied, naming the file and the fix; and plain Flyway
 * {@code migrate} of the same files really fails with the error prodguard predicted, so the refusal
 * is a prediction, not a guess.
 */
@DisplayName("G7: verify refuses, before the backup, the deploy failures the files alone determine")
class G7DeployFailuresPredictedIT {
  @TempDir Path dir;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "mixed transactional and non-transactional statements",
            "V2__mixed.sql",
            "ALTER TABLE t ADD COLUMN d int;\nCREATE INDEX CONCURRENTLY t_d ON t (d);\n",
            null,
            "Detected both transactional and non-transactional statements"),
        Arguments.of(
            "REINDEX CONCURRENTLY, which Flyway runs in a transaction",
            "V2__reindex.sql",
            "REINDEX INDEX CONCURRENTLY t_pkey;\n",
            null,
            "cannot run inside a transaction block"),
        Arguments.of(
            "CREATE INDEX CONCURRENTLY forced into a transaction by its .conf",
            "V2__index.sql",
            "CREATE INDEX CONCURRENTLY t_c ON t (c);\n",
            "executeInTransaction=true\n",
            "cannot run inside a transaction block"),
        Arguments.of(
            "VACUUM after a transactional statement",
            "V2__vacuum.sql",
            "CREATE TABLE u (id int);\nVACUUM t;\n",
            null,
            "Detected both transactional and non-transactional statements"),
        Arguments.of(
            "a placeholder without a value in a name",
            "V2__prefix.sql",
            "CREATE TABLE ${prefix}_items (id int);\n",
            null,
            "No value provided for placeholder: ${prefix}"),
        Arguments.of(
            "a placeholder without a value in a literal",
            "V2__greeting.sql",
            "INSERT INTO t (id, note) VALUES (9, 'Hello ${customer}');\n",
            null,
            "No value provided for placeholder: ${customer}"),
        Arguments.of(
            "a lower-case migration name",
            "v2__lower.sql",
            "CREATE TABLE lower_t (id int);\n",
            null,
            "Invalid SQL filenames found"));
  }

  @ParameterizedTest(name = "G7: {0}")
  @MethodSource("cases")
  @DisplayName("G7: promote refuses in verify what plain Flyway then fails on")
  void predicted(String what, String name, String sql, String conf, String flywaySays)
      throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      Files.delete(f.migrations.resolve("V1__items.sql"));
      f.migration("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY, c int, note text);\n");
      f.migration(name, sql);
      if (conf != null) {
        f.migration(name + ".conf", conf);
      }

      assertThatThrownBy(() -> f.pipeline().promote("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why()).contains("the deploy would fail", name);
                // the file's own fix, or for a name the naming to use
                assertThat(r.why() + "\n" + r.fix())
                    .containsAnyOf("fix:", "V<version>__<description>.sql");
              });
      // refused before anything: no run, no backup, V1 not applied either
      assertThat(f.query("SELECT count(*)::text FROM prodguard_run")).contains("0");
      assertThat(f.tableExists("t")).isFalse();
      assertThat(dir.resolve("backups"))
          .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());

      // the same files without prodguard's callback (its assert exists only where prodguard is)
      Path files = Files.createDirectories(dir.resolve("plain"));
      Files.copy(f.migrations.resolve("V1__t.sql"), files.resolve("V1__t.sql"));
      Files.copy(f.migrations.resolve(name), files.resolve(name));
      if (conf != null) {
        Files.copy(f.migrations.resolve(name + ".conf"), files.resolve(name + ".conf"));
      }
      try (TestDatabase plain = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
        assertThatThrownBy(() -> plainFlyway(plain, files).load().migrate())
            .isInstanceOf(FlywayException.class)
            .hasMessageContaining(flywaySays);
      }
    }
  }

  @Test
  @DisplayName(
      "G7: the fixed files (a migration of its own, a .conf with executeInTransaction=false, a"
          + " placeholder value) promote")
  void fixed() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      Files.delete(f.migrations.resolve("V1__items.sql"));
      f.migration("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY, c int, note text);\n");
      f.migration("V2__add_d.sql", "ALTER TABLE t ADD COLUMN d int;\n");
      f.migration("V3__index_d.sql", "CREATE INDEX CONCURRENTLY t_d ON t (d);\n");
      f.migration("V4__reindex.sql", "REINDEX INDEX CONCURRENTLY t_pkey;\n");
      f.migration("V4__reindex.sql.conf", "executeInTransaction=false\n");
      f.migration(
          "V5__greeting.sql", "INSERT INTO t (id, note) VALUES (9, 'Hello ${customer}');\n");
      Path yml = dir.resolve("prodguard.yml");
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  "  locations: [db/migration]\n",
                  "  locations: [db/migration]\n  placeholders: { customer: Ada }\n"));

      assertThat(f.pipeline().promote("prod").deploy().orElseThrow().applied()).hasSize(5);
      assertThat(f.query("SELECT note FROM t WHERE id = 9")).contains("Hello Ada");
    }
  }

  @Test
  @DisplayName(
      "G7: a placeholder value changed between verify and deploy is refused, and the refusal says"
          + " a placeholder value may be what changed (it said only 'a migration file')")
  void placeholderValueChangedAfterVerify() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration(
          "V2__greeting.sql", "CREATE TABLE greeting (note text DEFAULT 'Hi ${customer}');\n");
      Path yml = dir.resolve("prodguard.yml");
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  "  locations: [db/migration]\n",
                  "  locations: [db/migration]\n  placeholders: { customer: '${CUSTOMER}' }\n"));
      java.util.Map<String, String> env = new java.util.HashMap<>(f.ciEnv());
      env.put("CUSTOMER", "Ada");
      dev.prodguard.db.RunContext ada =
          new dev.prodguard.db.RunContext(env, java.time.Clock.systemUTC(), "runner", "ci-host");
      f.pipeline(ada).verify("prod");
      f.pipeline(ada).backup("prod", java.util.Optional.empty());
      env.put("CUSTOMER", "Grace");
      dev.prodguard.db.RunContext grace =
          new dev.prodguard.db.RunContext(env, java.time.Clock.systemUTC(), "runner", "ci-host");
      assertThatThrownBy(() -> f.pipeline(grace).deploy("prod", java.util.Optional.empty()))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why()).contains("placeholder value", "script configuration");
              });
      assertThat(f.tableExists("greeting")).isFalse();
    }
  }

  /** Flyway as a project runs it by hand, with the naming check prodguard always sets. */
  static FluentConfiguration plainFlyway(TestDatabase db, Path location) {
    FluentConfiguration c =
        Flyway.configure()
            .dataSource(db.jdbcUrl(), null, null)
            .locations("filesystem:" + location)
            .validateMigrationNaming(true);
    c.getPluginRegister()
        .getExact(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    return c;
  }
}
