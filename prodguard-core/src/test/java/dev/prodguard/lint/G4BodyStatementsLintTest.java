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
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every statement a routine body runs is classified, wherever the body's control flow puts it: the
 * query of a PL/pgSQL {@code FOR r IN query LOOP}, {@code RETURN QUERY}, {@code OPEN c FOR} and a
 * bound cursor's declaration (PostgreSQL docs, "Control Structures" and "Cursors": any
 * row-returning statement, {@code DELETE ... RETURNING} included), and the statements inside
 * MariaDB's {@code FOR ... DO ... END FOR} (10.3+). Attackers 08 and 09 hid a write on a protected
 * table in each of them; a header prodguard cannot read is {@code unknown-statement} (fail closed),
 * never skipped.
 */
@DisplayName("G4: what a routine body's control flow runs is judged")
class G4BodyStatementsLintTest {
  @TempDir Path dir;

  static final String PG_DELETE =
      "CREATE FUNCTION purge() RETURNS int LANGUAGE sql AS $$ DELETE FROM users RETURNING 1 $$;\n";
  static final String MARIA_DELETE =
      "CREATE FUNCTION purge() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users WHERE id > 0;"
          + " RETURN 1; END;\n";

  List<String> rules(DatabaseKind kind, String sql) throws Exception {
    Path f = Files.writeString(dir.resolve("V2__x.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            "version: 1\nprotected-tables:\n  users: {}\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(List.of(f), c, true).findings().stream().map(Finding::rule).distinct().toList();
  }

  static String pg(String declare, String body) {
    return "CREATE FUNCTION f() RETURNS SETOF users LANGUAGE plpgsql AS $$ "
        + (declare.isEmpty() ? "" : "DECLARE " + declare + " ")
        + "BEGIN "
        + body
        + " END $$;\n";
  }

  static String maria(String body) {
    return "DELIMITER //\nCREATE PROCEDURE p() BEGIN " + body + " END //\nDELIMITER ;\n";
  }

  /** Hidden on main: no finding at all (or only an unrelated one). */
  static Stream<Arguments> hidden() {
    DatabaseKind p = DatabaseKind.POSTGRESQL;
    DatabaseKind m = DatabaseKind.MARIADB;
    return Stream.of(
        Arguments.of(
            p,
            "08 FOR r IN DELETE ... RETURNING LOOP",
            pg("r record;", "FOR r IN DELETE FROM users RETURNING * LOOP RETURN NEXT r; END LOOP;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 FOR r IN INSERT ... RETURNING LOOP",
            pg("r record;", "FOR r IN INSERT INTO users VALUES (1) RETURNING * LOOP END LOOP;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 FOR r IN EXPLAIN ANALYZE DELETE LOOP",
            pg("r record;", "FOR r IN EXPLAIN ANALYZE DELETE FROM users LOOP END LOOP;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 DO block FOR r IN DELETE LOOP",
            "DO $$ DECLARE r record; BEGIN FOR r IN DELETE FROM users RETURNING * LOOP END LOOP;"
                + " END $$;\n",
            "protected-table-write"),
        Arguments.of(
            p,
            "08 RETURN QUERY DELETE ... RETURNING",
            pg("", "RETURN QUERY DELETE FROM users RETURNING *;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 OPEN c FOR DELETE ... RETURNING",
            pg("c refcursor;", "OPEN c FOR DELETE FROM users RETURNING *;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 OPEN c NO SCROLL FOR UPDATE ... RETURNING",
            pg("c refcursor;", "OPEN c NO SCROLL FOR UPDATE users SET id = 2 RETURNING *;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 bound cursor FOR DELETE ... RETURNING, opened",
            pg("c CURSOR FOR DELETE FROM users RETURNING *;", "OPEN c; CLOSE c;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 bound cursor after another declaration, looped",
            pg(
                "r record; c SCROLL CURSOR IS DELETE FROM users RETURNING *;",
                "FOR x IN c LOOP END" + " LOOP;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 FOR r IN <undeclared name> LOOP",
            pg("", "FOR r IN frobnicate LOOP END LOOP;"),
            "unknown-statement"),
        Arguments.of(
            p, "08 FOR without LOOP", pg("", "FOR r IN SELECT 1; END LOOP;"), "unknown-statement"),
        Arguments.of(
            p,
            "08 a << that is not a label",
            pg("", "<< a b >> DELETE FROM users;"),
            "unknown-statement"),
        Arguments.of(
            m,
            "09 FOR i IN 1..10 DO ... END FOR",
            maria("FOR i IN 1..10 DO DELETE FROM users WHERE id = i; END FOR;"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 FOR r IN (SELECT ...) DO ... END FOR",
            maria(
                "FOR r IN (SELECT id FROM users) DO UPDATE users SET id = r.id WHERE id = r.id;"
                    + " END FOR;"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 FOR r IN cursor DO, no DELIMITER",
            "CREATE PROCEDURE p() BEGIN DECLARE c CURSOR FOR SELECT id FROM users; FOR r IN c DO"
                + " DELETE FROM users WHERE id = r.id; END FOR; END;\n",
            "protected-table-write"),
        Arguments.of(
            m,
            "09 trigger body FOR ... END FOR",
            "CREATE TABLE t (id INT);\nCREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW BEGIN FOR i"
                + " IN 1..2 DO DELETE FROM users WHERE id = i; END FOR; END;\n",
            "protected-table-write"),
        Arguments.of(
            m,
            "09 event body FOR ... END FOR",
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN FOR i IN 1..2 DO DELETE FROM users"
                + " WHERE id = i; END FOR; END;\n",
            "protected-table-write"),
        Arguments.of(
            m,
            "09 procedure body that is a FOR loop",
            "DELIMITER //\nCREATE PROCEDURE p() FOR i IN 1..3 DO DELETE FROM users WHERE id = i;"
                + " END FOR //\nDELIMITER ;\n",
            "protected-table-write"),
        Arguments.of(
            m,
            "09 FOR without DO",
            maria("FOR i IN 1..3 DELETE FROM users WHERE id = i; END FOR;"),
            "unknown-statement"),
        Arguments.of(
            m,
            "09 a body prodguard cannot find",
            "CREATE PROCEDURE p() FROBNICATE users;\n",
            "unknown-statement"),
        Arguments.of(
            m,
            "09 a trigger without FOR EACH ROW",
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM users; END;\n",
            "unknown-statement"),
        Arguments.of(
            m,
            "09 an event without DO",
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY BEGIN DELETE FROM users; END;\n",
            "unknown-statement"));
  }

  @ParameterizedTest(name = "G4: {1} ({0}) is refused by {3}")
  @MethodSource("hidden")
  void hiddenStatementsAreJudged(DatabaseKind kind, String what, String sql, String rule)
      throws Exception {
    assertThat(rules(kind, sql)).contains(rule);
  }

  /**
   * PostgreSQL 14's SQL-standard body {@code RETURN expr} was not read: a later call of the
   * function ran the writes of the routines it calls unjudged (the definitions, in an applied
   * migration, are not judged again).
   */
  @Test
  void sqlStandardReturnBodyIsFollowed() throws Exception {
    Path v2 =
        Files.writeString(
            dir.resolve("V2__routines.sql"),
            "CREATE FUNCTION purge() RETURNS int LANGUAGE sql AS $$ DELETE FROM users WHERE id > 0"
                + " RETURNING 1 $$;\nCREATE FUNCTION g() RETURNS int LANGUAGE sql RETURN purge();\n");
    Path v3 = Files.writeString(dir.resolve("V3__call.sql"), "SELECT g();\n");
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            "version: 1\nprotected-tables:\n  users: {}\n".getBytes(StandardCharsets.UTF_8));
    List<String> inV3 =
        new Linter(DatabaseKind.POSTGRESQL)
            .lintFiles(List.of(v2, v3), c, true).findings().stream()
                .filter(f -> f.location().file().endsWith("V3__call.sql"))
                .map(Finding::rule)
                .toList();
    assertThat(inV3).contains("protected-table-write");
  }

  /** Already judged on main (the expression or body was scanned): kept so it stays so. */
  static Stream<Arguments> judged() {
    DatabaseKind p = DatabaseKind.POSTGRESQL;
    DatabaseKind m = DatabaseKind.MARIADB;
    return Stream.of(
        Arguments.of(
            p,
            "08 FOR r IN WITH d AS (DELETE ...) SELECT LOOP",
            pg(
                "r record;",
                "FOR r IN WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d"
                    + " LOOP END LOOP;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 RETURN QUERY EXECUTE",
            pg("", "RETURN QUERY EXECUTE 'DELETE FROM users RETURNING *';"),
            "dynamic-sql"),
        Arguments.of(
            p,
            "08 OPEN c FOR EXECUTE",
            pg("c refcursor;", "OPEN c FOR EXECUTE 'DELETE FROM users RETURNING *';"),
            "dynamic-sql"),
        Arguments.of(
            p,
            "08 FOR r IN EXECUTE LOOP",
            pg("r record;", "FOR r IN EXECUTE 'DELETE FROM users RETURNING *' LOOP END LOOP;"),
            "dynamic-sql"),
        Arguments.of(
            p,
            "08 FOREACH over a writing function",
            PG_DELETE + pg("i int;", "FOREACH i IN ARRAY ARRAY[purge()] LOOP END LOOP;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 CASE operand calls a writing function",
            PG_DELETE + pg("", "CASE purge() WHEN 1 THEN NULL; ELSE NULL; END CASE;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 PERFORM a writing function",
            PG_DELETE + pg("", "PERFORM purge();"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 IF condition calls a writing function",
            PG_DELETE + pg("", "IF purge() > 0 THEN NULL; END IF;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 EXIT WHEN calls a writing function",
            PG_DELETE + pg("", "LOOP EXIT WHEN purge() > 0; END LOOP;"),
            "protected-table-write"),
        Arguments.of(
            p,
            "08 assignment from a data-changing CTE",
            pg(
                "x int;",
                "x := (WITH d AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM d);"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 WHILE ... DO ... END WHILE",
            maria(
                "DECLARE i INT DEFAULT 0; WHILE i < 3 DO DELETE FROM users WHERE id = i; SET i ="
                    + " i + 1; END WHILE;"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 REPEAT ... UNTIL ... END REPEAT",
            maria(
                "DECLARE i INT DEFAULT 0; REPEAT DELETE FROM users WHERE id = i; SET i = i + 1;"
                    + " UNTIL i > 3 END REPEAT;"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 labelled LOOP ... END LOOP",
            maria(
                "DECLARE i INT DEFAULT 0; l: LOOP DELETE FROM users WHERE id = i; SET i = i + 1;"
                    + " IF i > 3 THEN LEAVE l; END IF; END LOOP l;"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 labelled block",
            maria("blk: BEGIN DELETE FROM users WHERE id = 1; END blk;"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 CASE ... END CASE",
            maria("CASE 1 WHEN 1 THEN DELETE FROM users WHERE id = 1; ELSE BEGIN END; END CASE;"),
            "protected-table-write"),
        Arguments.of(
            m,
            "09 DECLARE ... DEFAULT calls a writing function",
            MARIA_DELETE + maria("DECLARE x INT DEFAULT purge();"),
            "protected-table-write"));
  }

  @ParameterizedTest(name = "G4: {1} ({0}) stays refused by {3}")
  @MethodSource("judged")
  void judgedStatementsStayJudged(DatabaseKind kind, String what, String sql, String rule)
      throws Exception {
    assertThat(rules(kind, sql)).contains(rule);
  }

  /**
   * Valid bodies whose loops run nothing that writes: no finding (noise stays down). On main the
   * bound cursor's arguments {@code FOR r IN c(1) LOOP} were a call of an unknown function: a false
   * {@code dynamic-sql}.
   */
  static Stream<Arguments> clean() {
    DatabaseKind p = DatabaseKind.POSTGRESQL;
    DatabaseKind m = DatabaseKind.MARIADB;
    return Stream.of(
        Arguments.of(
            p, pg("r record;", "FOR r IN SELECT * FROM users LOOP RETURN NEXT r; END LOOP;")),
        Arguments.of(p, pg("r record;", "FOR r IN (SELECT * FROM users) LOOP END LOOP;")),
        Arguments.of(p, pg("a int; b int;", "FOR a, b IN SELECT id, id FROM users LOOP END LOOP;")),
        Arguments.of(
            p,
            pg(
                "s int := 0;",
                "FOR i IN 1..10 LOOP s := s + i; END LOOP; FOR i IN REVERSE s..1 BY 2"
                    + " LOOP END LOOP;")),
        Arguments.of(
            p,
            pg(
                "c CURSOR (k int) FOR SELECT * FROM users WHERE id = k;",
                "FOR r IN c(1) LOOP END" + " LOOP; OPEN c(2); CLOSE c;")),
        Arguments.of(p, pg("", "RETURN QUERY SELECT * FROM users;")),
        Arguments.of(p, pg("c refcursor;", "OPEN c SCROLL FOR SELECT * FROM users;")),
        Arguments.of(
            m, maria("DECLARE s INT DEFAULT 0; FOR i IN REVERSE 10..1 DO SET s = s + i; END FOR;")),
        Arguments.of(m, maria("FOR r IN (SELECT id FROM users) DO SET @x = r.id; END FOR;")),
        Arguments.of(
            m,
            "CREATE PROCEDURE p() BEGIN SELECT id FROM users WHERE id = CASE WHEN 1 THEN 1 END"
                + " FOR UPDATE; SELECT 1; END;\n"),
        Arguments.of(
            m,
            "CREATE FUNCTION g(x INT) RETURNS VARCHAR(10) CHARSET utf8mb4 DETERMINISTIC RETURN"
                + " 'a';\n"));
  }

  @ParameterizedTest(name = "G4: valid body {index} ({0}) gives no finding")
  @MethodSource("clean")
  void cleanBodiesStayClean(DatabaseKind kind, String sql) throws Exception {
    assertThat(rules(kind, sql)).isEmpty();
  }
}
