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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G4 without a database: PostgreSQL runs a user operator's function wherever a statement uses the
 * operator (a WHERE, a CHECK that ALTER TABLE or ALTER DOMAIN validates on the stored rows, an
 * EXCLUDE ... WITH, an ORDER BY ... USING, an index predicate) and an operator class's functions
 * when an index is built with it; and it runs a routine that a DDL expression calls (an index
 * expression, a CHECK, a DEFAULT, a generated column, a USING) for every row. Each case passed
 * {@code lint} before: an operator the migrations define is now followed into its function, one
 * they do not define (nor PostgreSQL or a contrib extension) and a routine they do not define are
 * calls prodguard cannot read (dynamic-sql, fail closed). Built-in operators still pass.
 */
@DisplayName("G4: operators, operator classes and DDL expressions' routines are walked by lint")
class G4OperatorsLintTest {
  @TempDir Path dir;

  /** Reviewed history: a destructive operator and operator class, covered for V1 only. */
  static final String HISTORY =
      """
      CREATE TABLE users (id int primary key);
      CREATE TABLE t (a int, b int, x int);
      CREATE DOMAIN d AS int;
      CREATE FUNCTION del_users(int, int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users WHERE id > 0; RETURN true; END $$;
      CREATE OPERATOR <~~> (FUNCTION = del_users, LEFTARG = int, RIGHTARG = int);
      CREATE FUNCTION cmp_users(int, int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users WHERE id > 0; RETURN 0; END $$;
      CREATE OPERATOR CLASS evil_ops FOR TYPE int USING btree AS OPERATOR 3 =, FUNCTION 1 cmp_users(int, int);
      CREATE FUNCTION ev(a int, b text) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN DELETE FROM users WHERE id = a; RETURN true; END $f$;
      CREATE TYPE tt AS (a int);
      CREATE FUNCTION tcast(int) RETURNS tt LANGUAGE plpgsql AS $g$ BEGIN DELETE FROM users WHERE id = $1; RETURN ROW($1)::tt; END $g$;
      """;

  /** The distinct blocking rules of V2, linted after V1 as a protected environment would. */
  List<String> blocking(String sql) throws Exception {
    Path v1 = Files.writeString(dir.resolve("V1__history.sql"), HISTORY, StandardCharsets.UTF_8);
    Path v2 = Files.writeString(dir.resolve("V2__attack.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            """
            version: 1
            protected-tables:
              users: {}
            exceptions:
              - { migration: V1, rule: protected-table-write, reason: "reviewed helpers" }
            """
                .getBytes(StandardCharsets.UTF_8));
    return new Linter(DatabaseKind.POSTGRESQL)
        .lintFiles(List.of(v1, v2), c, true).blocking().stream()
            .filter(f -> f.location().file().endsWith("V2__attack.sql"))
            .map(Finding::rule)
            .distinct()
            .toList();
  }

  @ParameterizedTest(name = "G4: {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE <~~> 1); | protected-table-write
          ALTER TABLE t ADD CHECK (a <~~> b); | protected-table-write
          ALTER TABLE t ADD CONSTRAINT ok CHECK (a <~~> b) NOT VALID; | protected-table-write
          ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING btree (x WITH <~~>); | protected-table-write
          CREATE INDEX i ON t (x evil_ops); | protected-table-write
          CREATE INDEX i ON t USING btree (x public.evil_ops DESC); | protected-table-write
          SELECT * FROM t ORDER BY x USING <~~>; | protected-table-write
          SELECT a FROM t WHERE a <~~> b; | protected-table-write
          UPDATE t SET a = 1 WHERE a<~~>b; | protected-table-write
          DELETE FROM t WHERE a <~~> b; | protected-table-write
          CREATE INDEX i ON t (x) WHERE x <~~> 1; | protected-table-write
          SELECT 1 OPERATOR(public.<~~>) 2; | protected-table-write
          CREATE FUNCTION f2(int, int) RETURNS boolean LANGUAGE sql AS $$ SELECT del_users($1, $2) $$; CREATE OPERATOR public.<<~>> (PROCEDURE = f2, LEFTARG = int, RIGHTARG = int); SELECT 1 <<~>> 2; | protected-table-write
          SELECT 1 <#~#> 2; | dynamic-sql
          ALTER TABLE t ADD CHECK (a <#~#> b); | dynamic-sql
          ALTER DOMAIN d ADD CHECK (VALUE OPERATOR(public.=) 1); | dynamic-sql
          SELECT * FROM t ORDER BY x USING <#~#>; | dynamic-sql
          CREATE INDEX i ON t (x unknown_ops); | dynamic-sql
          CREATE INDEX i ON t ((target_only(x))); | dynamic-sql
          ALTER TABLE t ADD CHECK (target_only(a)); | dynamic-sql
          ALTER TABLE t ADD COLUMN c int DEFAULT target_only(); | dynamic-sql
          ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (target_only(a)) STORED; | dynamic-sql
          ALTER TABLE t ALTER COLUMN a TYPE bigint USING target_only(a); | dynamic-sql
          ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (x WITH &&) WHERE (target_only(x)); | dynamic-sql
          """)
  void refused(String sql, String rule) throws Exception {
    assertThat(blocking(sql)).as(sql).contains(rule);
  }

  @ParameterizedTest(name = "G4: built-ins pass: {0}")
  @ValueSource(
      strings = {
        "SELECT a FROM t WHERE a >= -1 AND b <> 2 AND b != 3 AND x::text ~~ 'a%' AND ARRAY[a] &&"
            + " ARRAY[b] AND 'a' || 'b' = 'ab' AND a<-1 ORDER BY x USING <;",
        "SELECT '{}'::jsonb ->> 'a', '{}'::jsonb #>> '{a}', '{}'::jsonb ? 'a', 2 ^ 3, |/ 4.0,"
            + " @ -1, 5 % 2, 1 OPERATOR(pg_catalog.+) 2;",
        "CREATE INDEX i3 ON t (x DESC NULLS LAST, (a + b) ASC, lower(x::text) text_pattern_ops);",
        "CREATE INDEX i4 ON t USING gin ((ARRAY[x]) array_ops) WHERE a > 0;",
        "ALTER TABLE t ADD CONSTRAINT ex2 EXCLUDE USING gist (x WITH =, a WITH <>);",
        "ALTER TABLE t ADD COLUMN c2 varchar(10) DEFAULT 'x'::character varying(10),"
            + " ADD COLUMN c3 numeric(10, 2) REFERENCES users(id), ADD CHECK (a > 0);",
        "CREATE TABLE u2 (id int PRIMARY KEY, n timestamp(3) DEFAULT now(), FOREIGN KEY (id)"
            + " REFERENCES users (id), CHECK (length(n::text) > 0));",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint;",
      })
  void builtInsPass(String sql) throws Exception {
    assertThat(blocking(sql)).as(sql).doesNotContain("dynamic-sql", "protected-table-write");
  }

  /** A user {@code =} over int and text, its function the history's ev (attack 13b). */
  static final String USER_EQ =
      "CREATE OPERATOR public.= (LEFTARG = int, RIGHTARG = text, FUNCTION = ev);\n";

  @ParameterizedTest(name = "G4: an operator, class or cast PostgreSQL picks unnamed: {0}")
  @ValueSource(
      strings = {
        "SELECT NULLIF(4, 'x'::text);",
        "SELECT 8 IN ('x'::text);",
        "SELECT CASE 9 WHEN 'x'::text THEN 1 END;",
        "SELECT 10 IS DISTINCT FROM 'x'::text;",
        "SELECT 10 IS NOT DISTINCT FROM 'x'::text;",
        "SELECT 4 IN (SELECT 'x'::text);",
        "SELECT * FROM t JOIN t AS t2 USING (x);",
        "SELECT DISTINCT x FROM t ORDER BY x;",
      })
  void implicitUserEqualsIsFollowed(String use) throws Exception {
    assertThat(blocking(USER_EQ + use)).as(use).contains("protected-table-write");
  }

  @ParameterizedTest(name = "G4: a user cast runs its function: {0}")
  @ValueSource(
      strings = {
        "CREATE CAST (int AS tt) WITH FUNCTION tcast(int) AS ASSIGNMENT;\n"
            + "CREATE TABLE zz (c tt);\nINSERT INTO zz VALUES (7);",
        "CREATE CAST (int AS tt) WITH FUNCTION public.tcast(int) AS IMPLICIT;\nSELECT 1;",
        "CREATE CAST (int AS tt) WITH FUNCTION tcast(int);\nSELECT CAST(4 AS tt);",
        "CREATE OPERATOR CLASS tt_ops DEFAULT FOR TYPE tt USING btree AS FUNCTION 1"
            + " tcast(int);\nSELECT DISTINCT x FROM t;",
        "ALTER OPERATOR FAMILY integer_ops USING btree ADD FUNCTION 1 (int, int)"
            + " public.cmp_users(int, int);\nSELECT x FROM t ORDER BY x;",
      })
  void userCastsAndDefaultClassesAreFollowed(String use) throws Exception {
    assertThat(blocking(use)).as(use).contains("protected-table-write");
  }

  @ParameterizedTest(name = "G4: without a database, an unknown function is refused: {0}")
  @ValueSource(
      strings = {
        "CREATE OPERATOR public.< (LEFTARG = int, RIGHTARG = text, FUNCTION = target_lt);\n"
            + "SELECT 4 BETWEEN 'a'::text AND 'b'::text;",
        "CREATE OPERATOR public.~~ (LEFTARG = int, RIGHTARG = text, FUNCTION = target_like);\n"
            + "SELECT 4 LIKE 'a%';",
        "CREATE TYPE tu AS (a int);\n"
            + "CREATE CAST (int AS tu) WITH FUNCTION target_cast(int) AS ASSIGNMENT;\n"
            + "INSERT INTO t (a) VALUES (7);",
      })
  void implicitUserObjectsOfUnknownFunctionsAreRefused(String sql) throws Exception {
    assertThat(blocking(sql)).as(sql).contains("dynamic-sql");
  }

  @ParameterizedTest(name = "G4: harmless user operators and casts pass: {0}")
  @ValueSource(
      strings = {
        "CREATE FUNCTION okeq(int, text) RETURNS boolean LANGUAGE sql AS $$ SELECT $1::text = $2"
            + " $$;\nCREATE OPERATOR public.= (LEFTARG = int, RIGHTARG = text, FUNCTION = okeq);\n"
            + "SELECT NULLIF(4, 'x'::text); SELECT 8 IN ('x'::text);",
        "CREATE TYPE tu AS (a int);\nCREATE FUNCTION okcast(int) RETURNS tu LANGUAGE sql AS $$"
            + " SELECT ROW($1)::tu $$;\nCREATE CAST (int AS tu) WITH FUNCTION okcast(int) AS"
            + " ASSIGNMENT;\nCREATE TABLE zz (c tu);\nINSERT INTO zz VALUES (7);",
        "CREATE CAST (int AS tu) WITHOUT FUNCTION;\nSELECT 1;",
      })
  void harmlessUserOperatorsAndCastsPass(String sql) throws Exception {
    assertThat(blocking(sql)).as(sql).doesNotContain("dynamic-sql", "protected-table-write");
  }
}
