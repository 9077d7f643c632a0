package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What Flyway will send for a file, from its own parser, without a database. */
@DisplayName("G4: the engine reports the statements Flyway will send")
class G4FlywayStatementsTest {
  final FlywayMigrationEngine engine = new FlywayMigrationEngine();

  EngineStatements split(DatabaseKind kind, String sql) {
    return engine.statements(
        new MigrationFile("V2__t.sql", "db/migration", sql.getBytes(StandardCharsets.UTF_8)), kind);
  }

  List<String> sql(DatabaseKind kind, String sql) {
    EngineStatements s = split(kind, sql);
    assertThat(s.failure()).isEmpty();
    return s.statements().stream().map(EngineStatements.Statement::sql).toList();
  }

  @Test
  @DisplayName(
      "G4: Flyway sends a statement after a -- comment ended by a bare CR, comment included")
  void carriageReturn() {
    assertThat(sql(DatabaseKind.POSTGRESQL, "-- tidy up\rDROP TABLE orders;\n"))
        .containsExactly("-- tidy up\rDROP TABLE orders");
    assertThat(sql(DatabaseKind.MARIADB, "-- tidy up\rDROP TABLE orders;\n"))
        .containsExactly("-- tidy up\rDROP TABLE orders");
  }

  @Test
  @DisplayName("G4: statements carry their line; DELIMITER and COPY data are Flyway's")
  void linesDelimiterCopy() {
    EngineStatements s =
        split(
            DatabaseKind.MARIADB, "SELECT 1;\n\nDELIMITER //\nSELECT 2; SELECT 3//\nDELIMITER ;\n");
    assertThat(s.statements()).extracting(EngineStatements.Statement::line).containsExactly(1, 4);
    assertThat(s.statements().get(1).sql()).isEqualTo("SELECT 2; SELECT 3");
    assertThat(sql(DatabaseKind.POSTGRESQL, "COPY t (a) FROM stdin;\n1\n\\.\nSELECT 1;\n"))
        .containsExactly("COPY t (a) FROM stdin", "SELECT 1");
  }

  @Test
  @DisplayName(
      "G4: a COPY FROM STDIN without its \\. line fails the split instead of hanging Flyway's"
          + " parser (attacker 22, finding 15)")
  void copyWithoutEndOfData() {
    for (String sql :
        List.of(
            "CREATE TABLE orders (id int);\nCOPY orders FROM STDIN;\n",
            "COPY orders FROM STDIN;",
            "COPY orders (id)\n  FROM stdin;\n1\n2\n",
            // an earlier COPY's end does not end the last one's data
            "COPY a FROM stdin;\n1\n\\.\nCOPY users (col) FROM STDIN;\n")) {
      EngineStatements s =
          assertTimeoutPreemptively(
              Duration.ofSeconds(20), () -> split(DatabaseKind.POSTGRESQL, sql), sql);
      assertThat(s.failure())
          .as(sql)
          .get()
          .asString()
          .contains("COPY ... FROM STDIN at line", "never ends", "\\.");
    }
    assertThat(sql(DatabaseKind.POSTGRESQL, "COPY t FROM STDIN;\n\\.\n")).hasSize(1);
  }

  @Test
  @DisplayName(
      "G4: the COPY look-up runs its regular expression only where the word is written, and"
          + " finds exactly what the expression finds (issue 15)")
  void copyLookUpSkipsOnlyWhatCannotMatch() {
    java.util.regex.Pattern copy =
        java.util.regex.Pattern.compile("(?is)\\bcopy\\b[^;]*?\\bfrom\\s+stdin\\b");
    String[] pieces = {
      "copy",
      "COPY",
      "CoPy",
      "c\u00F3py",
      "\u212Aopy",
      "cop",
      "y",
      " ",
      "\n",
      ";",
      "from",
      "FROM",
      "stdin",
      "STDIN",
      "x",
      "\\.",
      "\n\\.",
      "_",
      "\u017Ftdin"
    };
    java.util.Random r = new java.util.Random(15);
    for (int round = 0; round < 100_000; round++) {
      StringBuilder b = new StringBuilder();
      for (int i = r.nextInt(10); i > 0; i--) {
        b.append(pieces[r.nextInt(pieces.length)]);
      }
      String text = b.toString();
      boolean found = copy.matcher(text).find();
      assertThat(FlywayStatements.writesCopy(text) || !found).as(text).isTrue();
      if (!FlywayStatements.writesCopy(text)) {
        assertThat(FlywayStatements.copyWithoutEnd(text)).as(text).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("G4: Flyway's built-in placeholders come back as written; unknown ones fail")
  void placeholders() {
    assertThat(
            sql(
                DatabaseKind.POSTGRESQL,
                "CREATE TABLE ${flyway:defaultSchema}.t (id int);\n"
                    + "COMMENT ON TABLE t IS 'by ${flyway:user} in ${flyway:filename}';\n"))
        .containsExactly(
            "CREATE TABLE ${flyway:defaultSchema}.t (id int)",
            "COMMENT ON TABLE t IS 'by ${flyway:user} in ${flyway:filename}'");
    EngineStatements unknown = split(DatabaseKind.POSTGRESQL, "CREATE TABLE ${schema}.t (id int);");
    assertThat(unknown.failure()).get().asString().contains("${schema}");
  }
}
