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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace replays the pending migrations as the deploy's Flyway runs them, on real PostgreSQL (the
 * embedded scratch server): a file Flyway runs outside a transaction keeps its locks in the report,
 * the search path is Flyway's default schema first, and the project's SQL callbacks run where
 * Flyway runs them. Each test is an attack that the earlier trace reported wrong (a lock or a
 * rewrite of a big table missing).
 */
@DisplayName("G4 trace: replayed as the deploy runs it (transactions, search path, callbacks)")
class G4TraceAsDeployedIT {
  @TempDir Path dir;

  private PipelineFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  /** A promoted target whose {@code schema.orders} holds 200,000 rows. */
  private void target(String schema) throws Exception {
    f.pipeline().promote("prod");
    String orders = schema + ".orders";
    f.db.execute(
        "CREATE TABLE " + schema + ".customers (id int PRIMARY KEY)",
        "INSERT INTO " + schema + ".customers SELECT g FROM generate_series(0, 999) g",
        "CREATE TABLE "
            + orders
            + " (id bigint PRIMARY KEY, customer_id int NOT NULL, total numeric(10,2), note text)",
        "INSERT INTO "
            + orders
            + " SELECT g, g % 1000, g * 1.5, 'n' FROM generate_series(1, 200000) g",
        "ANALYZE " + orders,
        "ANALYZE " + schema + ".customers");
  }

  private TraceReport trace() throws Exception {
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", Optional.empty());
  }

  private static List<StatementTrace> statements(TraceReport r, String migration) {
    return r.statements().stream().filter(s -> s.migration().startsWith(migration)).toList();
  }

  private static List<Finding> findings(TraceReport r, String file, String rule) {
    return r.findings().stream()
        .filter(x -> x.file().endsWith(file) && x.rule().equals(rule))
        .toList();
  }

  @Test
  @DisplayName(
      "G4: a migration Flyway runs outside a transaction (executeInTransaction=false) keeps its"
          + " locks in the trace: the volatile default's ACCESS EXCLUSIVE and rewrite, a plain"
          + " CREATE INDEX's SHARE (not 'concurrently'), VACUUM FULL's ACCESS EXCLUSIVE and"
          + " rewrite, SHARE UPDATE EXCLUSIVE for CREATE INDEX, REINDEX and DROP INDEX"
          + " CONCURRENTLY; in_transaction stays"
          + " false (autocommit released every lock before it was read, and the plain index was"
          + " called concurrent)")
  void outsideATransactionLocksAreObserved() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    target("public");
    f.migration(
        "V2__outside.sql",
        "ALTER TABLE orders ADD COLUMN c int DEFAULT random();\n"
            + "CREATE INDEX orders_note ON orders (note);\n"
            + "VACUUM FULL customers;\n"
            + "CREATE INDEX CONCURRENTLY orders_total ON orders (total);\n"
            + "REINDEX INDEX CONCURRENTLY orders_note;\n"
            + "DROP INDEX CONCURRENTLY orders_total;\n");
    Files.writeString(f.migrations.resolve("V2__outside.sql.conf"), "executeInTransaction=false\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    List<StatementTrace> v2 = statements(r, "V2");
    assertThat(v2).hasSize(6).allMatch(t -> !t.inTransaction());
    assertThat(v2.get(0).lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(v2.get(0).rewritten()).containsExactly("public.orders");
    assertThat(v2.get(1).lockOn("public.orders")).isEqualTo("ShareLock");
    assertThat(v2.get(1).indexesBuilt())
        .containsExactly(
            new StatementTrace.IndexBuilt("public.orders_note", "public.orders", false));
    assertThat(v2.get(2).lockOn("public.customers")).isEqualTo("AccessExclusiveLock");
    assertThat(v2.get(2).rewritten()).containsExactly("public.customers");
    assertThat(v2.get(3).lockOn("public.orders")).isEqualTo("ShareUpdateExclusiveLock");
    assertThat(v2.get(3).indexesBuilt())
        .containsExactly(
            new StatementTrace.IndexBuilt("public.orders_total", "public.orders", true));
    assertThat(v2.get(4).lockOn("public.orders")).isEqualTo("ShareUpdateExclusiveLock");
    assertThat(v2.get(4).indexesBuilt())
        .containsExactly(
            new StatementTrace.IndexBuilt("public.orders_note", "public.orders", true, true));
    assertThat(v2.get(5).lockOn("public.orders")).isEqualTo("ShareUpdateExclusiveLock");
    assertThat(v2.get(5).dropped()).containsExactly("public.orders_total");
    assertThat(findings(r, "V2__outside.sql", "trace-table-rewrite"))
        .anySatisfy(
            x ->
                assertThat(x.message())
                    .startsWith(
                        "V2__outside.sql line 1 takes ACCESS EXCLUSIVE on public.orders ("));
    assertThat(findings(r, "V2__outside.sql", "trace-index-build-blocks-writes"))
        .singleElement()
        .satisfies(x -> assertThat(x.line()).isEqualTo(2));
    // the JSON says what the deploy does: outside a transaction
    @SuppressWarnings("unchecked")
    List<java.util.Map<String, Object>> json =
        (List<java.util.Map<String, Object>>) r.toJson().get("statements");
    assertThat(json).allSatisfy(m -> assertThat(m.get("in_transaction")).isEqualTo(false));
  }

  @Test
  @DisplayName(
      "G4: a statement that cannot run in a transaction and whose locks prodguard does not know"
          + " (CLUSTER of every clustered table) stops the trace as trace-incomplete, never"
          + " reported lock-free")
  void unknownOutsideTransactionIsIncomplete() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    target("public");
    f.migration("V2__cluster.sql", "CLUSTER;\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isPresent();
    assertThat(findings(r, "V2__cluster.sql", "trace-incomplete"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message()).contains("cannot run inside a transaction block");
            });
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: a procedure that commits, called from a file Flyway runs outside a transaction, runs"
          + " there but not in a transaction block: its locks are not known, so the trace is"
          + " trace-incomplete (it was reported lock-free), not a deploy failure")
  void committingProcedureOutsideATransactionIsIncomplete() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    target("public");
    f.migration(
        "V2__procedure.sql",
        "CREATE PROCEDURE widen() LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE orders ADD COLUMN z"
            + " int DEFAULT random(); COMMIT; END $$;\n");
    f.migration("V3__call.sql", "CALL widen();\n");
    Files.writeString(f.migrations.resolve("V3__call.sql.conf"), "executeInTransaction=false\n");

    TraceReport r = trace();

    assertThat(r.findings()).noneMatch(x -> x.rule().equals("trace-statement-failed"));
    assertThat(findings(r, "V3__call.sql", "trace-incomplete"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("does not know the locks"));
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: the replay's search path is Flyway's: migrations.default-schema first. With app.orders"
          + " (200,000 rows) and a small public.orders, an unqualified ALTER TABLE orders is"
          + " traced as the rewrite of app.orders the deploy performs, an error above"
          + " trace.max-rewrite-size (the trace rewrote public.orders instead)")
  void defaultSchemaIsOnTheSearchPath() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    Path yml = dir.resolve("prodguard.yml");
    String locations = "migrations:\n  locations: [db/migration]\n";
    Files.writeString(
        yml, Files.readString(yml).replace(locations, locations + "  default-schema: app\n"));
    target("app");
    f.db.execute(
        "CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)",
        "INSERT INTO public.orders VALUES (1, 'small')",
        "ANALYZE public.orders");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\ntrace: { max-rewrite-size: 1MB }\n");
    f.migration(
        "V2__token.sql", "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
    f.migration(
        "V3__note.sql", "CREATE INDEX orders_note ON ${flyway:defaultSchema}.orders (note);\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(statements(r, "V2").get(0).rewritten()).containsExactly("app.orders");
    assertThat(statements(r, "V2").get(0).lockOn("app.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(statements(r, "V3").get(0).indexesBuilt())
        .containsExactly(new StatementTrace.IndexBuilt("app.orders_note", "app.orders", false));
    assertThat(findings(r, "V2__token.sql", "trace-table-rewrite"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message()).contains("app.orders (", "trace.max-rewrite-size is 1.0 MB");
            });
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: a default schema the target lacks is created on the copy, as Flyway creates it on"
          + " migrate: CREATE TABLE orders then makes app.orders, as in the deploy, not a failure"
          + " against the target's public.orders")
  void missingDefaultSchemaIsCreatedAsFlywayDoes() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    target("public");
    Path yml = dir.resolve("prodguard.yml");
    String locations = "migrations:\n  locations: [db/migration]\n";
    Files.writeString(
        yml, Files.readString(yml).replace(locations, locations + "  default-schema: app\n"));
    f.migration(
        "V2__orders.sql",
        "CREATE TABLE orders (id bigint);\n"
            + "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(r.findings()).noneMatch(x -> x.rule().equals("trace-statement-failed"));
    assertThat(statements(r, "V2")).hasSize(2);
    assertThat(statements(r, "V2").get(1).rewritten()).containsExactly("app.orders");
    assertThat(findings(r, "V2__orders.sql", "trace-table-rewrite")).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: the project's SQL callbacks are replayed where Flyway runs them and reported under"
          + " their own file: beforeMigrate's ACCESS EXCLUSIVE on customers once, first;"
          + " beforeEachMigrate__lock's ACCESS EXCLUSIVE on orders inside each migration; the"
          + " rewrite of orders by afterMigrate last (none of them was traced)")
  void callbacksAreReplayed() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    target("public");
    f.migration("beforeMigrate.sql", "ALTER TABLE customers ADD COLUMN seen boolean;\n");
    f.migration("beforeEachMigrate__lock.sql", "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;\n");
    f.migration(
        "afterMigrate.sql",
        "ALTER TABLE orders ADD COLUMN audit uuid DEFAULT gen_random_uuid();\n");
    f.migration("V2__two.sql", "CREATE TABLE two (id int);\n");
    f.migration("V3__three.sql", "CREATE TABLE three (id int);\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(r.statements())
        .extracting(t -> t.migration() + ":" + t.line())
        .containsExactly(
            "beforeMigrate.sql:1",
            "beforeEachMigrate__lock.sql:1",
            "V2__two.sql:1",
            "beforeEachMigrate__lock.sql:1",
            "V3__three.sql:1",
            "afterMigrate.sql:1");
    assertThat(r.replayed()).isEqualTo(6);
    assertThat(statements(r, "beforeMigrate").get(0).lockOn("public.customers"))
        .isEqualTo("AccessExclusiveLock");
    assertThat(statements(r, "beforeEachMigrate__lock"))
        .hasSize(2)
        .allSatisfy(
            t -> {
              assertThat(t.lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
              assertThat(t.inTransaction()).isTrue();
              assertThat(t.file()).isEqualTo("beforeEachMigrate__lock.sql");
            });
    StatementTrace after = statements(r, "afterMigrate").get(0);
    assertThat(after.rewritten()).containsExactly("public.orders");
    assertThat(findings(r, "afterMigrate.sql", "trace-table-rewrite"))
        .singleElement()
        .satisfies(
            x ->
                assertThat(x.message())
                    .startsWith(
                        "afterMigrate.sql line 1 takes ACCESS EXCLUSIVE on public.orders ("));
    assertThat(findings(r, "beforeEachMigrate__lock.sql", "trace-blocking-lock")).hasSize(2);
    assertThat(findings(r, "beforeMigrate.sql", "trace-blocking-lock")).hasSize(1);
  }
}
