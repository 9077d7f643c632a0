package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Path;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4: PostgreSQL runs a user operator's function wherever a migration's own statement uses the
 * operator (a CHECK that ALTER DOMAIN or ALTER TABLE validates on the stored rows, an EXCLUDE ...
 * WITH, an ORDER BY ... USING, a WHERE, an index predicate), an operator class's support functions
 * when an index is built with it, and a routine that a DDL expression calls for every row (an index
 * expression, a CHECK, a DEFAULT, a generated column, ALTER COLUMN TYPE ... USING). The operators,
 * the class and the routine are made by hand on the target (the drift accepted), so only its
 * catalog tells of them; verify refuses before anything is deployed, and users keeps its rows.
 */
@DisplayName("G4 writes of a protected table through operators and routines a migration's DDL uses")
class G4OperatorsIT {
  @TempDir Path dir;

  private static final String[] TARGET = {
    "CREATE FUNCTION cleanup_users() RETURNS boolean LANGUAGE plpgsql AS $$BEGIN"
        + " DELETE FROM users WHERE id > 0; RETURN true; END$$",
    "CREATE FUNCTION del_op(a int, b int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$BEGIN"
        + " PERFORM cleanup_users(); RETURN a = b; END$$",
    "CREATE OPERATOR <~~> (FUNCTION = del_op, LEFTARG = int, RIGHTARG = int)",
    "CREATE FUNCTION cmp_op(a int, b int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$BEGIN"
        + " PERFORM cleanup_users(); RETURN 0; END$$",
    "CREATE OPERATOR CLASS evil_ops FOR TYPE int USING btree AS OPERATOR 1 <, OPERATOR 2 <=,"
        + " OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 cmp_op(int, int)",
    "CREATE FUNCTION target_only(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$BEGIN"
        + " PERFORM cleanup_users(); RETURN v; END$$",
    "CREATE DOMAIN d AS int",
    "CREATE TABLE notes (a int, b int, x int, dv d)",
    "INSERT INTO notes VALUES (1, 1, 1, 1)"
  };

  private final SoftAssertions softly = new SoftAssertions();

  @AfterEach
  void judged() {
    softly.assertAll();
  }

  /** verify refuses {@code sql} as V3 under G4, naming {@code why}; users keeps its rows. */
  private void assertRefused(PipelineFixture f, String sql, String... why) {
    f.migration("V3__operators.sql", sql);
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
    softly.assertThat(r).as("verify must refuse " + sql).isNotNull();
    if (r != null) {
      softly.assertThat(r.guarantee()).as(sql).isEqualTo(Guarantee.G4);
      softly
          .assertThat(r.why())
          .as(sql)
          .contains("V3__operators.sql", "protected-table-write", "protected table users")
          .contains(why);
    }
    softly.assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
  }

  @Test
  @DisplayName(
      "G4: a target's user operator used in a CHECK, an EXCLUDE, an ORDER BY USING, a WHERE or an"
          + " index predicate runs its function, which deletes users")
  void targetOperators() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "", TARGET)) {
      for (String sql :
          new String[] {
            "ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE <~~> 1);\n",
            "ALTER TABLE notes ADD CHECK (a <~~> b);\n",
            "ALTER TABLE notes ADD CONSTRAINT same CHECK (a OPERATOR(public.<~~>) b);\n",
            "ALTER TABLE notes ADD CONSTRAINT ex EXCLUDE USING btree (x WITH <~~>);\n",
            "SELECT * FROM notes ORDER BY x USING <~~>;\n",
            "SELECT a FROM notes WHERE a <~~> b;\n",
            "DELETE FROM notes WHERE a <~~> b;\n",
            "UPDATE notes SET a = 1 WHERE a <~~> b;\n",
            "CREATE INDEX notes_p ON notes (x) WHERE x <~~> 1;\n"
          }) {
        assertRefused(f, sql, "del_op()", "cleanup_users()");
      }
    }
  }

  @Test
  @DisplayName(
      "G4: an index built with a target's user operator class runs its support function, which"
          + " deletes users")
  void targetOperatorClass() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "", TARGET)) {
      assertRefused(f, "CREATE INDEX notes_c ON notes (x evil_ops);\n", "cmp_op()");
      assertRefused(
          f, "CREATE INDEX notes_c ON notes USING btree (x public.evil_ops DESC);\n", "cmp_op()");
    }
  }

  @Test
  @DisplayName(
      "G4: a routine only the target has, called by an index expression, a CHECK, a DEFAULT, a"
          + " generated column or ALTER COLUMN TYPE ... USING, deletes users")
  void targetRoutinesInDdlExpressions() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "", TARGET)) {
      for (String sql :
          new String[] {
            "CREATE INDEX notes_e ON notes ((target_only(x)));\n",
            "ALTER TABLE notes ADD CHECK (target_only(a) > 0);\n",
            "ALTER TABLE notes ADD COLUMN c int DEFAULT target_only(1);\n",
            "ALTER TABLE notes ADD COLUMN g int GENERATED ALWAYS AS (target_only(a)) STORED;\n",
            "ALTER TABLE notes ALTER COLUMN a TYPE bigint USING target_only(a);\n"
          }) {
        assertRefused(f, sql, "target_only()", "cleanup_users()");
      }
    }
  }

  @Test
  @DisplayName(
      "G4: an operator the migration itself creates, over a function of the target, is followed"
          + " where the migration uses it")
  void migrationsOwnOperator() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "", TARGET)) {
      assertRefused(
          f,
          "CREATE OPERATOR public.<<~>> (FUNCTION = del_op, LEFTARG = int, RIGHTARG = int);\n"
              + "ALTER TABLE notes ADD CHECK (a <<~>> b);\n",
          "del_op()",
          "cleanup_users()");
    }
  }

  @Test
  @DisplayName("G4: built-in operators and operator classes on such a target still pass")
  void builtInsPass() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "", TARGET)) {
      String sql =
          "SELECT a FROM notes WHERE a >= -1 AND b <> 2 AND x::text ~~ '1%' ORDER BY x USING <;\n"
              + "ALTER TABLE notes ADD CHECK (a > 0 OR b IS NULL) NOT VALID;\n";
      f.migration("V3__operators.sql", sql);
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      softly.assertThat(r).as(sql + " must pass verify").isNull();
    }
  }

  /** The target's functions for attack 13b: a user = over int and text, a cast int to tt. */
  private static String[] implicitTarget(boolean operatorAndCast) {
    java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of(TARGET));
    out.add(
        "CREATE FUNCTION ev(a int, b text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN"
            + " PERFORM cleanup_users(); RETURN true; END$$");
    out.add("CREATE TYPE tt AS (a int)");
    out.add(
        "CREATE FUNCTION tcast(v int) RETURNS tt LANGUAGE plpgsql AS $$BEGIN"
            + " PERFORM cleanup_users(); RETURN ROW(v)::tt; END$$");
    if (operatorAndCast) {
      out.add("CREATE OPERATOR public.= (LEFTARG = int, RIGHTARG = text, FUNCTION = ev)");
      out.add("CREATE CAST (int AS tt) WITH FUNCTION tcast(int) AS ASSIGNMENT");
    }
    return out.toArray(String[]::new);
  }

  @Test
  @DisplayName(
      "G4: a target's user = or cast that PostgreSQL picks unnamed (NULLIF, IN, simple CASE, IS"
          + " DISTINCT FROM, an assignment cast of an INSERT) runs its function, which deletes"
          + " users")
  void targetImplicitOperatorsAndCasts() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "", implicitTarget(true))) {
      for (String sql :
          new String[] {
            "SELECT NULLIF(4, 'x'::text);\n",
            "SELECT 8 IN ('x'::text);\n",
            "SELECT CASE 9 WHEN 'x'::text THEN 1 END;\n",
            "SELECT 10 IS DISTINCT FROM 'x'::text;\n",
            "CREATE TABLE zz (c tt);\nINSERT INTO zz VALUES (7);\n"
          }) {
        assertRefused(f, sql, "cleanup_users()");
      }
    }
  }

  @Test
  @DisplayName(
      "G4: a user = or cast the migration creates over a function only the target has is"
          + " followed where PostgreSQL picks it unnamed")
  void migrationsImplicitOperatorsAndCastsOverTargetFunctions() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "", implicitTarget(false))) {
      assertRefused(
          f,
          "CREATE OPERATOR public.= (LEFTARG = int, RIGHTARG = text, FUNCTION = ev);\n"
              + "SELECT NULLIF(4, 'x'::text);\n",
          "ev()",
          "cleanup_users()");
      assertRefused(
          f,
          "CREATE CAST (int AS tt) WITH FUNCTION tcast(int) AS ASSIGNMENT;\n"
              + "CREATE TABLE zz (c tt);\nINSERT INTO zz VALUES (7);\n",
          "tcast()",
          "cleanup_users()");
    }
  }
}
