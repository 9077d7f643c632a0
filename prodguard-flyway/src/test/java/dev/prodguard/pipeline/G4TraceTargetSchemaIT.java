package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Progress;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.testing.TestDatabase;
import dev.prodguard.trace.StatementTrace;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace on real PostgreSQL (embedded scratch server) where the target's own schema, or an earlier
 * statement of the migration, would make the replay reach outside its scratch database or hide a
 * fact (attack18b findings 01, 02, 11, 12, 17, 19).
 */
@DisplayName("G4 trace: the target's schema neither reaches out from the replay nor hides facts")
class G4TraceTargetSchemaIT {
  @TempDir Path dir;

  private PipelineFixture f;

  @BeforeEach
  void target() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    f.pipeline().promote("prod");
    f.db.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text)",
        "CREATE INDEX orders_note ON orders (note)",
        "INSERT INTO orders SELECT g, 'n' FROM generate_series(1, 100000) g",
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

  @Test
  @DisplayName(
      "G4 (finding 11): a trigger of the target that calls dblink_exec, fired by a pending INSERT,"
          + " reaches no other server: dblink is not created on the copy, its functions are stubs"
          + " that raise, and the trace is incomplete, naming dblink_exec (was: the replay ran"
          + " dblink on the scratch server)")
  void dblinkOfTheTargetReachesNothing() throws Exception {
    try (TestDatabase remote = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      remote.execute("CREATE TABLE hits (id int)");
      f.db.execute(
          "CREATE EXTENSION dblink",
          "CREATE TABLE events (id int PRIMARY KEY)",
          "CREATE FUNCTION forward_event() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
              + " PERFORM dblink_exec('host=127.0.0.1 port="
              + port(remote)
              + " dbname="
              + remote.name()
              + " user=postgres password=x', format('INSERT INTO hits VALUES (%s)', NEW.id));"
              + " RETURN NEW; EXCEPTION WHEN OTHERS THEN RETURN NEW; END $f$",
          "CREATE TRIGGER events_forward AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION"
              + " forward_event()");
      f.migration("V2__seed.sql", "INSERT INTO events VALUES (4242);\n");

      TraceReport r = trace();

      assertThat(r.findings())
          .filteredOn(x -> x.rule().equals("trace-incomplete"))
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.message())
                    .contains("dblink_exec(text, text) of extension dblink", "never reaches out");
              });
      assertThat(r.blocking()).isTrue();
      assertThat(count(remote, "SELECT count(*) FROM hits")).as("rows written remotely").isZero();
    }
  }

  @Test
  @DisplayName(
      "G4 (finding 11): a function of the target in an untrusted language (internal: an alias of"
          + " lo_export, no privilege check) fired by a trigger writes no file on the host: it is"
          + " copied as a stub that raises, and the trace is incomplete (was: the file was"
          + " written)")
  void untrustedLanguageOfTheTargetWritesNoFile() throws Exception {
    Path shared = Files.createTempDirectory("prodguard-g4-stub-");
    Path mark = shared.resolve("written-by-the-replay");
    new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor();
    try {
      f.db.execute(
          "CREATE FUNCTION export_to(oid, text) RETURNS integer LANGUAGE internal STRICT AS"
              + " 'be_lo_export'",
          "CREATE TABLE events (id int PRIMARY KEY)",
          "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $f$ DECLARE o oid; BEGIN"
              + " o := lo_from_bytea(0, 'x'); PERFORM export_to(o, '"
              + mark
              + "'); RETURN NEW; END $f$",
          "CREATE TRIGGER events_stamp AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION"
              + " stamp()");
      f.migration("V2__seed.sql", "INSERT INTO events VALUES (1);\n");

      TraceReport r = trace();

      assertThat(mark).as("a file written on the host by the replay").doesNotExist();
      assertThat(r.findings())
          .filteredOn(x -> x.rule().equals("trace-incomplete"))
          .singleElement()
          .satisfies(
              x -> assertThat(x.message()).contains("export_to(oid, text) in language internal"));
    } finally {
      new ProcessBuilder("rm", "-rf", shared.toString()).start().waitFor();
    }
  }

  @Test
  @DisplayName(
      "G4 (finding 01): an operator a migration defines in public (an exact match for the probe's"
          + " 'name NOT LIKE' where pg_catalog's is not) does not blind the trace: the rewrite after"
          + " it is still reported and refused by trace.max-rewrite-size (was: no fact at all)")
  void operatorInPublicBlindsNothing() throws Exception {
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration(
        "V2__token.sql",
        "CREATE FUNCTION public.name_nlike(name, name) RETURNS boolean LANGUAGE sql IMMUTABLE AS"
            + " $$ SELECT false $$;\n"
            + "CREATE OPERATOR public.!~~ (LEFTARG = name, RIGHTARG = name, FUNCTION ="
            + " public.name_nlike);\n"
            + "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");

    TraceReport r = trace();

    assertThat(r.statements()).hasSize(3);
    assertThat(r.statements().get(2).rewritten()).containsExactly("public.orders");
    assertThat(findings(r, "V2", "trace-table-rewrite"))
        .singleElement()
        .satisfies(x -> assertThat(x.severity()).isEqualTo(Severity.ERROR));
  }

  @Test
  @DisplayName(
      "G4 (finding 02): a lock taken by an earlier statement of the migration is held to the"
          + " commit: the full-table UPDATE and the SET NOT NULL scan under the LOCK TABLE's ACCESS"
          + " EXCLUSIVE are trace-full-scan-under-lock, refused where the contract forbids it, and"
          + " the LOCK TABLE's own finding says it lasts until the commit (was: a brief lock)")
  void heldLockCoversLaterScans() throws Exception {
    contract("forbidden: [trace-full-scan-under-lock]\n");
    f.migration(
        "V2__nn.sql",
        "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;\n"
            + "UPDATE orders SET note = 'x' WHERE note IS NULL OR note <> 'x';\n"
            + "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");

    TraceReport r = trace();

    assertThat(r.statements().get(1).heldOn("public.orders")).isEqualTo("AccessExclusiveLock");
    List<Finding> scans = findings(r, "V2", "trace-full-scan-under-lock");
    assertThat(scans).extracting(Finding::line).containsExactly(2, 3);
    assertThat(scans)
        .allSatisfy(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message())
                  .contains(
                      "holds ACCESS EXCLUSIVE on public.orders",
                      "held until it commits",
                      "blocks reads and writes for the scan");
            });
    assertThat(findings(r, "V2", "trace-blocking-lock"))
        .singleElement()
        .satisfies(
            x ->
                assertThat(x.message())
                    .contains("until the migration's transaction commits")
                    .doesNotContain("for the statement"));
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4 (finding 17): SET TABLESPACE pg_default of a table that lives in another tablespace on"
          + " the target (a no-op on the tablespace-less copy) is reported as the rewrite it is on"
          + " the target, refused by the contract (was: a brief lock)")
  void tablespaceMoveIsARewrite() throws Exception {
    Path tsDir =
        Files.createDirectories(
            Path.of(System.getProperty("java.io.tmpdir"), "prodguard-g4-ts-" + System.nanoTime()));
    new ProcessBuilder("chown", "postgres:postgres", tsDir.toString()).start().waitFor();
    String ts = "t17c_ts_" + Long.toHexString(System.nanoTime());
    String admin = f.db.jdbcUrl().replace("/" + f.db.name(), "/postgres");
    try {
      try (Connection c = java.sql.DriverManager.getConnection(admin);
          java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE TABLESPACE " + ts + " LOCATION '" + tsDir + "'");
      }
      f.db.execute(
          "ALTER TABLE orders SET TABLESPACE " + ts,
          "ALTER INDEX orders_note SET TABLESPACE " + ts);
      contract("forbidden: [trace-table-rewrite]\ntrace: { max-rewrite-size: 1MB }\n");
      f.migration("V2__move.sql", "ALTER TABLE orders SET TABLESPACE pg_default;\n");
      // moved by V2 already: a no-op on the target too
      f.migration("V3__again.sql", "ALTER TABLE orders SET TABLESPACE pg_default;\n");
      f.migration("V4__index.sql", "ALTER INDEX orders_note SET TABLESPACE pg_default;\n");

      TraceReport r = trace();

      assertThat(statement(r, "V2").rewritten()).containsExactly("public.orders");
      assertThat(findings(r, "V2", "trace-table-rewrite"))
          .singleElement()
          .satisfies(x -> assertThat(x.severity()).isEqualTo(Severity.ERROR));
      assertThat(statement(r, "V3").rewritten()).isEmpty();
      assertThat(statement(r, "V4").indexesBuilt())
          .containsExactly(
              new StatementTrace.IndexBuilt("public.orders_note", "public.orders", false, true));
      assertThat(findings(r, "V4", "trace-index-build-blocks-writes"))
          .singleElement()
          .satisfies(
              x ->
                  assertThat(x.message())
                      .contains(
                          "ACCESS EXCLUSIVE on its index public.orders_note",
                          "blocks reads and writes"));
    } finally {
      f.db.execute("DROP TABLE orders");
      try (Connection c = java.sql.DriverManager.getConnection(admin);
          java.sql.Statement st = c.createStatement()) {
        st.execute("DROP TABLESPACE IF EXISTS " + ts);
      }
      new ProcessBuilder("rm", "-rf", tsDir.toString()).start().waitFor();
    }
  }

  @Test
  @DisplayName(
      "G4 (finding 17): SET TABLESPACE under an ACCESS EXCLUSIVE an earlier statement of the"
          + " migration took (no new lock of its own) is still the rewrite it is on the target")
  void tablespaceMoveUnderHeldLock() throws Exception {
    Path tsDir =
        Files.createDirectories(
            Path.of(System.getProperty("java.io.tmpdir"), "prodguard-g4-ts-" + System.nanoTime()));
    new ProcessBuilder("chown", "postgres:postgres", tsDir.toString()).start().waitFor();
    String ts = "t17c_ts_" + Long.toHexString(System.nanoTime());
    String admin = f.db.jdbcUrl().replace("/" + f.db.name(), "/postgres");
    try {
      try (Connection c = java.sql.DriverManager.getConnection(admin);
          java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE TABLESPACE " + ts + " LOCATION '" + tsDir + "'");
      }
      f.db.execute("ALTER TABLE orders SET TABLESPACE " + ts);
      f.migration(
          "V2__again.sql",
          "ALTER TABLE orders ADD COLUMN extra int;\n"
              + "ALTER TABLE orders SET TABLESPACE pg_default;\n");

      TraceReport r = trace();

      assertThat(findings(r, "V2", "trace-table-rewrite"))
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.line()).isEqualTo(2);
                assertThat(x.message()).contains("holds ACCESS EXCLUSIVE on public.orders");
              });
    } finally {
      f.db.execute("DROP TABLE orders");
      try (Connection c = java.sql.DriverManager.getConnection(admin);
          java.sql.Statement st = c.createStatement()) {
        st.execute("DROP TABLESPACE IF EXISTS " + ts);
      }
      new ProcessBuilder("rm", "-rf", tsDir.toString()).start().waitFor();
    }
  }

  @Test
  @DisplayName(
      "G4 (finding 19): REINDEX TABLE holds ACCESS EXCLUSIVE on every index it rebuilds, which"
          + " blocks reads of the table: reported as blocking reads and writes, every rebuilt index"
          + " listed, and refused by trace.max-access-exclusive-size (was: 'blocks writes', one"
          + " index)")
  void reindexBlocksReads() throws Exception {
    contract("trace: { max-access-exclusive-size: 1MB }\n");
    f.migration("V2__reindex.sql", "REINDEX TABLE orders;\n");

    TraceReport r = trace();

    StatementTrace t = statement(r, "V2");
    assertThat(t.indexLocks())
        .extracting(StatementTrace.IndexLock::index, StatementTrace.IndexLock::mode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("public.orders_note", "AccessExclusiveLock"),
            org.assertj.core.groups.Tuple.tuple("public.orders_pkey", "AccessExclusiveLock"));
    assertThat(findings(r, "V2", "trace-index-build-blocks-writes"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message())
                  .contains(
                      "takes SHARE on public.orders",
                      "ACCESS EXCLUSIVE on its indexes public.orders_note, public.orders_pkey",
                      "rebuilds indexes public.orders_note, public.orders_pkey",
                      "blocks reads and writes for the build",
                      "max-access-exclusive-size");
            });
  }

  @Test
  @DisplayName(
      "G4 (finding 12): a one-row UPDATE of a table whose row trigger refreshes a materialized"
          + " view on the target is not a silent pass: the trigger fired for no row on the empty"
          + " copy, so the trace says so, named, and it is an error under a contract with trace"
          + " limits (was: 0 findings)")
  void rowTriggersNotFiredAreNamed() throws Exception {
    f.db.execute(
        "CREATE MATERIALIZED VIEW revenue AS SELECT id, note FROM orders",
        "CREATE TABLE settings (key text PRIMARY KEY, value text)",
        "INSERT INTO settings VALUES ('currency', 'usd')",
        "ANALYZE settings",
        "CREATE FUNCTION settings_changed() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
            + " REFRESH MATERIALIZED VIEW revenue; RETURN NEW; END $f$",
        "CREATE TRIGGER settings_changed AFTER UPDATE ON settings FOR EACH ROW EXECUTE FUNCTION"
            + " settings_changed()");
    f.migration("V2__currency.sql", "UPDATE settings SET value = 'eur' WHERE key = 'currency';\n");

    TraceReport plain = trace();

    assertThat(findings(plain, "V2", "trace-row-triggers-not-traced"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.WARNING);
              assertThat(x.message())
                  .contains("writes public.settings", "row trigger settings_changed");
            });

    contract("forbidden: [trace-table-rewrite]\ntrace: { max-rewrite-size: 1MB }\n");
    TraceReport limited = trace();

    assertThat(findings(limited, "V2", "trace-row-triggers-not-traced"))
        .singleElement()
        .satisfies(x -> assertThat(x.severity()).isEqualTo(Severity.ERROR));
    assertThat(limited.blocking()).isTrue();
  }

  static int port(TestDatabase db) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(":(\\d+)/").matcher(db.libpqUrl());
    return m.find() ? Integer.parseInt(m.group(1)) : 5432;
  }

  static long count(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.connect();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static StatementTrace statement(TraceReport r, String migration) {
    return r.statements().stream()
        .filter(s -> s.migration().startsWith(migration))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no trace of " + migration + ": " + r.statements()));
  }

  static List<Finding> findings(TraceReport r, String migration, String rule) {
    return r.findings().stream()
        .filter(x -> x.migration() != null && x.migration().startsWith(migration))
        .filter(x -> x.rule().equals(rule))
        .toList();
  }
}
