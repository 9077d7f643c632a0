package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.trace.ScratchServers;
import dev.prodguard.trace.StatementTrace;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace on real PostgreSQL, where the replay on an empty copy could present what the target will
 * not see as the fact, or judge protection by a name: a partition of a protected table (attack
 * finding 30), a {@code DO} block that branches on data (14), a concurrent refresh of a
 * materialized view the copy holds empty (15), and a configured scratch server whose URL's role is
 * a superuser.
 */
@DisplayName("G4 trace: protection by the partition tree, data branches, views, scratch roles")
class G4TraceProtectionIT {
  @TempDir Path dir;

  private PipelineFixture f;

  @BeforeEach
  void target() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    f.pipeline().promote("prod");
    f.db.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, total numeric)",
        "INSERT INTO orders SELECT g, g % 100, g * 1.5 FROM generate_series(1, 20000) g",
        "CREATE TABLE empty_one (id int)",
        "ANALYZE orders",
        "ANALYZE empty_one");
  }

  @AfterEach
  void close() {
    f.close();
  }

  private TraceReport trace() throws Exception {
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", Optional.empty());
  }

  private TraceReport trace(DatabaseUrl scratch) throws Exception {
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", scratch);
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
      "G4: ACCESS EXCLUSIVE on a partition, a sub-partition or an inheritance child of a protected"
          + " table is an error, as on the table itself (only the parent's name was judged)")
  void partitionsOfProtectedTables() throws Exception {
    f.db.execute(
        "CREATE TABLE events (id bigint, payload text) PARTITION BY RANGE (id)",
        "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (50000)",
        "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (50000) TO (100000)"
            + " PARTITION BY RANGE (id)",
        "CREATE TABLE events_2a PARTITION OF events_2 FOR VALUES FROM (50000) TO (100000)",
        "INSERT INTO events SELECT g, 'x' FROM generate_series(0, 99999) g",
        "CREATE TABLE legacy (id bigint)",
        "CREATE TABLE legacy_archive () INHERITS (legacy)",
        "INSERT INTO legacy_archive SELECT g FROM generate_series(1, 1000) g",
        "ANALYZE events",
        "ANALYZE legacy_archive");
    contract("protected-tables: { events: {}, legacy: {} }\n");
    f.migration(
        "V2__partition.sql", "ALTER TABLE events_1 ALTER COLUMN payload SET DEFAULT 'y';\n");
    f.migration("V3__sub.sql", "ALTER TABLE events_2a ALTER COLUMN payload SET DEFAULT 'y';\n");
    f.migration("V4__child.sql", "ALTER TABLE legacy_archive ADD COLUMN note text;\n");
    f.migration("V5__other.sql", "ALTER TABLE empty_one ADD COLUMN note text;\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    for (String[] c :
        new String[][] {
          {"V2", "public.events_1", "public.events"},
          {"V3", "public.events_2a", "public.events"},
          {"V4", "public.legacy_archive", "public.legacy"}
        }) {
      assertThat(statement(r, c[0]).lockOn(c[1])).as(c[0]).isEqualTo("AccessExclusiveLock");
      assertThat(findings(r, c[0], "trace-blocking-lock"))
          .as(c[0])
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.message())
                    .contains(
                        c[1] + " (",
                        "a partition (or inheritance child) of "
                            + c[2]
                            + ", which is in the contract's protected-tables");
              });
    }
    // a table that is no partition of a protected one keeps its own severity
    assertThat(findings(r, "V5", "trace-blocking-lock")).noneMatch(Finding::blocking);
  }

  @Test
  @DisplayName(
      "G4: ACCESS EXCLUSIVE on a partition of a protected partitioned table is an error (a CHECK"
          + " added to the partition alone)")
  void partitionAccessExclusive() throws Exception {
    f.db.execute(
        "CREATE TABLE events (id bigint, payload text) PARTITION BY RANGE (id)",
        "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (50000)",
        "INSERT INTO events SELECT g, 'x' FROM generate_series(0, 49999) g",
        "ANALYZE events");
    contract("protected-tables: { events: {} }\n");
    f.migration(
        "V2__check.sql",
        "ALTER TABLE events_1 ADD CONSTRAINT positive CHECK (id >= 0) NOT VALID;\n");

    TraceReport r = trace();

    assertThat(statement(r, "V2").lockOn("public.events_1")).isEqualTo("AccessExclusiveLock");
    assertThat(r.findings())
        .filteredOn(x -> x.migration().equals("V2") && x.message().contains("public.events_1"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message())
                  .contains("a partition (or inheritance child) of public.events");
            });
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: a DO block or a called function that branches on a table empty in the copy but not on"
          + " the target is trace-incomplete, naming the table; code that reads no user table, or"
          + " a table empty on the target too, straight-line code, or a guard that can only raise,"
          + " is traced as usual")
  void dataBranches() throws Exception {
    f.migration(
        "V2__branch.sql",
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM orders) THEN"
            + " CREATE TABLE scratch_only (id int); ELSE"
            + " ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid(); END IF; END $$;\n");

    TraceReport r = trace();

    Finding incomplete = findings(r, "V2", "trace-incomplete").get(0);
    assertThat(incomplete.severity()).isEqualTo(Severity.ERROR);
    assertThat(incomplete.message())
        .contains("public.orders", "empty in the trace's copy", "20.0 k rows");
    assertThat(r.incomplete()).isPresent();
    assertThat(r.blocking()).isTrue();
    assertThat(statement(r, "V2").proceduralReads()).containsExactly("public.orders");
  }

  @Test
  @DisplayName(
      "G4: a function the migration calls that branches on the target's rows is"
          + " trace-incomplete too")
  void calledFunctionBranches() throws Exception {
    f.migration(
        "V2__fn.sql",
        "CREATE FUNCTION migrate_orders() RETURNS void LANGUAGE plpgsql AS $$ BEGIN"
            + " IF (SELECT count(*) FROM orders) > 0 THEN"
            + " ALTER TABLE orders ALTER COLUMN total TYPE text; END IF; END $$;\n"
            + "SELECT migrate_orders();\n");

    TraceReport r = trace();

    assertThat(findings(r, "V2", "trace-incomplete"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("line 2", "public.orders"));
  }

  @Test
  @DisplayName(
      "G4: no false trace-incomplete: a DO block that branches on the catalog, one that reads a table"
          + " empty on the target, straight-line code that reads a table, a guard that can only"
          + " raise")
  void dataIndependentCodeIsTraced() throws Exception {
    f.migration(
        "V2__settings.sql",
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'made') THEN"
            + " CREATE TABLE made (id int); END IF; END $$;\n");
    f.migration(
        "V3__empty.sql",
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM empty_one) THEN"
            + " ALTER TABLE empty_one ADD COLUMN x int; END IF; END $$;\n");
    f.migration(
        "V4__straight.sql",
        "DO $$ DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM orders;"
            + " ALTER TABLE orders ADD COLUMN straight int; END $$;\n");

    f.migration(
        "V5__guard.sql",
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM orders WHERE total IS NULL) THEN"
            + " RAISE EXCEPTION 'backfill orders.total first'; END IF; END $$;\n");

    TraceReport r = trace();

    assertThat(r.findings()).noneMatch(x -> x.rule().equals("trace-incomplete"));
    assertThat(statement(r, "V5").proceduralReads()).isEmpty();
    assertThat(r.incomplete()).isEmpty();
    assertThat(statement(r, "V4").lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
  }

  @Test
  @DisplayName(
      "G4: REFRESH MATERIALIZED VIEW CONCURRENTLY of a view that holds data on the target is"
          + " replayed with its EXCLUSIVE lock (the copy's view was empty and the trace reported a"
          + " failure the deploy does not have); one empty on the target still fails, as there")
  void materializedViews() throws Exception {
    f.db.execute(
        "CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) AS total"
            + " FROM orders GROUP BY customer_id",
        "CREATE UNIQUE INDEX order_totals_customer ON order_totals (customer_id)",
        "CREATE MATERIALIZED VIEW order_counts AS SELECT customer_id, count(*) AS n"
            + " FROM order_totals GROUP BY customer_id",
        "CREATE UNIQUE INDEX order_counts_customer ON order_counts (customer_id)",
        "CREATE MATERIALIZED VIEW never_filled AS SELECT id FROM orders WITH NO DATA",
        "CREATE UNIQUE INDEX never_filled_id ON never_filled (id)");
    f.migration("V2__refresh.sql", "REFRESH MATERIALIZED VIEW CONCURRENTLY order_counts;\n");
    f.migration("V3__refresh.sql", "REFRESH MATERIALIZED VIEW CONCURRENTLY never_filled;\n");

    TraceReport r = trace();

    assertThat(findings(r, "V2", "trace-statement-failed")).isEmpty();
    assertThat(statement(r, "V2").lockOn("public.order_counts")).isEqualTo("ExclusiveLock");
    assertThat(findings(r, "V3", "trace-statement-failed"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("not populated"));
  }

  @Test
  @DisplayName(
      "G4: on a configured scratch server whose URL's role is a superuser, the replay runs as an"
          + " unprivileged role of the trace's own, dropped afterwards with the scratch database")
  void configuredSuperuserReplaysUnprivileged() throws Exception {
    f.migration(
        "V2__who.sql",
        "DO $$ BEGIN IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)"
            + " THEN RAISE EXCEPTION 'replayed as a superuser'; END IF; END $$;\n"
            + "ALTER TABLE orders ADD COLUMN note text;\n");
    try (ScratchServers.Running scratch = ScratchServers.start(serverMajor())) {
      TraceReport r = trace(scratch.superuser());

      assertThat(r.findings()).noneMatch(x -> x.rule().equals("trace-statement-failed"));
      assertThat(r.incomplete()).isEmpty();
      assertThat(statement(r, "V2").sql()).startsWith("DO");
      assertThat(r.statements()).hasSize(2);
      try (Connection c =
              DatabaseSupport.of(DatabaseKind.POSTGRESQL)
                  .driver()
                  .connect(
                      scratch.superuser().jdbcUrl(), scratch.superuser().connectionProperties());
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'prodguard\\_replay\\_%'),"
                      + " (SELECT count(*) FROM pg_database"
                      + " WHERE datname LIKE 'prodguard\\_trace\\_%')")) {
        rs.next();
        assertThat(rs.getInt(1)).as("replay roles left").isZero();
        assertThat(rs.getInt(2)).as("scratch databases left").isZero();
      }
    }
  }

  @Test
  @DisplayName(
      "G4: a configured scratch URL whose role is no superuser but reads the server's files"
          + " (pg_read_server_files) is refused with one screen before anything is copied")
  void configuredFileReaderIsRefused() throws Exception {
    f.migration("V2__note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
    try (ScratchServers.Running scratch = ScratchServers.start(serverMajor())) {
      try (Connection c =
              DatabaseSupport.of(DatabaseKind.POSTGRESQL)
                  .driver()
                  .connect(
                      scratch.superuser().jdbcUrl(), scratch.superuser().connectionProperties());
          Statement st = c.createStatement()) {
        st.execute(
            "CREATE ROLE reader LOGIN CREATEDB PASSWORD 'reader-pw' IN ROLE pg_read_server_files");
      }
      DatabaseUrl reader =
          DatabaseUrl.parse(
              "postgresql://reader:reader-pw@127.0.0.1:" + scratch.port() + "/postgres");
      assertThatThrownBy(() -> trace(reader))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              g -> {
                assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
                assertThat(g.why())
                    .contains("role reader", "is a member of pg_read_server_files")
                    .doesNotContain("reader-pw");
              });
    }
  }

  private int serverMajor() {
    return Integer.parseInt(f.query("SHOW server_version_num").orElseThrow()) / 10000;
  }
}
