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
          "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN PERFORM"
              + " export_to(lo_from_bytea(0, 'x'), '"
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
