package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace of a target that holds no table but prodguard's own (a fresh database, the first deploy):
 * nothing that exists before the deploy can be locked, rewritten, scanned or dropped, so nothing is
 * replayed and no scratch server starts; and the shortcut is taken only then: one table anywhere on
 * the target, a pending file naming prodguard's tables, or a statement the trace never replays
 * still gets the full trace (or its refusal), and a stale trace exception is still an error.
 */
@DisplayName("G4 trace: nothing to trace on a target without tables, and only there (PostgreSQL)")
class G4TraceNothingToTraceIT {
  @TempDir Path dir;

  private PipelineFixture f;
  private final List<String> steps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void fresh() {
    // a fresh protected database: fingerprinted, V1 pending, nothing deployed
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
  }

  @AfterEach
  void close() {
    f.close();
  }

  /** On the embedded default (the only PostgreSQL server here is the target's own). */
  private TraceReport trace() throws Exception {
    Progress recording =
        new Progress() {
          @Override
          public void step(String message) {
            steps.add(message);
          }
        };
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), recording)
        .trace("prod", Optional.empty());
  }

  private boolean started() {
    return steps.stream().anyMatch(s -> s.startsWith("embedded PostgreSQL"));
  }

  @Test
  @DisplayName(
      "G4: a target with no table but prodguard's own has nothing to trace: no scratch server is"
          + " started, nothing is replayed, and the report says so")
  void freshTargetNothingToTrace() throws Exception {
    f.migration("V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, note text);\n");
    f.migration("V3__index.sql", "CREATE INDEX orders_note ON orders (note);\n");

    TraceReport r = trace();

    assertThat(r.nothingToTrace()).isTrue();
    assertThat(r.pendingMigrations()).isEqualTo(3);
    assertThat(r.statements()).isEmpty();
    assertThat(r.findings()).isEmpty();
    assertThat(r.blocking()).isFalse();
    assertThat(steps).contains("trace: " + TraceReport.NOTHING_TO_TRACE);
    assertThat(started()).as("no embedded server was started: " + steps).isFalse();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"foreign table", "view", "foreign server"})
  @DisplayName(
      "G4 (attacker 13b/F9): a foreign table, a view or a foreign server alone makes the target"
          + " traceable: a statement on one acts on rows elsewhere, so the target is not empty")
  void rowsElsewhereAreNotAnEmptyTarget(String what) throws Exception {
    if (!what.equals("view")) {
      f.db.execute(
          "CREATE FOREIGN DATA WRAPPER g4_fdw",
          "CREATE SERVER g4_remote FOREIGN DATA WRAPPER g4_fdw");
    }
    switch (what) {
      case "foreign table" -> f.db.execute("CREATE FOREIGN TABLE users (id int) SERVER g4_remote");
      case "view" -> f.db.execute("CREATE VIEW users AS SELECT 1 AS id");
      default -> {}
    }
    f.migration("V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");

    TraceReport r = trace();

    assertThat(r.nothingToTrace()).as(what + ": " + steps).isFalse();
    assertThat(steps).doesNotContain("trace: " + TraceReport.NOTHING_TO_TRACE);
  }

  @Test
  @DisplayName(
      "G4: one table outside the migrated schema (another schema, unknown to Flyway) makes the"
          + " target traceable: ACCESS EXCLUSIVE on it, a protected table, is an error")
  void tableInAnotherSchemaIsTraced() throws Exception {
    f.db.execute(
        "CREATE SCHEMA legacy",
        "CREATE TABLE legacy.users (id int PRIMARY KEY)",
        "INSERT INTO legacy.users SELECT g FROM generate_series(1, 1000) g",
        "ANALYZE legacy.users");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\nprotected-tables: { users: {} }\n");
    f.migration("V2__users.sql", "ALTER TABLE legacy.users ADD COLUMN email text;\n");

    TraceReport r = trace();

    assertThat(r.nothingToTrace()).isFalse();
    assertThat(started()).isTrue();
    Finding onUsers =
        r.findings().stream()
            .filter(x -> x.message().contains("legacy.users"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no finding on legacy.users: " + r.findings()));
    assertThat(onUsers.severity()).isEqualTo(Severity.ERROR);
    assertThat(onUsers.message()).contains("protected-tables");
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: on a target without tables a pending file naming prodguard's own tables (left out of"
          + " the copy) is still replayed, and fails there: an error")
  void namingOwnTablesIsReplayed() throws Exception {
    f.migration("V2__tamper.sql", "ALTER TABLE prodguard_run ADD COLUMN x int;\n");

    TraceReport r = trace();

    assertThat(r.nothingToTrace()).isFalse();
    assertThat(r.findings())
        .anySatisfy(x -> assertThat(x.rule()).isEqualTo("trace-statement-failed"));
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: on a target without tables the pending migrations are still judged first: COPY ... TO"
          + " PROGRAM refuses the trace, even covered by a reviewed exception")
  void judgedBeforeNothingToTrace() throws Exception {
    Path marker = dir.resolve("ran-on-host");
    f.migration("V2__program.sql", "COPY (SELECT 1) TO PROGRAM 'touch " + marker + "';\n");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\nexceptions:\n  - { migration: V2, rule: unknown-statement, reason: \"x\" }\n");

    assertThatThrownBy(this::trace)
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why()).contains("[unknown-statement]");
            });
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  @DisplayName(
      "G4: on a target without tables a reviewed trace exception for a pending migration covers"
          + " no fact: still the contract-exception-unused error")
  void unusedTraceExceptionStillAnError() throws Exception {
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\nexceptions:\n"
            + "  - { migration: V1, rule: trace-table-rewrite, reason: \"reviewed\" }\n");

    TraceReport r = trace();

    assertThat(r.nothingToTrace()).isTrue();
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("contract-exception-unused");
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
            });
    assertThat(r.blocking()).isTrue();
  }

  /**
   * Kestra's two statements shapes (its V1_1 line 73 and V1_27, new user NU27/01): a SQL-standard
   * function body ({@code RETURN expr}) that Flyway and prodguard split differently, so both are
   * {@code unknown-statement}s.
   */
  static final String RETURN_BODIES =
      "CREATE OR REPLACE FUNCTION words(text, text) RETURNS text\n"
          + "    LANGUAGE SQL\n    IMMUTABLE\n    RETURNS NULL ON NULL INPUT\n"
          + "    RETURN TRIM(BOTH $2 FROM REGEXP_REPLACE(COALESCE($1, ''), '[^a-z]', $2, 'g'));\n\n"
          + "CREATE OR REPLACE FUNCTION words_index(text) RETURNS tsvector\n"
          + "    LANGUAGE SQL\n    IMMUTABLE\n    RETURNS NULL ON NULL INPUT\n"
          + "    RETURN TO_TSVECTOR('simple', words($1, ' '));\n";

  static final String RETURN_BODY_AT_END =
      "CREATE OR REPLACE FUNCTION words(text, text) RETURNS text\n"
          + "    LANGUAGE SQL\n    IMMUTABLE\n    RETURNS NULL ON NULL INPUT\n"
          + "RETURN TRIM(BOTH $2 FROM ARRAY_TO_STRING(\n   ARRAY(\n       SELECT DISTINCT *\n"
          + "       FROM UNNEST(REGEXP_SPLIT_TO_ARRAY(COALESCE($1, ''), '[^a-z]')) AS a\n"
          + "       WHERE a != ''\n   ),\n   $2\n));";

  @Test
  @DisplayName(
      "G4 trace (NU27/01): on a target without tables the reviewed history under the contract's"
          + " baseline is not judged by the trace (nothing of it is replayed); a newer migration"
          + " still is, and its refusal names trace.verify: off")
  void reviewedHistoryOnFreshTargetNotRefused() throws Exception {
    f.migration("V2__words.sql", RETURN_BODIES);
    f.migration("V3__words.sql", RETURN_BODY_AT_END);
    f.pinnedContract(
        "version: 1\nbaseline: { version: \"3\", reason: \"ran in production (Kestra)\" }\n");

    TraceReport r = trace();

    assertThat(r.nothingToTrace()).isTrue();
    assertThat(r.pendingMigrations()).isEqualTo(3);
    assertThat(r.blocking()).isFalse();
    assertThat(started()).isFalse();

    // the same shape in a migration newer than the baseline is still judged, and the refusal
    // says why (nothing is replayed) and the way forward
    f.migration("V4__words.sql", RETURN_BODY_AT_END.replace("words(", "words4("));
    assertThatThrownBy(this::trace)
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why())
                  .contains("V4__words.sql", "[unknown-statement]", "holds no table");
              assertThat(g.why()).doesNotContain("V2__words.sql", "V3__words.sql");
              assertThat(g.fix()).contains("baseline: { version, reason, sha256 }");
              assertThat(g.fix()).contains("trace.verify: off");
            });
  }

  @Test
  @DisplayName(
      "G4 trace (NU27/01, attack): a statement added under the baseline after review is not"
          + " history: the history's digest no longer matches and the trace refuses")
  void historyEditedAfterReviewRefused() throws Exception {
    f.migration("V2__words.sql", RETURN_BODIES);
    f.migration("V3__words.sql", RETURN_BODY_AT_END);
    f.pinnedContract(
        "version: 1\nbaseline: { version: \"3\", reason: \"ran in production (Kestra)\" }\n");
    Path marker = dir.resolve("ran-on-host");
    f.migration(
        "V2__words.sql", RETURN_BODIES + "COPY (SELECT 1) TO PROGRAM 'touch " + marker + "';\n");

    assertThatThrownBy(this::trace)
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why()).contains("sha256");
            });
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  @DisplayName(
      "G4 trace (NU27/01): a target with tables where history under the baseline is still pending"
          + " (behind it) would replay it: the unreadable statement refuses, naming the baseline"
          + " and trace.verify: off")
  void pendingHistoryOnTargetWithTablesNamesTheWay() throws Exception {
    f.pipeline().promote("prod"); // V1: the target holds items
    f.migration("V2__words.sql", RETURN_BODIES);
    f.migration("V3__words.sql", RETURN_BODY_AT_END);
    f.pinnedContract(
        "version: 1\nbaseline: { version: \"3\", reason: \"ran in production (Kestra)\" }\n");

    assertThatThrownBy(this::trace)
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why())
                  .contains("V2__words.sql", "V3__words.sql", "[unknown-statement]")
                  .contains("history under the contract's baseline V3");
              assertThat(g.fix()).contains("trace.verify: off", "exceptions");
            });
  }
}
