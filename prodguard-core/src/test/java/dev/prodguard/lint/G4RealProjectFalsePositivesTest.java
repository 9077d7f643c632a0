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

/**
 * G4 on the shapes of real histories that lint misjudged (issue 15, alf.io and hawkBit): an UPDATE
 * ... FROM whose WHERE joins the target to a restricted row set, a recursive SQL function, and the
 * fix that MariaDB's implicit commit after row changes needs. Each case with its look-alikes that
 * must still be reported.
 */
@DisplayName("G4: lint judges real projects' migrations right")
class G4RealProjectFalsePositivesTest {
  @TempDir Path dir;

  List<Finding> lint(DatabaseKind kind, String... files) throws Exception {
    List<Path> paths = new java.util.ArrayList<>();
    for (int i = 0; i < files.length; i++) {
      paths.add(
          Files.writeString(
              dir.resolve("V" + (i + 1) + "__m.sql"), files[i], StandardCharsets.UTF_8));
    }
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(kind).lintFiles(paths, c, true).findings();
  }

  List<String> rules(String sql) throws Exception {
    return lint(DatabaseKind.POSTGRESQL, sql).stream().map(Finding::rule).toList();
  }

  @Test
  @DisplayName("G4: UPDATE ... FROM joined to a restricted row set limits the rows (alf.io V204)")
  void updateFromRestrictedJoinLimitsRows() throws Exception {
    // alf.io V204_2.0.0.45__TRANSFER_EVENT_TO_ANOTHER_ORG.sql:113, in a trigger function's body
    String trigger =
        """
        create or replace function transfer_event() returns trigger language plpgsql as $$
        begin
            update ticket_field_value set organization_id_fk = new.org_id
                from ticket_field_configuration tfc
                where ticket_field_configuration_id_fk = tfc.id and tfc.event_id_fk = old.id;
            update ticket_category_text set organization_id_fk = new.org_id
                from ticket_category tc
                where ticket_category_id_fk = tc.id and tc.event_id = old.id;
            return new;
        end $$;
        """;
    assertThat(rules(trigger)).doesNotContain("update-without-where");
    // top level, qualified target, alias with AS, restriction first, a constant restriction
    assertThat(
            rules(
                "UPDATE app.ticket AS t SET paid = true FROM purchase p"
                    + " WHERE p.status = 'DONE' AND t.purchase_id = p.id;\n"))
        .doesNotContain("update-without-where");
    // DELETE ... USING likewise
    assertThat(
            rules(
                "DELETE FROM ticket_field_value USING ticket_field_configuration tfc"
                    + " WHERE ticket_field_configuration_id_fk = tfc.id AND tfc.event_id_fk = 42;\n"))
        .doesNotContain("delete-without-where");
    // through a chain of inner joins (alf.io
    // V204_2.0.0.46__TRANSFER_SUBSCRIPTION_TO_ANOTHER_ORG:58)
    assertThat(
            rules(
                "update promo_code set organization_id_fk = 7 from tickets_reservation tr"
                    + " join subscription s on tr.id = s.reservation_id_fk"
                    + " where tr.promo_code_id_fk = promo_code.id"
                    + " and s.subscription_descriptor_fk = 42;\n"))
        .doesNotContain("update-without-where");
    // every OR branch limits: still limited
    assertThat(
            rules(
                "UPDATE t SET x = 1 FROM u WHERE (t.u_id = u.id AND u.e = 1)"
                    + " OR (t.u_id = u.id AND u.e = 2);\n"))
        .doesNotContain("update-without-where");
  }

  @Test
  @DisplayName(
      "G4: a join without a restriction, or a restriction that does not limit, is reported")
  void updateFromThatDoesNotLimitIsReported() throws Exception {
    for (String sql :
        List.of(
            // a join condition alone: every row of t may have its u row
            "UPDATE t SET x = 1 FROM u WHERE t.u_id = u.id;\n",
            "UPDATE t SET x = 1 FROM u WHERE u_id = u.id;\n",
            // a restriction of u that no join ties to t: a cross join, every row or none
            "UPDATE t SET x = 1 FROM u WHERE u.e = 1;\n",
            "UPDATE t SET x = 1 FROM u, v WHERE t.u_id = u.id AND v.e = 1;\n",
            // a restriction that holds for every row
            "UPDATE t SET x = 1 FROM u WHERE t.u_id = u.id AND u.id = u.id;\n",
            "UPDATE t SET x = 1 FROM u WHERE t.u_id = u.id AND true;\n",
            // an OR that makes it trivially true, or a branch that does not limit
            "UPDATE t SET x = 1 FROM u WHERE t.u_id = u.id AND u.e = 1 OR true;\n",
            "UPDATE t SET x = 1 FROM u WHERE t.u_id = u.id AND u.e = 1 OR t.u_id = u.id;\n",
            // a chain through an outer join's ON is not followed (in doubt, reported)
            "UPDATE t SET x = 1 FROM a LEFT JOIN b ON a.id = b.a_id WHERE t.a_id = a.id"
                + " AND b.e = 1;\n",
            // a chain of joined relations that never reaches the target
            "UPDATE t SET x = 1 FROM a JOIN b ON a.id = b.a_id WHERE b.e = 1;\n",
            // a restriction that may read the target (an unqualified column): in doubt, reported
            "UPDATE t SET x = 1 FROM u WHERE t.u_id = u.id AND u.e = flag;\n")) {
      assertThat(rules(sql)).as(sql).contains("update-without-where");
    }
    assertThat(rules("DELETE FROM t USING u WHERE t.u_id = u.id;\n"))
        .contains("delete-without-where");
    // a real restriction of the target itself still limits, joined or not
    assertThat(rules("UPDATE t SET x = 1 FROM u WHERE t.u_id = u.id AND t.state = 'open';\n"))
        .doesNotContain("update-without-where");
  }

  @Test
  @DisplayName("G4: a recursive SQL function's call of itself is known (alf.io V202)")
  void recursiveFunctionCallsItself() throws Exception {
    // alf.io V202_2.0.0.15__ADD_JSONB_RECURSIVE_MERGE_FN.sql:24
    String fn =
        """
        create or replace function jsonb_recursive_merge(a jsonb, b jsonb)
        returns jsonb language sql as $$
        select
            jsonb_object_agg(
                coalesce(ka, kb),
                case
                    when va isnull then vb
                    when vb isnull then va
                    when jsonb_typeof(va) <> 'object' or jsonb_typeof(vb) <> 'object' then vb
                    else jsonb_recursive_merge(va, vb) end
                )
            from jsonb_each(a) e1(ka, va)
            full join jsonb_each(b) e2(kb, vb) on ka = kb
        $$;
        select jsonb_recursive_merge('{}', '{"a": 1}');
        """;
    assertThat(rules(fn)).doesNotContain("dynamic-sql");
    // a call of another routine that no migration defines is still unknown
    assertThat(
            rules(
                "create function f(a int) returns int language sql as $$ select g(a) $$;\n"
                    + "select f(1);\n"))
        .contains("dynamic-sql");
    // a recursive procedure whose body changes rows: the change is still found where it runs
    List<String> found =
        rules(
            "create function purge(n int) returns int language plpgsql as $$ begin"
                + " delete from audit; perform purge(n - 1); return n; end $$;\n"
                + "select purge(3);\n");
    assertThat(found).contains("delete-without-where").doesNotContain("dynamic-sql");
  }

  @Test
  @DisplayName("G4: MariaDB's implicit commit after row changes: the fix is to split, not remove")
  void implicitCommitAfterRowChangesSaysSplit() throws Exception {
    // hawkBit V1_20_3__auto_assignment_approval__MYSQL.sql:40
    List<Finding> found =
        lint(
            DatabaseKind.MARIADB,
            "UPDATE sp_target_filter_query SET auto_assign_weight = 1000 WHERE id > 0;\n"
                + "ALTER TABLE sp_target_filter_query DROP FOREIGN KEY fk_filter_auto_assign_ds;\n");
    Finding tc =
        found.stream()
            .filter(f -> f.rule().equals("transaction-control"))
            .findFirst()
            .orElseThrow();
    assertThat(tc.recipe())
        .startsWith("Put the row changes and the DDL in separate migrations")
        .doesNotContain("Remove it");
    // an explicit COMMIT can and must be removed
    Finding commit =
        lint(DatabaseKind.MARIADB, "UPDATE t SET a = 1 WHERE id = 1;\nCOMMIT;\n").stream()
            .filter(f -> f.rule().equals("transaction-control"))
            .findFirst()
            .orElseThrow();
    assertThat(commit.recipe()).startsWith("Remove it");
  }

  @Test
  @DisplayName(
      "G4: a failure summary gives the failing findings' own fixes, never a contract entry for deploy-will-fail")
  void failureSummaryTakesTheFixFromTheRule() throws Exception {
    Finding refused =
        new Finding(
            "deploy-will-fail",
            dev.prodguard.findings.Severity.ERROR,
            new dev.prodguard.findings.Location("db/B1__Baseline.sql", 1, 1),
            "B1__Baseline.sql",
            "Flyway refuses the name B1__Baseline.sql",
            "",
            dev.prodguard.lint.rules.Rules.DEPLOY_WILL_FAIL.recipe(),
            "G7",
            null);
    String one = dev.prodguard.findings.TextWriter.fixes(List.of(refused));
    assertThat(one)
        .isEqualTo(
            "the one fix [deploy-will-fail]: "
                + dev.prodguard.lint.rules.Rules.DEPLOY_WILL_FAIL.recipe()
                + "\n")
        .doesNotContain("exception in the contract");
    // with a real drop-table finding beside it: one line per distinct fix, each from its rule
    List<Finding> dropped = lint(DatabaseKind.POSTGRESQL, "DROP TABLE legacy;\n");
    List<Finding> both = new java.util.ArrayList<>(dropped);
    both.add(refused);
    String two = dev.prodguard.findings.TextWriter.fixes(both);
    assertThat(two.lines().toList())
        .containsExactly(
            "fix for [drop-table]: " + dropped.get(0).recipe(),
            "fix for [deploy-will-fail]: "
                + dev.prodguard.lint.rules.Rules.DEPLOY_WILL_FAIL.recipe());
  }

  @Test
  @DisplayName(
      "G4: MariaDB multi-table DELETE limited through a joined table (dataease), per target")
  void multiTableDeleteJoinedRestrictionLimitsRows() throws Exception {
    java.util.function.Function<String, List<String>> maria =
        sql -> {
          try {
            return lint(DatabaseKind.MARIADB, sql).stream().map(Finding::rule).toList();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    // dataease's shape: the deleted table is tied to a joined one, which the WHERE restricts
    assertThat(
            maria.apply(
                "DELETE a FROM core_menu a JOIN core_x b ON a.id = b.menu_id WHERE b.flag = 1;\n"))
        .doesNotContain("delete-without-where");
    assertThat(
            maria.apply(
                "DELETE core_menu FROM core_menu INNER JOIN core_x"
                    + " ON core_menu.id = core_x.menu_id WHERE core_x.flag = 1;\n"))
        .doesNotContain("delete-without-where");
    assertThat(
            maria.apply(
                "DELETE FROM core_menu USING core_menu JOIN core_x ON core_menu.id = core_x.id"
                    + " WHERE core_x.f = 2;\n"))
        .doesNotContain("delete-without-where");
    assertThat(maria.apply("DELETE t1 FROM t1, t2 WHERE t1.id = t2.id AND t2.x = 5;\n"))
        .doesNotContain("delete-without-where");
    // look-alikes that still delete every row of a target: a cross join's restriction on the
    // other table (every row or none), a join condition alone, and the second target of a
    // two-table DELETE that nothing ties to the restricted one
    assertThat(maria.apply("DELETE t1 FROM t1, t2 WHERE t2.x = 1;\n"))
        .contains("delete-without-where");
    assertThat(maria.apply("DELETE a FROM t1 a JOIN t2 b ON a.id = b.id WHERE b.id = b.id;\n"))
        .contains("delete-without-where");
    assertThat(maria.apply("DELETE a, b FROM t1 a, t2 b WHERE a.x = 3;\n"))
        .containsOnlyOnce("delete-without-where");
  }
}
