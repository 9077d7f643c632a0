package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G4 (attack 23, findings 06 and 10): a plain {@code INSERT} into an unprotected table writes a
 * protected one through the table's existing trigger, whose body calls a routine that writes it
 * (PostgreSQL: behind a branch on the server's port, which the trace's scratch copy does not share;
 * MariaDB: a {@code CALL} in the trigger's statement), and a MariaDB event that calls the routine.
 * verify follows triggers, rules and events into the routines they call, transitively, on every
 * path, and refuses before anything is deployed.
 */
@DisplayName("G4 writes of a protected table through a trigger's or event's routine")
class G4TriggerRoutineWritesIT {
  @TempDir Path dir;

  private static void protect(Path dir) throws Exception {
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\nprotected-tables: { users: {} }\n");
  }

  private static GuardRefusal verifyRefusal(PipelineFixture f) {
    return catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: verify refuses an INSERT whose existing trigger calls a routine that writes a protected"
          + " table, on any branch")
  void triggerRoutineWritesProtected(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      String port =
          f.query("SELECT " + (kind == DatabaseKind.POSTGRESQL ? "inet_server_port()" : "@@port"))
              .orElseThrow()
              .strip();
      f.migration(
          "V2__events.sql",
          "CREATE TABLE users (id INT PRIMARY KEY, balance INT NOT NULL DEFAULT 0);\n"
              + "CREATE TABLE events (id INT PRIMARY KEY, uid INT);\n"
              + (kind == DatabaseKind.POSTGRESQL
                  ? "CREATE FUNCTION credit(u int) RETURNS void LANGUAGE plpgsql AS $$BEGIN"
                      + " UPDATE users SET balance = balance + 100 WHERE id = u; END$$;\n"
                      + "CREATE FUNCTION events_ai() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                      + " IF inet_server_port() = "
                      + port
                      + " THEN PERFORM credit(NEW.uid); END IF; RETURN NEW; END$$;\n"
                      + "CREATE TRIGGER events_credit AFTER INSERT ON events FOR EACH ROW"
                      + " EXECUTE FUNCTION events_ai();\n"
                  : "CREATE PROCEDURE credit(u int) UPDATE users SET balance = balance + 100"
                      + " WHERE id = u;\n"
                      + "CREATE TRIGGER events_credit AFTER INSERT ON events FOR EACH ROW"
                      + " CALL credit(NEW.uid);\n")
              + "INSERT INTO users VALUES (1, 0);\n");
      f.pipeline().promote("prod");
      protect(dir);
      f.migration("V3__event.sql", "INSERT INTO events VALUES (1, 1);\n");

      GuardRefusal r = verifyRefusal(f);

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why())
          .contains(
              "V3__event.sql",
              "protected-table-write",
              "fires trigger events_credit",
              "calls credit(), which does update on protected table users");
      assertThat(f.query("SELECT balance FROM users WHERE id = 1")).contains("0");
    }
  }

  @Test
  @DisplayName(
      "G4: MariaDB verify refuses an event whose body calls a routine that writes a protected"
          + " table")
  void eventRoutineWritesProtected() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.migration(
          "V2__users.sql",
          "CREATE TABLE users (id INT PRIMARY KEY, balance INT NOT NULL DEFAULT 0);\n"
              + "CREATE PROCEDURE credit(u int) UPDATE users SET balance = balance + 100"
              + " WHERE id = u;\n");
      f.pipeline().promote("prod");
      protect(dir);
      f.migration(
          "V3__later.sql",
          "CREATE EVENT later_credit ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 DAY"
              + " DO CALL credit(1);\n");

      GuardRefusal r = verifyRefusal(f);

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why())
          .contains(
              "V3__later.sql",
              "protected-table-write",
              "calls credit(), which does update on protected table users");
    }
  }

  @Test
  @DisplayName(
      "G4: PostgreSQL verify refuses a write whose existing rule calls a routine that writes a"
          + " protected table")
  void ruleRoutineWritesProtected() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration(
          "V2__events.sql",
          "CREATE TABLE users (id INT PRIMARY KEY, balance INT NOT NULL DEFAULT 0);\n"
              + "CREATE TABLE events (id INT PRIMARY KEY, uid INT);\n"
              + "CREATE FUNCTION credit(u int) RETURNS int LANGUAGE plpgsql AS $$BEGIN"
              + " UPDATE users SET balance = balance + 100 WHERE id = u; RETURN u; END$$;\n"
              + "CREATE RULE events_debit AS ON DELETE TO events DO ALSO SELECT credit(OLD.uid);\n"
              + "INSERT INTO users VALUES (1, 0);\n"
              + "INSERT INTO events VALUES (1, 1);\n");
      f.pipeline().promote("prod");
      protect(dir);
      f.migration("V3__purge.sql", "DELETE FROM events WHERE id = 1;\n");

      GuardRefusal r = verifyRefusal(f);

      assertThat(r).isNotNull();
      assertThat(r.why())
          .contains(
              "V3__purge.sql",
              "protected-table-write",
              "fires trigger events_debit",
              "calls credit(), which does update on protected table users");
      assertThat(f.query("SELECT balance FROM users WHERE id = 1")).contains("0");
    }
  }
}
