package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Progress;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.trace.StatementTrace;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace on real PostgreSQL against work a statement does out of sight of a plain before/after
 * comparison (issue 17): the rewrites of a trigger a {@code TRUNCATE} fires, a rewrite through an
 * inheritance parent, work done at commit, whole-table row locks, and locks released by a rolled
 * back subtransaction. One target: {@code orders} with 30,000 rows (about 2 MB).
 */
@DisplayName("G4 trace: work out of sight of the before/after comparison (PostgreSQL)")
class G4TraceHiddenWorkIT {
  @TempDir Path dir;

  private PipelineFixture f;

  @BeforeEach
  void target() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    f.pipeline().promote("prod");
    f.db.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text)",
        "INSERT INTO orders SELECT g, 'n' FROM generate_series(1, 30000) g",
        "CREATE TABLE cache (k text)",
        "ANALYZE orders");
  }

  @AfterEach
  void close() {
    f.close();
  }

  private TraceReport trace() throws Exception {
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", Optional.empty());
  }

  private void contract(String body) throws IOException {
    Files.writeString(dir.resolve("prodguard-contract.yml"), "version: 1\n" + body);
  }

  private static List<Finding> findings(TraceReport r, String migration, String rule) {
    return r.findings().stream()
        .filter(x -> x.migration().startsWith(migration) && x.rule().equals(rule))
        .toList();
  }

  private static StatementTrace statement(TraceReport r, String migration) {
    return r.statements().stream()
        .filter(s -> s.migration().startsWith(migration))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no trace of " + migration + ": " + r.statements()));
  }

  @Test
  @DisplayName(
      "G4: a TRUNCATE spares only the tables it empties: an ON TRUNCATE trigger that rewrites"
          + " another table is a rewrite of that table (all of the TRUNCATE's new files were"
          + " discarded)")
  void truncateTriggerRewritesAnotherTable() throws Exception {
    f.db.execute(
        "CREATE FUNCTION cache_cleared() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " EXECUTE 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()';"
            + " RETURN NULL; END $$",
        "CREATE TRIGGER cache_cleared AFTER TRUNCATE ON cache"
            + " FOR EACH STATEMENT EXECUTE FUNCTION cache_cleared()");
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration("V2__clear.sql", "TRUNCATE cache;\n");

    TraceReport r = trace();

    StatementTrace t = statement(r, "V2");
    assertThat(t.rewritten()).containsExactly("public.orders");
    assertThat(findings(r, "V2", "trace-table-rewrite"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message()).contains("public.orders (", "trace.max-rewrite-size");
            });
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: TRUNCATE ... CASCADE of a table and the tables that reference it is still no rewrite of"
          + " any of them")
  void truncateCascadeIsNoRewrite() throws Exception {
    f.db.execute(
        "CREATE TABLE lines (order_id bigint REFERENCES orders, qty int)",
        "INSERT INTO lines SELECT g, 1 FROM generate_series(1, 30000) g",
        "ANALYZE lines");
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration("V2__clear.sql", "TRUNCATE TABLE ONLY public.orders RESTART IDENTITY CASCADE;\n");

    TraceReport r = trace();

    StatementTrace t = statement(r, "V2");
    assertThat(t.lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(t.lockOn("public.lines")).isEqualTo("AccessExclusiveLock");
    assertThat(t.rewritten()).isEmpty();
    assertThat(t.indexesBuilt()).isEmpty();
    assertThat(r.findings()).noneMatch(x -> x.rule().equals("trace-table-rewrite"));
  }

  @Test
  @DisplayName(
      "G4: a rewrite through an inheritance parent is one rewrite of the parent and its children,"
          + " sized as their sum: three children under trace.max-rewrite-size: 1MB each, above it"
          + " together, are an error (each child was sized alone); a protected child stays an"
          + " error")
  void inheritanceRewriteIsSummed() throws Exception {
    f.db.execute(
        "CREATE TABLE legacy (id bigint, payload text)",
        "CREATE TABLE legacy_1 () INHERITS (legacy)",
        "CREATE TABLE legacy_2 () INHERITS (legacy)",
        "CREATE TABLE legacy_3 () INHERITS (legacy)",
        "INSERT INTO legacy_1 SELECT g, repeat('x', 40) FROM generate_series(1, 9000) g",
        "INSERT INTO legacy_2 SELECT g, repeat('x', 40) FROM generate_series(1, 9000) g",
        "INSERT INTO legacy_3 SELECT g, repeat('x', 40) FROM generate_series(1, 9000) g",
        "ANALYZE legacy_1",
        "ANALYZE legacy_2",
        "ANALYZE legacy_3");
    for (String child : List.of("legacy_1", "legacy_2", "legacy_3")) {
      assertThat(
              Long.parseLong(
                  f.query("SELECT pg_total_relation_size('" + child + "')").orElseThrow()))
          .as(child + " alone stays under the limit")
          .isLessThan(1024L * 1024);
    }
    contract("trace: { max-rewrite-size: 1MB }\nprotected-tables: { legacy_2: {} }\n");
    f.migration(
        "V2__token.sql", "ALTER TABLE legacy ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");

    TraceReport r = trace();

    assertThat(statement(r, "V2").rewritten()).containsExactly("public.legacy");
    assertThat(r.sizes().get("public.legacy").bytes()).isGreaterThan(1024L * 1024);
    assertThat(r.sizes().get("public.legacy").rows()).isBetween(26_000L, 28_000L);
    assertThat(findings(r, "V2", "trace-table-rewrite"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message()).contains("public.legacy (", "trace.max-rewrite-size");
            });
    assertThat(r.findings())
        .filteredOn(x -> x.migration().equals("V2") && x.message().contains("public.legacy_2 ("))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message()).contains("protected-tables");
            });
  }

  @Test
  @DisplayName(
      "G4: an UPDATE or DELETE of every row (no WHERE) of a table with rows on the target is a"
          + " fact (trace-every-row-locked) with the batching recipe, sized by the target's"
          + " estimate; the contract forbids it by fact; a WHERE, or a table empty on the target,"
          + " is no such fact")
  void everyRowWrite() throws Exception {
    contract("forbidden: [trace-every-row-locked]\n");
    f.migration("V2__all.sql", "UPDATE orders SET note = 'x';\n");
    f.migration("V3__some.sql", "UPDATE orders SET note = 'y' WHERE id < 10;\n");
    f.migration("V4__empty.sql", "DELETE FROM cache;\n");
    f.migration("V5__cte.sql", "WITH gone AS (SELECT 1) DELETE FROM public.orders USING gone;\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(statement(r, "V2").everyRow()).containsExactly("public.orders");
    assertThat(findings(r, "V2", "trace-every-row-locked"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message())
                  .contains(
                      "updates every row of public.orders (30.0 k rows",
                      "until the migration's transaction commits",
                      "the contract forbids trace-every-row-locked");
              assertThat(x.recipe()).contains("batches by key ranges");
            });
    assertThat(statement(r, "V3").everyRow()).isEmpty();
    assertThat(findings(r, "V3", "trace-every-row-locked")).isEmpty();
    assertThat(statement(r, "V4").everyRow()).containsExactly("public.cache");
    assertThat(findings(r, "V4", "trace-every-row-locked")).isEmpty();
    assertThat(findings(r, "V5", "trace-every-row-locked"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("deletes every row of public.orders"));
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: work done at COMMIT is traced when the deferred constraint trigger is created by the"
          + " migration itself (the target holds nothing deferrable before it): its rewrite of"
          + " orders is the migration's COMMIT")
  void deferredTriggerCreatedByTheMigration() throws Exception {
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration("V2__sync.sql", SYNC);
    f.migration(
        "V3__warm.sql",
        "CREATE CONSTRAINT TRIGGER cache_sync AFTER INSERT ON cache"
            + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cache_sync();\n"
            + "INSERT INTO cache VALUES ('k');\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(commit(r, "V3").rewritten()).containsExactly("public.orders");
    assertThat(commit(r, "V3").lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(findings(r, "V3", "trace-table-rewrite")).isNotEmpty();
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: work done at COMMIT is traced when what is deferred lives in a temporary table: a"
          + " deferred constraint trigger of a temporary table the migration creates rewrites"
          + " orders at the commit (the check for anything deferrable reads every schema,"
          + " pg_temp_* included)")
  void deferredTriggerOfATemporaryTable() throws Exception {
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration("V2__sync.sql", SYNC);
    f.migration(
        "V3__warm.sql",
        "CREATE TEMPORARY TABLE warm (k text);\n"
            + "CREATE CONSTRAINT TRIGGER warm_sync AFTER INSERT ON warm"
            + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.cache_sync();\n"
            + "INSERT INTO warm VALUES ('k');\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(commit(r, "V3").rewritten()).containsExactly("public.orders");
    assertThat(commit(r, "V3").lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(r.blocking()).isTrue();
  }

  /** A trigger function, in a migration (its body analysed), that rewrites orders. */
  private static final String SYNC =
      "CREATE FUNCTION cache_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
          + " ALTER TABLE public.orders ADD COLUMN token uuid DEFAULT gen_random_uuid();"
          + " RETURN NULL; END $$;\n";

  private static StatementTrace commit(TraceReport r, String migration) {
    return r.statements().stream()
        .filter(s -> s.migration().startsWith(migration) && s.sql().startsWith("COMMIT"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no COMMIT traced: " + r.statements()));
  }

  @Test
  @DisplayName(
      "G4: work done at COMMIT is traced: a deferred constraint trigger that rewrites another"
          + " table is reported as the migration's COMMIT, with its rewrite (the probe read the"
          + " locks before the commit ran it)")
  void deferredTriggerAtCommit() throws Exception {
    f.db.execute(
        "CREATE FUNCTION cache_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " EXECUTE 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()';"
            + " RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER cache_sync AFTER INSERT ON cache"
            + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cache_sync()");
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration("V2__warm.sql", "INSERT INTO cache VALUES ('k');\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    StatementTrace commit =
        r.statements().stream()
            .filter(s -> s.migration().startsWith("V2") && s.sql().startsWith("COMMIT"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no COMMIT traced: " + r.statements()));
    assertThat(commit.rewritten()).containsExactly("public.orders");
    assertThat(commit.lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(findings(r, "V2", "trace-table-rewrite"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message()).contains("public.orders (");
            });
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: a DO block whose exception handler rolls back a block that locked a protected table"
          + " (empty on the target, so no data branch) is trace-incomplete, naming the table (its"
          + " locks were released before the probe read them); the CREATE TYPE ... EXCEPTION WHEN"
          + " duplicate_object idiom, which names no table, is traced as usual")
  void rolledBackSubtransactionLocks() throws Exception {
    f.db.execute("CREATE TABLE ledger (id int)");
    contract("protected-tables: { ledger: {} }\n");
    f.migration(
        "V2__type.sql",
        "DO $$ BEGIN CREATE TYPE mood AS ENUM ('ok'); EXCEPTION WHEN duplicate_object THEN NULL;"
            + " END $$;\n");
    f.migration(
        "V3__swallow.sql",
        "DO $$ BEGIN LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE; PERFORM 1 / 0;"
            + " EXCEPTION WHEN division_by_zero THEN NULL; END $$;\n");

    TraceReport r = trace();

    assertThat(statement(r, "V2").sql()).startsWith("DO");
    assertThat(findings(r, "V2", "trace-incomplete")).isEmpty();
    assertThat(findings(r, "V3", "trace-incomplete"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message()).contains("exception handler", "public.ledger");
            });
    assertThat(r.incomplete()).isPresent();
    assertThat(r.blocking()).isTrue();
  }
}
