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
    assertThat(s.get(1).problem()).contains("unterminated quoted text starting at line 2");
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
}
