package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G4 (attacker's walk findings 01-05, 11, 12): a migration that writes an unprotected table, or
 * only changes the schema, writes a protected table through what the target already has and the
 * server runs by itself: a foreign key's SET NULL / SET DEFAULT / ON UPDATE action that fires the
 * child's UPDATE trigger, a trigger function prodguard cannot read (an extension's C function), an
 * event trigger fired by the migration's DDL, a MariaDB routine or trigger in another database, a
 * user routine created in {@code pg_catalog}, a CHECK constraint or column DEFAULT that calls a
 * routine, a trigger's WHEN condition. The objects are made by hand on the target and the drift
 * accepted, so only the target's catalog tells of them; verify refuses before anything is deployed.
 */
@DisplayName("G4 writes of a protected table through what the server runs by itself")
class G4IndirectWritesIT {
  @TempDir Path dir;

  private static final String CLEANUP =
      "CREATE FUNCTION cleanup_users() RETURNS boolean LANGUAGE plpgsql AS $$BEGIN"
          + " DELETE FROM users WHERE id > 0; RETURN true; END$$";

  /** A prod target with a users table (rows in it), then {@code setup} by hand, then protected. */
  private PipelineFixture target(DatabaseKind kind, String... setup) throws Exception {
    return targetWithDdl(kind, "", setup);
  }

  /** As above, V2 also running {@code ddl} (statements) before it fills users. */
  private PipelineFixture targetWithDdl(DatabaseKind kind, String ddl, String... setup)
      throws Exception {
    return PipelineFixture.protectedUsers(kind, dir, ddl, setup);
  }

  private static GuardRefusal refusal(PipelineFixture f) {
    return catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
  }

  private static void assertRefused(PipelineFixture f, String file, String... why) {
    GuardRefusal r = refusal(f);
    assertThat(r).as("verify must refuse " + file).isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
    assertThat(r.why()).contains(file, "protected-table-write").contains(why);
    assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
  }

  @Test
  @DisplayName(
      "G4 (01): ON DELETE SET NULL writes the child, whose UPDATE trigger deletes a protected"
          + " table's rows")
  void setNullFiresChildUpdateTrigger() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE TABLE accounts (id INT PRIMARY KEY)",
            "CREATE TABLE memberships (id INT PRIMARY KEY, account_id INT REFERENCES accounts (id)"
                + " ON DELETE SET NULL)",
            "CREATE FUNCTION memberships_au() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE account_id = OLD.account_id; RETURN NEW; END$$",
            "CREATE TRIGGER memberships_au AFTER UPDATE ON memberships FOR EACH ROW"
                + " EXECUTE FUNCTION memberships_au()",
            "INSERT INTO accounts VALUES (1)",
            "INSERT INTO memberships VALUES (1, 1)")) {
      f.migration("V3__accounts.sql", "DELETE FROM accounts WHERE id = 1;\n");

      assertRefused(
          f, "V3__accounts.sql", "memberships_au", "ON DELETE SET NULL", "protected table users");
    }
  }

  @Test
  @DisplayName("G4 (01): ON UPDATE CASCADE writes the child, whose UPDATE trigger writes users")
  void updateCascadeFiresChildUpdateTrigger() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE TABLE accounts (id INT PRIMARY KEY)",
            "CREATE TABLE memberships (id INT PRIMARY KEY, account_id INT REFERENCES accounts (id)"
                + " ON UPDATE CASCADE)",
            "CREATE FUNCTION memberships_au() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE account_id = OLD.account_id; RETURN NEW; END$$",
            "CREATE TRIGGER memberships_au AFTER UPDATE ON memberships FOR EACH ROW"
                + " EXECUTE FUNCTION memberships_au()")) {
      f.migration("V3__accounts.sql", "UPDATE accounts SET id = id + 100 WHERE id > 0;\n");

      assertRefused(f, "V3__accounts.sql", "memberships_au", "ON UPDATE CASCADE");
    }
  }

  @Test
  @DisplayName(
      "G4 (02): a trigger function prodguard cannot read (an extension's C function) fails closed")
  void unreadableTriggerFunctionFailsClosed() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE EXTENSION refint",
            "CREATE TABLE accounts (id INT PRIMARY KEY)",
            "CREATE TRIGGER accounts_refint BEFORE DELETE ON accounts FOR EACH ROW EXECUTE"
                + " FUNCTION check_foreign_key(1, 'cascade', 'id', 'users', 'account_id')",
            "INSERT INTO accounts VALUES (1)")) {
      f.migration("V3__accounts.sql", "DELETE FROM accounts WHERE id = 1;\n");

      assertRefused(f, "V3__accounts.sql", "accounts_refint", "cannot read");
    }
  }

  @Test
  @DisplayName("G4 (02): a known-harmless built-in trigger function still passes")
  void builtinTriggerFunctionPasses() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)",
            "CREATE TRIGGER notes_same BEFORE UPDATE ON notes FOR EACH ROW EXECUTE"
                + " FUNCTION suppress_redundant_updates_trigger()")) {
      f.migration("V3__notes.sql", "UPDATE notes SET body = 'x' WHERE id = 1;\n");

      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }

  @Test
  @DisplayName(
      "G4 (02): contrib's moddatetime and tcn trigger functions (C, members of their extension)"
          + " pass; refint's check_foreign_key does not (see above)")
  void contribTriggerFunctionsPass() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE EXTENSION moddatetime",
            "CREATE EXTENSION tcn",
            "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT, changed timestamp)",
            "CREATE TRIGGER notes_mdt BEFORE UPDATE ON notes FOR EACH ROW EXECUTE"
                + " FUNCTION moddatetime(changed)",
            "CREATE TRIGGER notes_tcn AFTER INSERT OR UPDATE ON notes FOR EACH ROW EXECUTE"
                + " FUNCTION triggered_change_notification()")) {
      f.migration("V3__notes.sql", "UPDATE notes SET body = 'x' WHERE id = 1;\n");

      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }

  @Test
  @DisplayName("G4 (03): DDL fires a user's event trigger whose function deletes a protected table")
  void eventTriggerOnDdl() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE id > 0; END$$",
            "CREATE EVENT TRIGGER purge_on_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl()")) {
      f.migration("V3__notes.sql", "CREATE TABLE notes (id INT PRIMARY KEY);\n");

      assertRefused(f, "V3__notes.sql", "purge_on_ddl", "protected table users");
    }
  }

  @Test
  @DisplayName(
      "G4 (05): a user routine in pg_catalog, or one shadowing a built-in's name, is followed"
          + " like any other")
  void routineShadowingBuiltin() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE FUNCTION pg_catalog.lower(n int) RETURNS int LANGUAGE sql AS"
                + " $$DELETE FROM public.users WHERE id > n RETURNING 1$$",
            "CREATE TABLE notes (id INT PRIMARY KEY)",
            "CREATE FUNCTION notes_ai() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " PERFORM pg_catalog.lower(0); RETURN NEW; END$$",
            "CREATE TRIGGER notes_ai AFTER INSERT ON notes FOR EACH ROW"
                + " EXECUTE FUNCTION notes_ai()")) {
      f.migration("V3__tidy.sql", "SELECT lower(0);\n");
      assertRefused(f, "V3__tidy.sql", "lower()", "protected table public.users");

      f.migration("V3__tidy.sql", "INSERT INTO notes VALUES (1);\n");
      assertRefused(f, "V3__tidy.sql", "notes_ai");
    }
  }

  @Test
  @DisplayName(
      "G4 (attacker 26/02-05): what an evaluated expression reaches through an operator, an"
          + " operator class or a domain over a domain is walked too")
  void operatorsOperatorClassesAndBaseDomains() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            "CREATE FUNCTION zap(a int, b int) RETURNS int LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE id > 0; RETURN 1; END$$",
            "CREATE OPERATOR <~~> (LEFTARG = int, RIGHTARG = int, FUNCTION = zap)",
            "CREATE TABLE checked (id INT PRIMARY KEY, CONSTRAINT checked_op"
                + " CHECK ((id <~~> 1) = 1))",
            "CREATE FUNCTION zcmp(a int, b int) RETURNS int LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE id > 0; RETURN btint4cmp(a, b); END$$",
            "CREATE OPERATOR CLASS zops FOR TYPE int USING btree AS OPERATOR 1 <, OPERATOR 2 <=,"
                + " OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 zcmp(int, int)",
            "CREATE TABLE indexed (id INT PRIMARY KEY)",
            "CREATE INDEX indexed_z ON indexed (id zops)",
            "CREATE FUNCTION zapb(v int) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE id > 0; RETURN true; END$$",
            "CREATE DOMAIN d1 AS int CHECK (zapb(VALUE))",
            "CREATE DOMAIN d2 AS d1",
            "CREATE TABLE typed (id INT PRIMARY KEY, v d2)",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE TABLE searched (id INT PRIMARY KEY, body text)",
            "CREATE INDEX searched_trgm ON searched USING gin (body gin_trgm_ops)")) {
      f.migration("V3__rows.sql", "INSERT INTO checked VALUES (2);\n");
      assertRefused(f, "V3__rows.sql", "checked_op", "zap()", "protected table users");

      f.migration("V3__rows.sql", "INSERT INTO indexed VALUES (2);\n");
      assertRefused(f, "V3__rows.sql", "indexed_z", "zcmp()", "protected table users");

      f.migration("V3__rows.sql", "UPDATE typed SET v = 3 WHERE id = 1;\n");
      assertRefused(f, "V3__rows.sql", "column v of domain d2", "zapb()");

      // an extension's operator class (pg_trgm's, C) is its own code: not refused
      f.migration("V3__rows.sql", "INSERT INTO searched VALUES (1, 'x');\n");
      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }

  @Test
  @DisplayName("G4 (11): an INSERT evaluates a CHECK constraint whose function deletes users")
  void checkConstraintCallsRoutine() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            CLEANUP,
            "CREATE TABLE notes (id INT PRIMARY KEY, CONSTRAINT notes_ok CHECK (cleanup_users()))")) {
      f.migration("V3__notes.sql", "INSERT INTO notes VALUES (1);\n");

      assertRefused(f, "V3__notes.sql", "notes_ok", "cleanup_users", "protected table users");
    }
  }

  @Test
  @DisplayName(
      "G4 (11): VALIDATE CONSTRAINT evaluates the target's NOT VALID CHECK whose function deletes"
          + " users")
  void validateNotValidCheck() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            CLEANUP,
            "CREATE TABLE notes (id INT PRIMARY KEY)",
            "ALTER TABLE notes ADD CONSTRAINT notes_ok CHECK (cleanup_users()) NOT VALID")) {
      f.migration("V3__notes.sql", "ALTER TABLE notes VALIDATE CONSTRAINT notes_ok;\n");

      assertRefused(f, "V3__notes.sql", "notes_ok", "cleanup_users", "protected table users");
    }
  }

  @Test
  @DisplayName("G4 (11): an INSERT evaluates a column DEFAULT whose function deletes users")
  void columnDefaultCallsRoutine() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            CLEANUP,
            "CREATE TABLE notes (id INT PRIMARY KEY, ok BOOLEAN DEFAULT cleanup_users())")) {
      f.migration("V3__notes.sql", "INSERT INTO notes (id) VALUES (1);\n");

      assertRefused(f, "V3__notes.sql", "cleanup_users", "protected table users");
    }
  }

  @Test
  @DisplayName(
      "G4 (11, lint): an INSERT evaluates a NOT VALID CHECK the migration adds, calling an applied"
          + " routine that deletes users")
  void notValidCheckInTheSet() throws Exception {
    try (PipelineFixture f = targetWithDdl(DatabaseKind.POSTGRESQL, CLEANUP + ";\n")) {
      f.migration(
          "V3__items.sql",
          "ALTER TABLE items ADD CONSTRAINT items_ok CHECK (cleanup_users()) NOT VALID;\n"
              + "INSERT INTO items VALUES (9, 'nine');\n");

      assertRefused(
          f,
          "V3__items.sql",
          "evaluates check constraint items_ok",
          "cleanup_users",
          "protected table users");
    }
  }

  @Test
  @DisplayName("G4 (12): a trigger's WHEN condition calls a function that deletes users")
  void triggerWhenCallsRoutine() throws Exception {
    try (PipelineFixture f =
        target(
            DatabaseKind.POSTGRESQL,
            CLEANUP,
            "CREATE TABLE notes (id INT PRIMARY KEY)",
            "CREATE FUNCTION notes_noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " RETURN NEW; END$$",
            "CREATE TRIGGER notes_ai AFTER INSERT ON notes FOR EACH ROW WHEN (cleanup_users())"
                + " EXECUTE FUNCTION notes_noop()")) {
      f.migration("V3__notes.sql", "INSERT INTO notes VALUES (1);\n");

      assertRefused(f, "V3__notes.sql", "notes_ai", "cleanup_users", "protected table users");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4 (06/07): a protected table renamed (twice) by an excepted migration is still protected"
          + " under its new name")
  void renamedProtectedTable(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = target(kind)) {
      Files.writeString(
          dir.resolve("prodguard-contract.yml"),
          "version: 1\nprotected-tables: { users: {} }\nexceptions:\n"
              + "  - { migration: V3, rule: protected-table-write, reason: \"archive\" }\n"
              + "  - { migration: V3, rule: rename-table, reason: \"archive\" }\n");
      f.migration(
          "V3__archive.sql",
          kind == DatabaseKind.POSTGRESQL
              ? "ALTER TABLE users RENAME TO users_tmp;\n"
                  + "ALTER TABLE users_tmp RENAME TO users_old;\n"
              : "RENAME TABLE users TO users_tmp;\nALTER TABLE users_tmp RENAME TO users_old;\n");
      f.migration("V4__purge.sql", "DELETE FROM users_old WHERE id > 0;\n");

      GuardRefusal r = refusal(f);
      assertThat(r).as("verify must refuse V4__purge.sql").isNotNull();
      assertThat(r.why())
          .contains("V4__purge.sql", "protected-table-write", "users_old", "new name");
      assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
    }
  }

  @Test
  @DisplayName("G4 (10): a routine renamed to a harmless routine's name keeps its body")
  void renamedRoutine() throws Exception {
    try (PipelineFixture f =
        targetWithDdl(
            DatabaseKind.POSTGRESQL,
            "CREATE FUNCTION wipe() RETURNS void LANGUAGE plpgsql AS $$BEGIN"
                + " DELETE FROM users WHERE id > 0; END$$;\n"
                + "CREATE FUNCTION tidy(n int) RETURNS void LANGUAGE plpgsql AS $$BEGIN"
                + " RETURN; END$$;\n")) {
      f.migration("V3__tidy.sql", "ALTER FUNCTION wipe() RENAME TO tidy;\nSELECT tidy();\n");

      assertRefused(f, "V3__tidy.sql", "protected table users");
    }
  }

  /** MariaDB: a second database the account sees, dropped after the test. */
  private static final class OtherDatabase implements AutoCloseable {
    final String name;
    private final String admin;

    OtherDatabase(PipelineFixture f) throws Exception {
      this.name = f.db.name() + "_other";
      this.admin = dev.prodguard.testing.TestDatabase.MYSQL_ADMIN;
      run("CREATE DATABASE " + name);
    }

    void run(String... sql) throws Exception {
      try (Connection c = DriverManager.getConnection(admin);
          Statement st = c.createStatement()) {
        for (String s : sql) {
          st.execute(s);
        }
      }
    }

    @Override
    public void close() throws Exception {
      run("DROP DATABASE IF EXISTS " + name);
    }
  }

  @Test
  @DisplayName("G4 (04): MariaDB CALL of another database's procedure that deletes users")
  void mariaDbCallInOtherDatabase() throws Exception {
    // a harmless namesake the migrations define must not stand in for it
    try (PipelineFixture f =
            targetWithDdl(DatabaseKind.MARIADB, "CREATE PROCEDURE tidy() SELECT 1;\n");
        OtherDatabase other = new OtherDatabase(f)) {
      other.run(
          "CREATE PROCEDURE "
              + other.name
              + ".tidy() DELETE FROM "
              + f.db.name()
              + ".users WHERE id > 0");
      f.migration("V3__tidy.sql", "CALL " + other.name + ".tidy();\n");

      GuardRefusal r = refusal(f);
      assertThat(r).isNotNull();
      assertThat(r.why()).contains("V3__tidy.sql", "protected-table-write", "users");
      assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
    }
  }

  @Test
  @DisplayName("G4 (13): MariaDB INSERT into another database's table whose trigger deletes users")
  void mariaDbTriggerInOtherDatabase() throws Exception {
    try (PipelineFixture f = target(DatabaseKind.MARIADB);
        OtherDatabase other = new OtherDatabase(f)) {
      other.run(
          "CREATE TABLE " + other.name + ".log (id INT PRIMARY KEY)",
          "CREATE TRIGGER "
              + other.name
              + ".log_ai AFTER INSERT ON "
              + other.name
              + ".log FOR EACH ROW DELETE FROM "
              + f.db.name()
              + ".users WHERE id > 0");
      f.migration("V3__log.sql", "INSERT INTO " + other.name + ".log VALUES (1);\n");

      assertRefused(f, "V3__log.sql", "log_ai", "users");
    }
  }
}
