package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Progress;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
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
 * G4's "a WHERE that holds for every row counts as none" on real PostgreSQL, where the schema comes
 * from the target, not from the migrations (new user, conductor-oss/conductor: {@code DELETE FROM
 * queue_message WHERE queue_name IS NOT NULL} of a primary-key column passed verify with "no
 * findings"). The target's queue_message (5,000 rows) is made by hand, so lint cannot know its NOT
 * NULL columns; trace judges the WHERE with the copy's catalog and reports lint's rule id.
 */
@DisplayName("G4 trace: a WHERE that holds for every row by the catalog's NOT NULL columns")
class G4WhereAllRowsTraceIT {
  @TempDir Path dir;

  private PipelineFixture f;

  @BeforeEach
  void target() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    f.pipeline().promote("prod");
    f.db.execute(
        "CREATE TABLE queue_message (id serial, created_on timestamp NOT NULL DEFAULT now(),"
            + " queue_name varchar(255) NOT NULL, message_id varchar(255) NOT NULL,"
            + " payload text, PRIMARY KEY (queue_name, message_id))",
        "INSERT INTO queue_message (queue_name, message_id, payload)"
            + " SELECT 'q' || (g % 10), 'm' || g, CASE WHEN g % 2 = 0 THEN 'p' END"
            + " FROM generate_series(1, 5000) g",
        "CREATE TABLE empty_queue (queue_name varchar(255) PRIMARY KEY)",
        "ANALYZE queue_message",
        "ANALYZE empty_queue");
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

  @Test
  @DisplayName(
      "G4: DELETE ... WHERE queue_name IS NOT NULL of a primary-key column deletes every row:"
          + " delete-without-where, an error on prod by the default contract; NOT (created_on IS"
          + " NULL) of a NOT NULL column is update-without-where; a nullable column's test, and"
          + " a table empty on the target, are not")
  void conductorCleanup() throws Exception {
    contract("");
    f.migration(
        "V2__cleanup.sql",
        "DELETE FROM queue_message WHERE queue_name IS NOT NULL;\n"
            + "ALTER SEQUENCE queue_message_id_seq RESTART WITH 1;\n");
    f.migration(
        "V3__touch.sql",
        "UPDATE public.queue_message q SET payload = 'x' WHERE NOT (q.created_on" + " IS NULL);\n");
    f.migration("V4__some.sql", "DELETE FROM queue_message WHERE payload IS NOT NULL;\n");
    f.migration("V5__empty.sql", "DELETE FROM empty_queue WHERE queue_name IS NOT NULL;\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(findings(r, "V2", "delete-without-where"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.guarantee()).isEqualTo("G4");
              assertThat(x.message())
                  .contains(
                      "deletes every row of public.queue_message (5000 rows",
                      "its WHERE holds for every row by the NOT NULL columns",
                      "queue_name is declared NOT NULL",
                      "the contract forbids delete-without-where");
            });
    assertThat(findings(r, "V2", "trace-every-row-locked"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("its WHERE holds for every row"));
    assertThat(findings(r, "V3", "update-without-where"))
        .singleElement()
        .satisfies(x -> assertThat(x.severity()).isEqualTo(Severity.ERROR));
    assertThat(findings(r, "V4", "delete-without-where")).isEmpty();
    assertThat(findings(r, "V4", "trace-every-row-locked")).isEmpty();
    assertThat(findings(r, "V5", "delete-without-where")).isEmpty();
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: a column a pending migration sets NOT NULL counts from that statement on (the copy's"
          + " catalog as it is then); one it drops NOT NULL from does not")
  void notNullAsOfTheStatement() throws Exception {
    contract("");
    f.migration(
        "V2__tighten.sql",
        "UPDATE queue_message SET payload = 'p' WHERE payload IS NULL;\n"
            + "ALTER TABLE queue_message ALTER COLUMN payload SET NOT NULL;\n");
    f.migration("V3__purge.sql", "DELETE FROM queue_message WHERE payload IS NOT NULL;\n");
    f.migration(
        "V4__loosen.sql",
        "ALTER TABLE queue_message ALTER COLUMN created_on DROP NOT NULL;\n"
            + "DELETE FROM queue_message WHERE created_on IS NOT NULL;\n");

    TraceReport r = trace();

    assertThat(findings(r, "V2", "update-without-where")).isEmpty();
    assertThat(findings(r, "V3", "delete-without-where")).hasSize(1);
    assertThat(findings(r, "V4", "delete-without-where")).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: the contract's exceptions and forbidden list apply to trace's finding as to lint's: an"
          + " exception covers it, and a contract that does not forbid the rule leaves a warning")
  void contractApplies() throws Exception {
    f.migration("V2__cleanup.sql", "DELETE FROM queue_message WHERE queue_name IS NOT NULL;\n");
    contract(
        "exceptions:\n"
            + "  - { migration: V2, rule: delete-without-where, reason: \"queue drained on"
            + " purpose\" }\n");

    TraceReport covered = trace();

    assertThat(findings(covered, "V2", "delete-without-where"))
        .singleElement()
        .satisfies(x -> assertThat(x.covered()).isTrue());

    contract("forbidden: [drop-table]\n");

    TraceReport allowed = trace();

    assertThat(findings(allowed, "V2", "delete-without-where"))
        .singleElement()
        .satisfies(x -> assertThat(x.severity()).isEqualTo(Severity.WARNING));
  }
}
