package dev.prodguard.sql;

import static dev.prodguard.sql.G4ClassifierTest.pg;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PostgreSQL's attribute notation calls a function: {@code SELECT s.purge FROM sessions s} runs
 * {@code purge(s)} once per row, as {@code purge(s)} does. The classifier followed only the
 * functional notation, so the routine's DELETE was not reported (security review, finding 2).
 */
@DisplayName("G4: a routine called in attribute notation is followed")
class G4AttributeNotationTest {
  static final String DEF =
      "CREATE FUNCTION purge(sessions) RETURNS int LANGUAGE sql AS $$ DELETE FROM orders RETURNING"
          + " 1 $$; ";

  @ParameterizedTest(name = "G4: PostgreSQL {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT s.purge FROM sessions s
          SELECT sessions.purge FROM sessions
          SELECT (s).purge FROM sessions s
          SELECT count(*) FROM sessions s WHERE s.purge > 0
          """)
  void followed(String call) {
    assertThat(pg(DEF + call)).contains("function-call purge; delete orders [IN_BODY]");
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} calls no routine of the migrations")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT s.id FROM sessions s
          SELECT (s).id FROM sessions s
          """)
  void columns(String call) {
    assertThat(pg(DEF + call)).doesNotContain("function-call");
  }

  /**
   * Only a function that takes one argument is called in attribute notation (checked on PostgreSQL
   * 15: {@code t.f} with {@code f()} or {@code f(t, int)} is "column t.f does not exist", with
   * {@code f(t, int DEFAULT 2)} a call). A column named after a function of no argument was taken
   * for a call of it, and its body's DELETE reported against the statement.
   */
  @ParameterizedTest(name = "G4: PostgreSQL {1} with {0}: a column or a relation, no call")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          FUNCTION purge()                  | SELECT s.purge FROM sessions s
          FUNCTION purge()                  | UPDATE sessions s SET purge = s.purge + 1 WHERE s.id = 1
          FUNCTION purge()                  | INSERT INTO sessions AS s (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET purge = excluded.purge
          FUNCTION purge(OUT n int)         | SELECT sessions.purge FROM sessions
          FUNCTION purge(a sessions, b int) | SELECT s.purge FROM sessions s
          PROCEDURE purge(s sessions)       | SELECT s.purge FROM sessions s
          FUNCTION purge(s sessions)        | SELECT * FROM app.purge
          FUNCTION purge(s sessions)        | SELECT s.purge AS purge FROM sessions s JOIN app.purge p ON true
          """)
  void columnNamedAfterARoutine(String routine, String statement) {
    String def =
        "CREATE "
            + routine
            + (routine.startsWith("FUNCTION") ? " RETURNS int" : "")
            + " LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; RETURN 1; END $$; ";
    String ops = pg(def + statement);
    if (statement.contains("JOIN app.purge")) {
      assertThat(ops).containsOnlyOnce("function-call purge"); // s.purge, not the relation
    } else {
      assertThat(ops).doesNotContain("function-call");
    }
  }

  @ParameterizedTest(name = "G4: PostgreSQL {1} with {0}: a call")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          FUNCTION purge()                                | SELECT purge() FROM sessions s
          FUNCTION purge(s sessions, n int DEFAULT 2)     | SELECT s.purge FROM sessions s
          FUNCTION purge(s sessions, VARIADIC n int[])    | SELECT s.purge FROM sessions s
          FUNCTION purge(OUT n int, s sessions)           | SELECT s.purge FROM sessions s
          FUNCTION purge(s sessions)                      | SELECT app.purge(s) FROM sessions s
          PROCEDURE purge()                               | CALL purge()
          """)
  void callSyntax(String routine, String statement) {
    String def =
        "CREATE "
            + routine
            + (routine.startsWith("FUNCTION") ? " RETURNS int" : "")
            + " LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; RETURN 1; END $$; ";
    assertThat(pg(def + statement)).contains("delete orders [IN_BODY]");
  }
}
