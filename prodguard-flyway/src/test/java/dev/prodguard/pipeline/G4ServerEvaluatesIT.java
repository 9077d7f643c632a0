package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Path;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4 (attacker's walk 26/01, 26/06, 26/08, 26/09 and the same root): what PostgreSQL evaluates by
 * itself beyond a write's triggers and constraints: a called routine's parameter defaults, the
 * index and statistics expressions that REINDEX, ANALYZE, CLUSTER and VACUUM FULL evaluate, the
 * query of an existing view the migration reads (of a materialized view it refreshes), a partition
 * key expression. The objects are made by hand on the target and the drift accepted, so only the
 * target's catalog tells of them; verify refuses before anything is deployed.
 */
@DisplayName("G4 writes of a protected table through what PostgreSQL evaluates by itself")
class G4ServerEvaluatesIT {
  @TempDir Path dir;

  private static final String CLEANUP =
      "CREATE FUNCTION cleanup_users() RETURNS boolean LANGUAGE plpgsql AS $$BEGIN"
          + " DELETE FROM users WHERE id > 0; RETURN true; END$$";

  /** Immutable, so an index or statistics expression may call it; it calls cleanup_users(). */
  private static final String ZI =
      "CREATE FUNCTION zi(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$BEGIN"
          + " PERFORM cleanup_users(); RETURN v; END$$";

  /**
   * A prod target with a users table (rows in it), {@code ddl} in V2, then {@code setup} by hand.
   */
  private PipelineFixture target(String ddl, String... setup) throws Exception {
    return PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, ddl, setup);
  }

  /** Each migration of a test is judged (softly: every one is reported, not the first only). */
  private final SoftAssertions softly = new SoftAssertions();

  @AfterEach
  void judged() {
    softly.assertAll();
  }

  /** verify refuses {@code sql} as V3 under G4, naming {@code why}; users keeps its rows. */
  private void assertRefused(PipelineFixture f, String sql, String... why) {
    f.migration("V3__evaluates.sql", sql);
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
    softly.assertThat(r).as("verify must refuse " + sql).isNotNull();
    if (r != null) {
      softly.assertThat(r.guarantee()).as(sql).isEqualTo(Guarantee.G4);
      softly
          .assertThat(r.why())
          .as(sql)
          .contains("V3__evaluates.sql", "protected-table-write")
          .contains(why);
    }
    softly.assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
  }

  private void assertPasses(PipelineFixture f, String sql) throws Exception {
    f.migration("V3__evaluates.sql", sql);
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
    softly.assertThat(r).as(sql + " must pass verify").isNull();
  }

  @Test
  @DisplayName(
      "G4 (26/01): a routine the migration calls directly evaluates its parameter defaults, one of"
          + " which deletes users")
  void parameterDefaultOfCalledRoutine() throws Exception {
    try (PipelineFixture f =
        target(
            CLEANUP
                + ";\nCREATE FUNCTION f(x boolean DEFAULT cleanup_users()) RETURNS int"
                + " LANGUAGE sql AS $$SELECT 1$$;\n",
            "CREATE FUNCTION evil() RETURNS int LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE id > 0; RETURN 1; END$$",
            "CREATE FUNCTION g(x int = evil()) RETURNS int LANGUAGE sql AS $$SELECT 1$$",
            "CREATE TABLE notes (id INT PRIMARY KEY)",
            "CREATE FUNCTION notes_ai() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " PERFORM g(); RETURN NEW; END$$",
            "CREATE TRIGGER notes_ai AFTER INSERT ON notes FOR EACH ROW"
                + " EXECUTE FUNCTION notes_ai()")) {
      // f and cleanup_users are the migrations' own (V2): the call is followed into f
      assertRefused(f, "SELECT f();\n", "cleanup_users", "protected table users");
      // g is the target's, called by a trigger's function
      assertRefused(
          f, "INSERT INTO notes VALUES (1);\n", "notes_ai", "evil()", "protected table users");
      assertRefused(f, "SELECT public.g();\n", "evil()", "protected table users");
    }
  }

  @Test
  @DisplayName(
      "G4 (26/06): REINDEX, ANALYZE, CLUSTER and VACUUM FULL evaluate index and statistics"
          + " expressions calling a routine that deletes users")
  void maintenanceEvaluatesIndexAndStatisticsExpressions() throws Exception {
    try (PipelineFixture f =
        target(
            "",
            CLEANUP,
            ZI,
            "CREATE TABLE idx (id INT PRIMARY KEY)",
            "CREATE INDEX idx_e ON idx ((zi(id)))",
            "CREATE TABLE st (id INT PRIMARY KEY)",
            "CREATE STATISTICS st_e ON (zi(id)) FROM st")) {
      assertRefused(f, "REINDEX TABLE idx;\n", "index idx_e", "zi()", "protected table users");
      assertRefused(f, "REINDEX INDEX idx_e;\n", "index idx_e", "zi()");
      assertRefused(f, "REINDEX SCHEMA public;\n", "index idx_e", "zi()");
      assertRefused(f, "CLUSTER idx USING idx_pkey;\n", "index idx_e", "zi()");
      assertRefused(f, "VACUUM FULL idx;\n", "index idx_e", "zi()");
      assertRefused(f, "ANALYZE idx;\n", "zi()", "protected table users");
      assertRefused(f, "ANALYZE st;\n", "statistics st_e", "zi()");
      assertRefused(f, "ANALYZE;\n", "zi()", "protected table users");
      assertRefused(f, "VACUUM (FULL, ANALYZE) st;\n", "zi()", "protected table users");
    }
  }

  @Test
  @DisplayName("G4 (26/06): ANALYZE of a target whose expressions write nothing still passes")
  void maintenanceOfHarmlessExpressionsPasses() throws Exception {
    try (PipelineFixture f =
        target(
            "",
            "CREATE TABLE named (id INT PRIMARY KEY, name text)",
            "CREATE INDEX named_lower ON named (lower(name))",
            "CREATE FUNCTION twice(v int) RETURNS int LANGUAGE sql IMMUTABLE AS $$SELECT v * 2$$",
            "CREATE INDEX named_twice ON named (twice(id))")) {
      assertPasses(f, "ANALYZE named;\n");
    }
  }

  @Test
  @DisplayName(
      "G4 (26/08, 26/09): reading an existing view, or refreshing a materialized view, evaluates"
          + " its query, which calls a routine that deletes users")
  void viewQueries() throws Exception {
    try (PipelineFixture f =
        target(
            "",
            CLEANUP,
            "CREATE TABLE notes (id INT PRIMARY KEY, ok boolean)",
            "CREATE VIEW v AS SELECT 1 AS id, cleanup_users() AS ok",
            "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS id, cleanup_users() AS ok WITH NO DATA",
            "CREATE VIEW plain AS SELECT id FROM notes")) {
      assertRefused(f, "SELECT * FROM v;\n", "view v", "cleanup_users()", "protected table users");
      assertRefused(f, "INSERT INTO notes SELECT * FROM v;\n", "view v", "cleanup_users()");
      assertRefused(f, "CREATE TABLE copied AS SELECT * FROM public.v;\n", "cleanup_users()");
      assertRefused(f, "REFRESH MATERIALIZED VIEW mv;\n", "view mv", "cleanup_users()");
      assertRefused(
          f, "CREATE MATERIALIZED VIEW mv2 AS SELECT * FROM v WITH DATA;\n", "cleanup_users()");
      // a materialized view's rows are stored: reading it runs no query
      assertPasses(f, "SELECT * FROM plain;\n");
    }
  }

  @Test
  @DisplayName(
      "G4 (same root as 26/06): inserting into a partitioned table evaluates its partition key"
          + " expression")
  void partitionKeyExpression() throws Exception {
    try (PipelineFixture f =
        target(
            "",
            CLEANUP,
            ZI,
            "CREATE TABLE parts (id INT) PARTITION BY RANGE ((zi(id)))",
            "CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (1000)")) {
      assertRefused(
          f, "INSERT INTO parts VALUES (1);\n", "partition key", "zi()", "protected table users");
    }
  }

  @Test
  @DisplayName(
      "G4 (same root): a SELECT policy calling a routine that deletes users is evaluated when the"
          + " migration reads the table")
  void selectPolicyOnRead() throws Exception {
    try (PipelineFixture f =
        target(
            "",
            CLEANUP,
            "CREATE TABLE notes (id INT PRIMARY KEY)",
            "ALTER TABLE notes ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE notes FORCE ROW LEVEL SECURITY",
            "CREATE POLICY notes_read ON notes FOR SELECT USING (cleanup_users())")) {
      assertRefused(f, "SELECT count(*) FROM notes;\n", "policy notes_read", "cleanup_users()");
    }
  }
}
