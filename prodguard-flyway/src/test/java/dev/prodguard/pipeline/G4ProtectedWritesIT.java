package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G4 (attack 22, findings 01, 02, 03, 10): writes that reach a protected table without naming it,
 * through what the target already has: a trigger or a rule of the table a migration writes, an
 * inheritance child of it, the sequence a protected table's key default reads. verify reads the
 * target's triggers and judges their bodies (both servers); on PostgreSQL the trace's lock facts
 * (ROW EXCLUSIVE on a protected table, whatever led there) are a refusal too.
 */
@DisplayName("G4 writes of a protected table through existing triggers, rules, inheritance")
class G4ProtectedWritesIT {
  @TempDir Path dir;

  private static void protect(Path dir, String tables) throws Exception {
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\nprotected-tables: { " + tables + " }\n");
  }

  private static GuardRefusal verifyRefusal(PipelineFixture f) {
    return catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: verify refuses a write to a table whose existing row trigger deletes protected rows")
  void existingTriggerWritesProtected(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      // the trigger predates the table's protection (an old migration, applied)
      f.migration(
          "V2__events.sql",
          "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50));\n"
              + "CREATE TABLE events (id INT PRIMARY KEY, kind VARCHAR(20));\n"
              + (kind == DatabaseKind.POSTGRESQL
                  ? "CREATE FUNCTION events_ai() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                      + " DELETE FROM users WHERE id = NEW.id; RETURN NEW; END$$;\n"
                      + "CREATE TRIGGER events_ai AFTER INSERT ON events FOR EACH ROW"
                      + " EXECUTE FUNCTION events_ai();\n"
                  : "CREATE TRIGGER events_ai AFTER INSERT ON events FOR EACH ROW"
                      + " DELETE FROM users WHERE id = NEW.id;\n")
              + "INSERT INTO users VALUES (1, 'a'), (2, 'b');\n");
      f.pipeline().promote("prod");
      protect(dir, "users: {}");
      f.migration("V3__signup.sql", "INSERT INTO events VALUES (1, 'signup');\n");

      GuardRefusal r = verifyRefusal(f);

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why())
          .contains(
              "V3__signup.sql",
              "protected-table-write",
              "fires trigger events_ai",
              "delete on protected table users");
      assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: a trigger whose body writes only unprotected tables leaves the write free")
  void harmlessTriggerPasses(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration(
          "V2__events.sql",
          "CREATE TABLE users (id INT PRIMARY KEY);\n"
              + "CREATE TABLE events (id INT PRIMARY KEY);\n"
              + "CREATE TABLE event_log (id INT);\n"
              + (kind == DatabaseKind.POSTGRESQL
                  ? "CREATE FUNCTION events_ai() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                      + " INSERT INTO event_log VALUES (NEW.id); RETURN NEW; END$$;\n"
                      + "CREATE TRIGGER events_ai AFTER INSERT ON events FOR EACH ROW"
                      + " EXECUTE FUNCTION events_ai();\n"
                  : "CREATE TRIGGER events_ai AFTER INSERT ON events FOR EACH ROW"
                      + " INSERT INTO event_log VALUES (NEW.id);\n"));
      f.pipeline().promote("prod");
      protect(dir, "users: {}");
      f.migration("V3__signup.sql", "INSERT INTO events VALUES (1);\n");

      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }

  @Test
  @DisplayName(
      "G4: MariaDB verify refuses ALTER SEQUENCE and SETVAL of the sequence a protected table's"
          + " key default reads")
  void mariaDbSequenceOfProtectedTable() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.migration(
          "V2__users.sql",
          "CREATE SEQUENCE users_seq;\n"
              + "CREATE TABLE users (id BIGINT PRIMARY KEY DEFAULT (NEXT VALUE FOR users_seq),"
              + " name VARCHAR(50));\n"
              + "INSERT INTO users (name) VALUES ('a'), ('b');\n");
      f.pipeline().promote("prod");
      protect(dir, "users: {}");
      for (String statement :
          List.of("ALTER SEQUENCE users_seq RESTART WITH 1", "SELECT SETVAL(users_seq, 1)")) {
        f.migration("V3__reset.sql", statement + ";\n");

        GuardRefusal r = verifyRefusal(f);

        assertThat(r).as(statement).isNotNull();
        assertThat(r.why())
            .as(statement)
            .contains("protected-table-write", "sequence", "users_seq", "of protected table");
      }
    }
  }

  private TraceReport trace(PipelineFixture f) throws Exception {
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", Optional.empty());
  }

  private static List<Finding> writes(TraceReport r, String migration) {
    return r.findings().stream()
        .filter(x -> x.migration().startsWith(migration))
        .filter(x -> x.rule().equals("protected-table-write"))
        .toList();
  }

  @Test
  @DisplayName(
      "G4: trace refuses the ROW EXCLUSIVE lock an existing rule, trigger or inheritance parent"
          + " takes on a protected table (PostgreSQL)")
  void traceLockOnProtectedTable() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration(
          "V2__schema.sql",
          "CREATE TABLE users (id INT PRIMARY KEY, name TEXT, last_login_at timestamptz);\n"
              + "CREATE TABLE events (id INT PRIMARY KEY, kind TEXT);\n"
              + "CREATE TABLE clicks (id INT PRIMARY KEY);\n"
              + "CREATE RULE events_r AS ON INSERT TO events DO ALSO DELETE FROM users"
              + " WHERE id = NEW.id;\n"
              + "CREATE FUNCTION clicks_ai() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
              + " UPDATE users SET name = 'x' WHERE id = NEW.id; RETURN NEW; END$$;\n"
              + "CREATE TRIGGER clicks_ai AFTER INSERT ON clicks FOR EACH ROW"
              + " EXECUTE FUNCTION clicks_ai();\n"
              + "CREATE TABLE people (id INT, name TEXT);\n"
              + "CREATE TABLE staff (email TEXT) INHERITS (people);\n"
              + "INSERT INTO users VALUES (1, 'a', NULL);\n"
              + "INSERT INTO staff VALUES (1, 'a', 'a@x');\n");
      f.pipeline().promote("prod");
      protect(dir, "users: { writable-columns: [last_login_at] }, staff: {}");
      f.migration("V3__rule.sql", "INSERT INTO events VALUES (1, 'signup');\n");
      f.migration("V4__trigger.sql", "INSERT INTO clicks VALUES (1);\n");
      f.migration("V5__parent.sql", "DELETE FROM people WHERE id > 0;\n");
      f.migration("V6__only.sql", "DELETE FROM ONLY people WHERE id > 0;\n");
      f.migration("V7__writable.sql", "UPDATE users SET last_login_at = now() WHERE id = 1;\n");

      TraceReport r = trace(f);

      assertThat(r.incomplete()).isEmpty();
      assertThat(writes(r, "V3"))
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.guarantee()).isEqualTo("G4");
                assertThat(x.message())
                    .contains("writes protected table public.users", "ROW EXCLUSIVE");
              });
      assertThat(writes(r, "V4"))
          .singleElement()
          .satisfies(
              x ->
                  assertThat(x.message())
                      .contains(
                          "writes protected table public.users",
                          "row trigger(s) clicks_ai on public.clicks"));
      assertThat(writes(r, "V5"))
          .singleElement()
          .satisfies(
              x ->
                  assertThat(x.message())
                      .contains(
                          "writes protected table public.staff",
                          "writes public.people without ONLY"));
      assertThat(writes(r, "V6")).isEmpty();
      assertThat(writes(r, "V7")).isEmpty();
    }
  }
}
