package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12 on real servers: statements whose harm does not show in their first keyword, and
 * statements that split the deploy's transaction or touch prodguard's own objects. Each is refused
 * by verify (run by promote) before any backup, and the database is left exactly as it was.
 */
@DisplayName("G4 statements judged whole, before any backup (pipeline)")
class G4HiddenChangesPipelineIT {
  @TempDir Path dir;

  /** prod (protected) and dev (not protected), on PostgreSQL and MariaDB. */
  static Stream<Arguments> environments(DatabaseKind... kinds) {
    Stream.Builder<Arguments> b = Stream.builder();
    for (DatabaseKind kind : kinds) {
      b.add(Arguments.of(kind, "prod", true));
      b.add(Arguments.of(kind, "dev", false));
    }
    return b.build();
  }

  static Stream<Arguments> bothServers() {
    return environments(DatabaseKind.POSTGRESQL, DatabaseKind.MARIADB);
  }

  static Stream<Arguments> postgres() {
    return environments(DatabaseKind.POSTGRESQL);
  }

  /** A fixture with V1 (items, 3 rows) deployed through the pipeline. */
  private PipelineFixture deployed(DatabaseKind kind, String env, boolean isProtected)
      throws Exception {
    PipelineFixture f = PipelineFixture.create(kind, dir, env, isProtected, false);
    try {
      f.pipeline().promote(env);
      return f;
    } catch (Exception | AssertionError e) {
      f.close();
      throw e;
    }
  }

  /**
   * promote refuses at verify under G4 naming {@code rule}: no verified run, no new backup, no new
   * history row.
   */
  private static GuardRefusal refusedBeforeBackup(PipelineFixture f, String env, String rule)
      throws Exception {
    String history = f.query("SELECT COUNT(*) FROM flyway_schema_history").orElseThrow();
    long backups = backups(f);

    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().promote(env));

    assertThat(r).as("promote must be refused").isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
    assertThat(r.why()).contains("[" + rule + "]");
    assertThat(f.query("SELECT COUNT(*) FROM prodguard_run WHERE status = 'verified'"))
        .contains("0");
    assertThat(backups(f)).as("no backup was taken").isEqualTo(backups);
    assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history")).contains(history);
    return r;
  }

  private static long backups(PipelineFixture f) throws Exception {
    Path d = f.dir.resolve("backups");
    if (!Files.isDirectory(d)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(d)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @ParameterizedTest(name = "G4: {0} is refused before any backup; the rows stay")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE ... AS WITH (DELETE) | CREATE TABLE grab AS WITH d AS (DELETE FROM items RETURNING *) SELECT * FROM d;
          MERGE ... WHEN MATCHED THEN DELETE | MERGE INTO items USING (SELECT 1 AS x) s ON true WHEN MATCHED THEN DELETE;
          CREATE RULE ... DO ALSO DELETE | CREATE RULE wipe AS ON INSERT TO items DO ALSO DELETE FROM items;\\nINSERT INTO items VALUES (4, 'four');
          """)
  void hiddenDeleteRefused(String label, String sql) throws Exception {
    try (PipelineFixture f = deployed(DatabaseKind.POSTGRESQL, "prod", true)) {
      f.migration("V2__hidden.sql", sql.replace("\\n", "\n") + "\n");

      refusedBeforeBackup(f, "prod", "delete-without-where");

      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("3");
      assertThat(f.tableExists("grab")).isFalse();
      assertThat(f.query("SELECT COUNT(*) FROM pg_rules WHERE rulename = 'wipe'")).contains("0");
    }
  }

  @ParameterizedTest(name = "G7: COMMIT inside a migration is refused before any backup: {0} {1}")
  @MethodSource("postgres")
  void transactionControlRefused(DatabaseKind kind, String env, boolean isProtected)
      throws Exception {
    try (PipelineFixture f = deployed(kind, env, isProtected)) {
      f.migration(
          "V2__kind.sql",
          "CREATE TYPE kind AS ENUM ('a');\n"
              + "INSERT INTO items VALUES (10, 'ten');\n"
              + "COMMIT;\n"
              + "ALTER TYPE kind ADD VALUE 'x';\n"
              + "BEGIN;\n"
              + "INSERT INTO items VALUES (1, 'fails: duplicate key');\n");

      GuardRefusal r = refusedBeforeBackup(f, env, "transaction-control");

      assertThat(r.why()).contains("V2__kind.sql:3", "V2__kind.sql:5");
      assertThat(f.query("SELECT COUNT(*) FROM pg_type WHERE typname = 'kind'")).contains("0");
      assertThat(f.query("SELECT COUNT(*) FROM items WHERE id = 10")).contains("0");
    }
  }

  @ParameterizedTest(
      name = "G10: deleting prodguard_audit rows is refused before any backup: {0} {1}")
  @MethodSource("bothServers")
  void auditDeleteRefused(DatabaseKind kind, String env, boolean isProtected) throws Exception {
    try (PipelineFixture f = deployed(kind, env, isProtected)) {
      String last = f.query("SELECT MAX(seq) FROM prodguard_audit").orElseThrow();
      String rows = f.query("SELECT COUNT(*) FROM prodguard_audit").orElseThrow();
      f.migration(
          "V2__tidy.sql",
          (kind == DatabaseKind.POSTGRESQL ? "SET session_replication_role = replica;\n" : "")
              + "DELETE FROM prodguard_audit WHERE seq > 1;\n");

      refusedBeforeBackup(f, env, "prodguard-objects");

      assertThat(f.query("SELECT COUNT(*) FROM prodguard_audit WHERE seq <= " + last))
          .contains(rows);
    }
  }

  @ParameterizedTest(
      name = "G10: rewriting database_metadata is refused before any backup: {0} {1}")
  @MethodSource("bothServers")
  void metadataUpdateRefused(DatabaseKind kind, String env, boolean isProtected) throws Exception {
    try (PipelineFixture f = deployed(kind, env, isProtected)) {
      f.migration(
          "V2__adopt.sql",
          "UPDATE database_metadata SET fingerprint = '"
              + env
              + "-0000000000000000' WHERE id = 1;\n");

      refusedBeforeBackup(f, env, "prodguard-objects");

      assertThat(f.query("SELECT fingerprint FROM database_metadata")).contains(f.fingerprint());
    }
  }

  @ParameterizedTest(name = "G4: {0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: verify refuses, as a configuration error, a contract prodguard.yml names but that is"
          + " missing")
  void namedContractMissing(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind, "prod", true)) {
      Files.writeString(
          dir.resolve("prodguard.yml"),
          Files.readString(dir.resolve("prodguard.yml")) + "contract: contracts/prod.yml\n");
      f.migration("V2__users.sql", "CREATE TABLE users (id INT PRIMARY KEY);\n");

      dev.prodguard.config.ConfigException e =
          catchThrowableOfType(
              dev.prodguard.config.ConfigException.class, () -> f.pipeline().promote("prod"));

      assertThat(e).as("promote must fail with a configuration error").isNotNull();
      assertThat(e.file()).endsWith("prod.yml");
      assertThat(e.getMessage()).contains("does not exist");
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_run WHERE status = 'verified'"))
          .contains("0");
      assertThat(f.tableExists("users")).isFalse();
    }
  }
}
