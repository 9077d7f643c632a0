package dev.prodguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("G4: the splitter cuts statements where the database would")
class G4SplitterTest {

  static List<SqlStatement> pg(String sql) {
    return new Splitter(SqlSyntax.POSTGRESQL).split(new SourceFile("V1__t.sql", sql));
  }

  static List<SqlStatement> my(String sql) {
    return new Splitter(SqlSyntax.MYSQL).split(new SourceFile("V1__t.sql", sql));
  }

  static List<String> texts(List<SqlStatement> s) {
    return s.stream().map(SqlStatement::text).toList();
  }

  @Test
  @DisplayName("G4: dollar quotes containing semicolons stay one statement (with and without tags)")
  void dollarQuotes() {
    String sql =
        """
        CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM a; UPDATE b SET c = 1; END $$ LANGUAGE plpgsql;
        CREATE FUNCTION g() RETURNS text AS $body$ SELECT 'x;$$;' ; $body$ LANGUAGE sql;
        DO $outer$ BEGIN EXECUTE $q$ DROP TABLE x; $q$; END $outer$;
        SELECT $1, a$b FROM t;
        """;
    List<SqlStatement> s = pg(sql);
    assertThat(s).hasSize(4);
    assertThat(s.get(0).text()).startsWith("CREATE FUNCTION f()").endsWith("LANGUAGE plpgsql");
    assertThat(s.get(1).text()).endsWith("$body$ LANGUAGE sql");
    assertThat(s.get(2).text()).startsWith("DO $outer$").endsWith("END $outer$");
    assertThat(s.get(3).text()).isEqualTo("SELECT $1, a$b FROM t");
    assertThat(s).allMatch(x -> x.problem() == null);
  }

  @Test
  @DisplayName("G4: comments containing quotes and semicolons do not split or open strings")
  void commentsWithQuotes() {
    String sql =
        """
        -- it's a comment; with a quote
        SELECT 1; /* don't; "stop" */ SELECT 2;
        /* outer /* nested ; ' */ still comment; */ SELECT 3;
        SELECT 4 -- trailing 'quote
        ;
        """;
    assertThat(texts(pg(sql)))
        .containsExactly("SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4 -- trailing 'quote");
  }

  @Test
  @DisplayName("G4: E'' strings, doubled quotes and quoted identifiers hide their semicolons")
  void strings() {
    String sql =
        "INSERT INTO t VALUES (E'it\\'s; fine', 'a''b;c', \"col;\"\"x\");\n"
            + "SELECT 'back\\'; SELECT 2;\n";
    List<String> t = texts(pg(sql));
    assertThat(t)
        .containsExactly(
            "INSERT INTO t VALUES (E'it\\'s; fine', 'a''b;c', \"col;\"\"x\")",
            "SELECT 'back\\'",
            "SELECT 2");
  }

  @Test
  @DisplayName("G4: every statement keeps its file, line and column")
  void positions() {
    String sql = "SELECT 1;\n\n  -- note\n  UPDATE t\n  SET a = 1; SELECT\n2;";
    List<SqlStatement> s = pg(sql);
    assertThat(s).extracting(SqlStatement::line).containsExactly(1, 4, 5);
    assertThat(s).extracting(SqlStatement::column).containsExactly(1, 3, 14);
    assertThat(s.get(1).file()).isEqualTo("V1__t.sql");
    assertThat(s.get(1).excerpt(200)).isEqualTo("UPDATE t SET a = 1");
  }

  @Test
  @DisplayName("G4: MySQL procedures with DELIMITER split at the custom delimiter only")
  void mysqlDelimiter() {
    String sql =
        """
        DELIMITER //
        CREATE PROCEDURE p()
        BEGIN
          DELETE FROM a WHERE id = 1;
          IF (SELECT 1) THEN UPDATE b SET c = ';'; END IF;
        END //
        DELIMITER ;
        SELECT 1;
        delimiter $$
        CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END$$
        DELIMITER ;
        """;
    List<SqlStatement> s = my(sql);
    assertThat(s).hasSize(3);
    assertThat(s.get(0).text()).startsWith("CREATE PROCEDURE p()").endsWith("END");
    assertThat(s.get(0).line()).isEqualTo(2);
    assertThat(s.get(1).text()).isEqualTo("SELECT 1");
    assertThat(s.get(2).text()).startsWith("CREATE TRIGGER").endsWith("END");
  }

  @Test
  @DisplayName("G4: MySQL routines without DELIMITER are kept whole (BEGIN ... END, END IF, CASE)")
  void mysqlCompoundWithoutDelimiter() {
    String sql =
        """
        CREATE PROCEDURE p() BEGIN
          DECLARE x INT;
          IF x THEN SELECT 1; END IF;
          CASE x WHEN 1 THEN SELECT 2; ELSE BEGIN END; END CASE;
          SET x = CASE WHEN x THEN 1 ELSE 2 END;
        END;
        CREATE TABLE event (id INT);
        SELECT 3;
        """;
    List<SqlStatement> s = my(sql);
    assertThat(s).hasSize(3);
    assertThat(s.get(0).text()).endsWith("END");
    assertThat(s.get(1).text()).isEqualTo("CREATE TABLE event (id INT)");
  }

  @Test
  @DisplayName("G4: MySQL backticks, # comments, backslash escapes and double-quoted strings")
  void mysqlLexical() {
    String sql =
        "INSERT INTO `we;ird` VALUES ('it\\'s;', \"a\\\";b\"); # comment; 'x\n"
            + "SELECT 1 --not-a-comment\n; -- real comment;\nSELECT 2;";
    assertThat(texts(my(sql)))
        .containsExactly(
            "INSERT INTO `we;ird` VALUES ('it\\'s;', \"a\\\";b\")",
            "SELECT 1 --not-a-comment",
            "SELECT 2");
  }

  @Test
  @DisplayName("G4: Flyway placeholders are not dollar quotes")
  void placeholders() {
    String sql = "CREATE TABLE ${schema}.t (a int);\nDROP TABLE ${flyway:defaultSchema}.u;";
    assertThat(texts(pg(sql)))
        .containsExactly(
            "CREATE TABLE ${schema}.t (a int)", "DROP TABLE ${flyway:defaultSchema}.u");
  }

  @Test
  @DisplayName("G4: an unterminated string or comment makes the statement untrustworthy")
  void unterminated() {
    List<SqlStatement> s = pg("SELECT 1;\nSELECT 'oops;\nDROP TABLE users;");
    assertThat(s).hasSize(2);
    assertThat(s.get(1).problem()).isEqualTo("unterminated string at line 2, column 8");
    assertThat(pg("SELECT 1; /* open").get(1).problem()).contains("unterminated comment");
    assertThat(pg("DO $$ BEGIN; DROP TABLE x;").get(0).problem()).contains("dollar-quoted");
  }

  @Test
  @DisplayName("G4: COPY FROM stdin data is not read as statements")
  void copyData() {
    String sql = "COPY t (a, b) FROM stdin;\n1\tDROP TABLE x;\n2\ty\n\\.\nSELECT 1;";
    assertThat(texts(pg(sql))).containsExactly("COPY t (a, b) FROM stdin", "SELECT 1");
  }

  @Test
  @DisplayName("G4: SQL-standard function bodies (BEGIN ATOMIC) are one statement")
  void beginAtomic() {
    String sql =
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true"
            + " THEN 2 END; END;\nSELECT 2;";
    assertThat(pg(sql)).hasSize(2);
  }

  @Test
  @DisplayName("G4: a large data-seeding file splits into every statement (linear scan)")
  void largeFile() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      sb.append("INSERT INTO seed (id, name) VALUES (")
          .append(i)
          .append(", 'n;")
          .append(i)
          .append("');\n");
    }
    List<SqlStatement> s = pg(sb.toString());
    assertThat(s).hasSize(100_000);
    assertThat(s.get(99_999).line()).isEqualTo(100_000);
  }

  // ---- issue 12: the analyser and the server must agree where a comment or statement ends ----

  static String problem(List<SqlStatement> s) {
    return s.stream().map(SqlStatement::problem).filter(p -> p != null).findFirst().orElse(null);
  }

  @Test
  @DisplayName("G4: PostgreSQL ends a -- comment at a bare carriage return, as its scanner does")
  void carriageReturnEndsLineCommentOnPostgres() {
    assertThat(texts(pg("-- tidy up\rDROP TABLE orders;\n"))).containsExactly("DROP TABLE orders");
    assertThat(texts(pg("SELECT 1; -- x\rTRUNCATE orders;")))
        .containsExactly("SELECT 1", "TRUNCATE orders");
    assertThat(problem(pg("-- tidy up\rDROP TABLE orders;\n"))).isNull();
    // reported where an editor shows it: a bare CR ends a line
    assertThat(pg("-- tidy up\rDROP TABLE orders;\n").get(0).line()).isEqualTo(2);
  }

  @Test
  @DisplayName("G4: CRLF line ends work as line ends on both servers")
  void crlf() {
    String sql = "-- note\r\nDROP TABLE a;\r\n# note\r\nDROP TABLE b;\r\n";
    assertThat(texts(pg(sql.replace("# note\r\n", ""))))
        .containsExactly("DROP TABLE a", "DROP TABLE b");
    assertThat(texts(my(sql))).containsExactly("DROP TABLE a", "DROP TABLE b");
    assertThat(problem(my(sql))).isNull();
  }

  @Test
  @DisplayName("G4: MariaDB runs a line comment to the line feed; a bare CR inside one is refused")
  void carriageReturnInMariaDbComment() {
    List<SqlStatement> dash = my("-- tidy up\rDROP TABLE orders;\nSELECT 1;");
    assertThat(problem(dash))
        .startsWith("a carriage return without a line feed")
        .contains("line 1, column 11");
    assertThat(problem(my("# tidy up\rDROP TABLE orders;\n"))).contains("carriage return");
  }

  @Test
  @DisplayName("G4: MariaDB comments do not nest; PostgreSQL's do")
  void nesting() {
    String sql = "/* /* */ DROP TABLE t; */\nSELECT 1;";
    assertThat(texts(pg(sql))).containsExactly("SELECT 1");
    List<SqlStatement> m = my(sql);
    assertThat(texts(m)).containsExactly("DROP TABLE t", "*/\nSELECT 1");
  }

  @Test
  @DisplayName(
      "G4: MariaDB executable comments are code whatever their version; a ; inside is refused")
  void executableComments() {
    assertThat(
            texts(
                my("/*!99999 DROP TABLE t */;\n/*M!100000 DROP TABLE u */;\n/*! DROP TABLE v */;")))
        .containsExactly(
            "/*!99999 DROP TABLE t */", "/*M!100000 DROP TABLE u */", "/*! DROP TABLE v */");
    assertThat(problem(my("/*!50000 SELECT 1; DROP TABLE t */;")))
        .startsWith("a statement delimiter inside an executable comment");
    assertThat(problem(my("/*!50000 SELECT 1 /*!50000 DROP TABLE t */ */;")))
        .startsWith("an executable comment inside an executable comment");
    assertThat(problem(my("/*!50000 DROP TABLE t"))).startsWith("unterminated executable comment");
    // on PostgreSQL they are plain comments
    assertThat(pg("/*!99999 DROP TABLE t */;")).isEmpty();
  }

  @Test
  @DisplayName("G4: MariaDB's -- needs a following space or control character; # is a comment")
  void mariaDbDashComment() {
    assertThat(texts(my("SELECT 1 --1;\nDROP TABLE t;\nSELECT 2 --\tx;\n# c;\nSELECT 3;")))
        .containsExactly("SELECT 1 --1", "DROP TABLE t", "SELECT 2 --\tx;\n# c;\nSELECT 3");
    assertThat(texts(pg("SELECT 1 --1;\nDROP TABLE t;")))
        .containsExactly("SELECT 1 --1;\nDROP TABLE t");
  }

  @Test
  @DisplayName(
      "G4: form feed is whitespace on both; vertical tab only on MariaDB, refused on PostgreSQL")
  void formFeedAndVerticalTab() {
    assertThat(texts(pg("\fDROP\fTABLE t;"))).containsExactly("DROP\fTABLE t");
    assertThat(problem(pg("\fDROP\fTABLE t;"))).isNull();
    assertThat(problem(pg("DROP\u000bTABLE t;"))).startsWith("control character U+000B");
    assertThat(texts(my("DROP\u000bTABLE t;"))).containsExactly("DROP\u000bTABLE t");
    assertThat(problem(my("DROP\u000bTABLE t;"))).isNull();
  }

  @Test
  @DisplayName(
      "G4: NUL, space-like and invisible characters in code, and bidi controls anywhere, are refused")
  void hiddenCharacters() {
    assertThat(problem(pg("SELECT 1;\u0000DROP TABLE t;"))).startsWith("control character U+0000");
    assertThat(problem(pg("SELECT 'a\u0000b';"))).startsWith("a NUL character");
    assertThat(problem(pg("DROP\u00a0TABLE t;")))
        .startsWith("invisible or space-like character U+00A0");
    assertThat(problem(my("DROP\u2003TABLE t;")))
        .startsWith("invisible or space-like character U+2003");
    assertThat(problem(pg("SELECT 1;\u200bDROP TABLE t;"))).contains("U+200B");
    assertThat(problem(pg("-- note \u202e ;elbat pord\nSELECT 1;"))).contains("U+202E");
    assertThat(problem(pg("SELECT 'caf\u00e9', 'naïve';"))).isNull();
    assertThat(problem(pg("CREATE TABLE café (id int);"))).isNull();
    // a byte order mark at the very start is stripped by Flyway
    assertThat(texts(pg("\ufeffSELECT 1;"))).containsExactly("SELECT 1");
    assertThat(problem(pg("SELECT 1;\ufeffSELECT 2;"))).contains("U+FEFF");
  }

  @Test
  @DisplayName("G4: a string whose end depends on a server setting is refused")
  void settingDependentStrings() {
    assertThat(problem(pg("SELECT 'C:\\';"))).contains("standard_conforming_strings");
    assertThat(problem(pg("SELECT 'a\\b', E'it\\'s', U&'d\\0061t';"))).isNull();
    assertThat(problem(my("SELECT 'it\\'s';"))).contains("NO_BACKSLASH_ESCAPES");
    assertThat(problem(my("SELECT \"a\\\"b\";"))).contains("ANSI_QUOTES");
    assertThat(problem(my("SELECT 'C:\\\\dir', 'it''s', 'line\\n';"))).isNull();
  }

  @Test
  @DisplayName("G4: PostgreSQL dollar tags: $$, $a$, $_$; not $1, not inside a name")
  void dollarTags() {
    assertThat(texts(pg("SELECT $_$;$_$, $a$;$a$, $$;$$;SELECT 2;")))
        .containsExactly("SELECT $_$;$_$, $a$;$a$, $$;$$", "SELECT 2");
    assertThat(texts(pg("SELECT a$b$c FROM t; SELECT 2;")))
        .containsExactly("SELECT a$b$c FROM t", "SELECT 2");
    assertThat(texts(pg("PREPARE q AS SELECT $1; SELECT $2;")))
        .containsExactly("PREPARE q AS SELECT $1", "SELECT $2");
    assertThat(texts(pg("SELECT $1$; DROP TABLE t; $;")))
        .containsExactly("SELECT $1$", "DROP TABLE t", "$");
    assertThat(problem(pg("SELECT $1abc;"))).contains("a number directly followed by a letter");
  }

  @Test
  @DisplayName("G4: PostgreSQL E'' and U&'' strings, and e'' in lower case")
  void escapeAndUnicodeStrings() {
    assertThat(texts(pg("SELECT e'\\'; DROP TABLE t; --'; SELECT U&'d\\0061t'; SELECT 3;")))
        .containsExactly("SELECT e'\\'; DROP TABLE t; --'", "SELECT U&'d\\0061t'", "SELECT 3");
  }

  @Test
  @DisplayName("G4: DELIMITER takes the rest of its line, as Flyway reads it")
  void delimiterRestOfLine() {
    List<SqlStatement> s =
        my("DELIMITER $$ \nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nSELECT 2;");
    assertThat(texts(s)).containsExactly("CREATE PROCEDURE p() BEGIN SELECT 1; END", "SELECT 2");
    assertThat(problem(my("DELIMITER \nSELECT 1;"))).startsWith("DELIMITER without a delimiter");
  }
}
