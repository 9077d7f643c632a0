package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.Placeholders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lint reads each file with Flyway's parser over one in-memory reader (ProdguardParsing) instead of
 * Flyway's own reader stack: the statements, their lines, their transaction flags and the failures
 * must be exactly those of {@code Parser.parse}, or lint would cross-check against something Flyway
 * does not send.
 */
@DisplayName("G4: lint's in-memory reading of Flyway's parser gives exactly Flyway's statements")
class G4FlywayParsingTest {
  final FlywayMigrationEngine engine = new FlywayMigrationEngine();

  /** Texts that exercise every reader path: peeking past 256 characters, marks, BOMs, CRs. */
  static final List<String> TEXTS =
      List.of(
          "",
          "\ufeff",
          "\ufeffCREATE TABLE a (id int);\n",
          "SELECT 1;\ufeff\ufeffSELECT 2;\n",
          "SELECT 'x\ufeff';\nSELECT 3;\ufeff",
          "-- c\r\nCREATE TABLE b (id int);\r\n\r\nINSERT INTO b VALUES (1);\r",
          "-- tidy up\rDROP TABLE orders;\n",
          "/* a /* nested */ comment */ SELECT 1; /* unterminated",
          "SELECT 'it''s; fine', E'a\\'b;c', $$x;y$$, $tag$ $$ ; $tag$;\nSELECT 2",
          "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.touched = now();\n"
              + "  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n",
          "DO $do$ BEGIN IF true THEN RAISE NOTICE ';'; END IF; END $do$;\n",
          "CREATE INDEX CONCURRENTLY i ON t (a);\nVACUUM t;\nALTER TYPE e ADD VALUE 'x';\n",
          "COPY t (a) FROM stdin;\n1\n2;3\n\\.\nSELECT 1;\n",
          "SELECT \"quoted;name\" FROM t; SELECT U&\"d\\0061t\" FROM t;",
          "CREATE TABLE ${flyway:defaultSchema}.t (id int);\nCOMMENT ON TABLE t IS '${flyway:user}';",
          "CREATE TABLE ${schema}.t (id int);",
          "CREATE TABLE ${known}.t (id int); SELECT '${known}';",
          "BEGIN;\nSELECT 1;\nCOMMIT;\n",
          "SELECT 1;\n\nDELIMITER //\nSELECT 2; SELECT 3//\nDELIMITER ;\nSELECT 4;",
          "CREATE PROCEDURE p() BEGIN NOT ATOMIC SELECT 1; SELECT 2; END;\n",
          "SELECT `a;b`, 'x\\';y' FROM t # comment ; here\n; SELECT 2;",
          "SELECT (1;",
          "SELECT '" + "z".repeat(700) + ";' AS long_string;\n" + "SELECT 5;",
          "-- " + "w".repeat(300) + "\nSELECT 6;\ufeff",
          // what peek(String) is asked: comment openers and delimiters split by a BOM, a line
          // feed or the end of the text
          "SELECT 1 /\ufeff* x */;\nSELECT 1 /\n* 2;\nSELECT 3; /*",
          "DELIMITER $$\nCREATE PROCEDURE q() BEGIN SELECT 1; END$\ufeff$\nSELECT 2$$\n"
              + "DELIMITER ;\nSELECT 4;\n",
          "DELIMITER //\nSELECT 1/\n/\nSELECT 2//\nDELIMITER ;\nSELECT 1;/",
          "SELECT $a$ x $a\ufeff$ y $a$;\n");

  List<EngineStatements[]> both(DatabaseKind kind, String text) {
    MigrationFile file =
        new MigrationFile("V2__t.sql", "db/migration", text.getBytes(StandardCharsets.UTF_8));
    List<EngineStatements[]> out = new ArrayList<>();
    for (Placeholders p :
        List.of(Placeholders.NONE, Placeholders.of("${", "}", Map.of("known", "s;x")))) {
      MigrationFiles files = MigrationFiles.of(List.of(file)).with(p);
      out.add(
          new EngineStatements[] {
            engine.statements(files, file, kind, false), engine.statements(files, file, kind, true)
          });
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(
      value = DatabaseKind.class,
      names = {"POSTGRESQL", "MARIADB"})
  @DisplayName("G4: the same statements, lines, flags and failures as Parser.parse, text by text")
  void sameAsFlyway(DatabaseKind kind) {
    for (String text : TEXTS) {
      for (EngineStatements[] pair : both(kind, text)) {
        assertThat(pair[1]).as("%s: %s", kind, text).isEqualTo(pair[0]);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DatabaseKind.class,
      names = {"POSTGRESQL", "MARIADB"})
  @DisplayName("G4: the same on a large file stitched from those texts in random order")
  void sameOnLargeMixedFile(DatabaseKind kind) {
    Random random = new Random(15);
    StringBuilder sb = new StringBuilder();
    // whole statements only (MariaDB's parser would still be inside the procedure's block)
    List<String> complete =
        TEXTS.stream().filter(t -> t.endsWith(";\n") && !t.contains("PROCEDURE")).toList();
    while (sb.length() < 200_000) {
      sb.append(complete.get(random.nextInt(complete.size())));
    }
    for (EngineStatements[] pair : both(kind, sb.toString())) {
      assertThat(pair[0].failure()).isEmpty();
      assertThat(pair[0].statements()).hasSizeGreaterThan(1000);
      assertThat(pair[1]).isEqualTo(pair[0]);
    }
  }
}
