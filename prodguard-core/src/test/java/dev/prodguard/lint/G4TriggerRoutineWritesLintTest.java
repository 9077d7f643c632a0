package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G4 (attack 23, findings 06 and 10): a plain write of an unprotected table reaches a protected one
 * through what the table's triggers (and PostgreSQL rules) run: a trigger function or statement
 * that calls a routine ({@code PERFORM}, {@code CALL}, {@code SELECT f()}), behind a branch the
 * analysis does not evaluate (any path counts), and a MariaDB event that calls one. Triggers and
 * routines of the reviewed history are followed; dynamic SQL and routines that are not among the
 * migrations fail closed. Before, {@code lint} followed none of it.
 */
@DisplayName("G4: writes through triggers, rules, events and the routines they call (lint)")
class G4TriggerRoutineWritesLintTest {
  @TempDir Path dir;

  static final String PG_HISTORY =
      """
      CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL DEFAULT 0);
      CREATE TABLE events (id int PRIMARY KEY, uid int);
      CREATE TABLE logs (id int PRIMARY KEY, uid int);
      CREATE TABLE notes (id int PRIMARY KEY, uid int);
      CREATE TABLE plain (id int PRIMARY KEY, uid int);
      CREATE FUNCTION credit(u int) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE users SET balance = balance + 100 WHERE id = u;
      END $$;
      CREATE FUNCTION events_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF inet_server_port() = 5432 THEN
          PERFORM credit(NEW.uid);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER events_credit AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_after_insert();
      CREATE RULE events_debit AS ON DELETE TO events DO ALSO SELECT credit(OLD.uid);
      CREATE FUNCTION logs_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE 'UPDATE ' || TG_ARGV[0] || ' SET balance = 0';
        RETURN NEW;
      END $$;
      CREATE TRIGGER logs_dyn AFTER INSERT ON logs FOR EACH ROW EXECUTE FUNCTION logs_after_insert();
      CREATE FUNCTION notes_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM outside_helper(NEW.uid);
        RETURN NEW;
      END $$;
      CREATE TRIGGER notes_ext AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION notes_after_insert();
      CREATE FUNCTION plain_touch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.uid := coalesce(NEW.uid, 0);
        RETURN NEW;
      END $$;
      CREATE TRIGGER plain_touch BEFORE INSERT ON plain FOR EACH ROW EXECUTE FUNCTION plain_touch();
      """;

  static final String MARIADB_HISTORY =
      """
      CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL DEFAULT 0);
      CREATE TABLE events (id int PRIMARY KEY, uid int);
      CREATE TABLE plain (id int PRIMARY KEY, uid int);
      CREATE PROCEDURE credit(u int) UPDATE users SET balance = balance + 100 WHERE id = u;
      CREATE TRIGGER events_credit AFTER INSERT ON events FOR EACH ROW CALL credit(NEW.uid);
      CREATE TRIGGER plain_touch BEFORE INSERT ON plain FOR EACH ROW SET NEW.uid = COALESCE(NEW.uid, 0);
      """;

  /** The protected-table-write findings of V2, linted after V1 as a protected environment. */
  List<String> protectedWrites(DatabaseKind kind, String history, String sql) throws Exception {
    Path v1 = Files.writeString(dir.resolve("V1__history.sql"), history, StandardCharsets.UTF_8);
    Path v2 = Files.writeString(dir.resolve("V2__change.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            """
            version: 1
            protected-tables:
              users: {}
            """
                .getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(List.of(v1, v2), c, true).blocking().stream()
            .filter(f -> f.location().file().endsWith("V2__change.sql"))
            .filter(f -> f.rule().equals("protected-table-write"))
            .map(Finding::message)
            .toList();
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO events VALUES (1, 1); | fires trigger events_credit of events, whose body calls events_after_insert(), which calls credit(), which does update on protected table users
          DELETE FROM events WHERE id = 1; | fires trigger events_debit of events, whose body calls credit(), which does update on protected table users
          INSERT INTO logs VALUES (1, 1); | runs dynamic SQL
          INSERT INTO notes VALUES (1, 1); | calls outside_helper(), whose body is neither among the analysed migrations nor on the target
          CREATE TRIGGER events_upd AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_after_insert(); | calls events_after_insert(), which calls credit(), which does update on protected table users
          CREATE FUNCTION later() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM credit(1); RETURN NULL; END $$; CREATE TRIGGER t2 AFTER INSERT ON plain FOR EACH ROW EXECUTE FUNCTION later(); INSERT INTO plain VALUES (1, 1); | fires trigger t2 of plain
          """)
  void postgresqlRefuses(String sql, String expected) throws Exception {
    assertThat(protectedWrites(DatabaseKind.POSTGRESQL, PG_HISTORY, sql))
        .anySatisfy(m -> assertThat(m).contains(expected));
  }

  @ParameterizedTest(name = "G4: MariaDB {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO events VALUES (1, 1); | fires trigger events_credit of events, whose body calls credit(), which does update on protected table users
          REPLACE INTO events VALUES (1, 1); | fires trigger events_credit of events
          CREATE EVENT later_credit ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 DAY DO CALL credit(1); | calls credit(), which does update on protected table users
          CREATE TRIGGER events_upd AFTER UPDATE ON events FOR EACH ROW CALL credit(NEW.uid); | calls credit(), which does update on protected table users
          """)
  void mariadbRefuses(String sql, String expected) throws Exception {
    assertThat(protectedWrites(DatabaseKind.MARIADB, MARIADB_HISTORY, sql))
        .anySatisfy(m -> assertThat(m).contains(expected));
  }

  @ParameterizedTest(name = "G4: {0} {1} is not a protected-table write")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          POSTGRESQL | UPDATE events SET uid = 2 WHERE id = 1;
          POSTGRESQL | INSERT INTO plain VALUES (1, 1);
          POSTGRESQL | UPDATE logs SET uid = 2 WHERE id = 1;
          MARIADB | UPDATE events SET uid = 2 WHERE id = 1;
          MARIADB | INSERT INTO plain VALUES (1, 1);
          """)
  void untouchedTablesPass(DatabaseKind kind, String sql) throws Exception {
    String history = kind == DatabaseKind.POSTGRESQL ? PG_HISTORY : MARIADB_HISTORY;
    assertThat(protectedWrites(kind, history, sql)).isEmpty();
  }
}
