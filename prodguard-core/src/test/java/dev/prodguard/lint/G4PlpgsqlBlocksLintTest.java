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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PL/pgSQL's block structure (PostgreSQL docs, "Structure of PL/pgSQL"): a block is a statement, so
 * a block with its own {@code DECLARE} section may follow another block's {@code BEGIN}, carry a
 * label, sit in a loop, an {@code IF} or a {@code CASE} branch, and end in an {@code EXCEPTION}
 * section. Each valid body below gave a false {@code unknown-statement} (or a false {@code
 * dynamic-sql}) before: its declarations after the first were read as statements. What the nested
 * blocks run is still judged, and what prodguard cannot read still fails closed.
 */
@DisplayName("G4: PL/pgSQL nested blocks are read as PostgreSQL reads them")
class G4PlpgsqlBlocksLintTest {
  @TempDir Path dir;

  List<Finding> findings(String sql) throws Exception {
    Path f = Files.writeString(dir.resolve("V2__x.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            "version: 1\nprotected-tables:\n  orders: {}\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(DatabaseKind.POSTGRESQL).lintFiles(List.of(f), c, true).findings();
  }

  List<String> rules(String sql) throws Exception {
    return findings(sql).stream().map(Finding::rule).distinct().toList();
  }

  /** The shape of sven2101/leadPlus V12/V13 (rewritten, not copied): 24 false errors before. */
  @Test
  void leadPlusNestedDeclareBlock() throws Exception {
    String sql =
        """
        CREATE OR REPLACE FUNCTION add_col(_tbl regclass) RETURNS bool AS
        $func$
        BEGIN
            DECLARE
            rec record;
            first_id int;
            second_id int;
            tbl regclass = _tbl;
            BEGIN
                FOR rec IN SELECT id FROM address LOOP
                    SELECT nextval('address_id_seq') INTO first_id;
                    INSERT INTO address (id) VALUES (first_id);
                END LOOP;
            END;
            RETURN TRUE;
        END
        $func$ LANGUAGE plpgsql;
        SELECT add_col('lead');
        SELECT add_col('offer');
        """;
    assertThat(rules(sql)).doesNotContain("unknown-statement");
  }

  @ParameterizedTest(name = "G4: valid PL/pgSQL {0} is not an unknown statement")
  @ValueSource(
      strings = {
        // nested DECLARE block in a DO block
        "DO $$ BEGIN DECLARE a int; b int := 2; BEGIN a := b; END; END $$;",
        // nested block with an EXCEPTION section
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN DECLARE a int; b text;"
            + " BEGIN a := 1; EXCEPTION WHEN unique_violation THEN a := 2; WHEN others THEN"
            + " RAISE NOTICE '%', SQLERRM; END; RETURN 1; END $$;",
        // nested BEGIN ... EXCEPTION block holding a nested DECLARE block
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN BEGIN DECLARE n int; m int;"
            + " BEGIN n := 1; EXCEPTION WHEN others THEN n := 2; END; END; RETURN 1; END $$;",
        // labelled nested block
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ <<outer>> BEGIN <<inner>> DECLARE"
            + " a int; b int; BEGIN b := 1; a := b; END inner; RETURN 1; END outer $$;",
        // loops with bodies inside a nested block
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN DECLARE s int := 0; x int[];"
            + " BEGIN <<l>> FOR i IN 1..10 LOOP s := s + i; EXIT l WHEN s > 20; END LOOP l;"
            + " WHILE s > 0 LOOP s := s - 1; END LOOP; FOREACH i IN ARRAY x LOOP s := i; END LOOP;"
            + " LOOP EXIT; END LOOP; END; RETURN 1; END $$;",
        // CASE with a nested block in a branch, inside a nested block
        "CREATE FUNCTION f(k int) RETURNS text LANGUAGE plpgsql AS $$ BEGIN DECLARE r text; z text;"
            + " BEGIN CASE k WHEN 1 THEN DECLARE y text; w text; BEGIN y := 'a'; r := y; END;"
            + " ELSE r := 'b'; END CASE; END; RETURN 'x'; END $$;",
        // IF with a nested block in a branch
        "CREATE FUNCTION f(k int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN IF k > 0 THEN BEGIN"
            + " DECLARE a int; b int; BEGIN a := k; END; END; END IF; RETURN 1; END $$;",
        // compiler options before the block (use_column and use_variable are refused: they decide
        // which rows a condition limits, G4WhereNameResolutionLintTest)
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ #variable_conflict error\n"
            + " DECLARE a int; BEGIN RETURN 1; END $$;",
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ #print_strict_params on\n"
            + " BEGIN RETURN 1; END $$;",
      })
  void nestedBlocks(String sql) throws Exception {
    assertThat(rules(sql)).isEmpty();
  }

  @Test
  void boundCursorArgumentsAreNotACall() throws Exception {
    assertThat(
            rules(
                "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ DECLARE c CURSOR (k int)"
                    + " FOR SELECT 1 WHERE k = 1; BEGIN OPEN c(1); CLOSE c; RETURN 1; END $$;"))
        .isEmpty();
  }

  @ParameterizedTest(name = "G4: {0} stays refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DO $$ BEGIN DECLARE a int; b int; BEGIN DELETE FROM orders WHERE id = 1; END; END $$; | protected-table-write
          DO $$ BEGIN DECLARE a int; b int; BEGIN a := 1; END; DELETE FROM orders WHERE id = 1; END $$; | protected-table-write
          DO $$ BEGIN <<l>> DECLARE a int; b int; BEGIN EXECUTE 'DROP TABLE x'; END l; END $$; | dynamic-sql
          DO $$ BEGIN DECLARE a int; b int; BEGIN frobnicate the widgets; END; END $$; | unknown-statement
          DO $$ BEGIN DECLARE a int; BEGIN a := 1; END; frobnicate the widgets; END $$; | unknown-statement
          CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ #frobnicate on BEGIN RETURN 1; END $$; | unknown-statement
          DO $$ DECLARE c refcursor; BEGIN OPEN c FOR EXECUTE 'SELECT 1'; END $$; | dynamic-sql
          DO $$ DECLARE c CURSOR (k int) FOR SELECT 1; BEGIN OPEN c(wipe(1)); END $$; | dynamic-sql
          """)
  void staysRefused(String sql, String rule) throws Exception {
    assertThat(rules(sql)).contains(rule);
  }
}
