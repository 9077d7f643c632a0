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
}
