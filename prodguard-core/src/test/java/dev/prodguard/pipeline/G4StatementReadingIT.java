package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G4 on real servers: the session settings that make the server read a migration's text otherwise
 * than prodguard's analysis (attacker 22, findings 05 and 06) are named, so that verify refuses
 * them; the servers' defaults are not.
 */
@DisplayName("G4: verify sees the settings that change how the server reads statements")
class G4StatementReadingIT {
  @Test
  @DisplayName("G4: MariaDB's sql_mode ANSI_QUOTES (and ORACLE) is named; the default is not")
  void mariadbSqlMode() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.MARIADB);
        Connection c = db.connect();
        Statement st = c.createStatement()) {
      DatabaseSupport support = DatabaseSupport.of(DatabaseKind.MARIADB);
      assertThat(support.readingDifference(c)).isEmpty();
      st.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
      assertThat(support.readingDifference(c)).get().asString().contains("ANSI_QUOTES");
      st.execute("SET SESSION sql_mode = 'ORACLE'");
      assertThat(support.readingDifference(c)).get().asString().contains("ORACLE");
    }
  }

  @Test
  @DisplayName(
      "G4: PostgreSQL's plpgsql.variable_conflict use_column and standard_conforming_strings off"
          + " are named; the defaults are not")
  void postgresSettings() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL);
        Connection c = db.connect();
        Statement st = c.createStatement()) {
      DatabaseSupport support = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
      assertThat(support.readingDifference(c)).isEmpty();
      st.execute("SET plpgsql.variable_conflict = 'use_column'");
      assertThat(support.readingDifference(c)).get().asString().contains("use_column");
      st.execute("RESET plpgsql.variable_conflict");
      st.execute("SET standard_conforming_strings = off");
      assertThat(support.readingDifference(c))
          .get()
          .asString()
          .contains("standard_conforming_strings");
    }
  }
}
