package dev.prodguard.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G6: what counts as prodguard's callback calling the assert ({@code status}, {@code check}, {@code
 * scan}): the unconditional call of earlier versions and exactly prodguard's check for its objects;
 * not a call under a condition of one's own, in a comment or in a string.
 */
@DisplayName("G6 the callback's call of prodguard_assert_deploy()")
class G6AssertCallSqlTest {

  @Test
  @DisplayName(
      "G6: prodguard's conditional callback (PostgreSQL and MySQL/MariaDB) and the unconditional"
          + " call count as calling the assert, spacing, case and comments aside")
  void prodguardsOwnFormsCall() {
    assertThat(AssertCallSql.calls(AssertCallSql.POSTGRESQL + ";\n")).isTrue();
    assertThat(AssertCallSql.calls(AssertCallSql.MARIADB + ";\n")).isTrue();
    assertThat(AssertCallSql.calls("-- ours\n" + AssertCallSql.POSTGRESQL.toLowerCase())).isTrue();
    assertThat(
            AssertCallSql.calls(
                AssertCallSql.POSTGRESQL.replace("\n", "\n\n   ").replace("THEN", "/* x */ THEN")))
        .isTrue();
    assertThat(AssertCallSql.calls("SELECT prodguard_assert_deploy();")).isTrue();
    assertThat(AssertCallSql.calls("SELECT 1;\n  CALL   prodguard_assert_deploy( ) ;")).isTrue();
  }

  @Test
  @DisplayName(
      "G6: a call under another condition, cut from prodguard's check, commented out or inside a"
          + " string does not count")
  void lookalikesDoNotCall() {
    assertThat(
            AssertCallSql.calls(
                "DO $$ BEGIN IF false THEN PERFORM prodguard_assert_deploy(); END IF; END $$;"))
        .isFalse();
    assertThat(
            AssertCallSql.calls(
                AssertCallSql.POSTGRESQL.replace("'prodguard_assert_deploy'", "'nothing_here'")))
        .isFalse();
    assertThat(AssertCallSql.calls(AssertCallSql.POSTGRESQL.replace(" OR ", " AND "))).isFalse();
    assertThat(
            AssertCallSql.calls(
                AssertCallSql.MARIADB.replace("EXECUTE prodguard_assert;", "DO 1;")))
        .isFalse();
    assertThat(AssertCallSql.calls("-- SELECT prodguard_assert_deploy();\nSELECT 1;")).isFalse();
    assertThat(AssertCallSql.calls("/* SELECT prodguard_assert_deploy(); */ SELECT 1;")).isFalse();
    assertThat(AssertCallSql.calls("SELECT '; SELECT prodguard_assert_deploy(); ';")).isFalse();
    assertThat(AssertCallSql.calls("SELECT prodguard_assert_deploy() WHERE false;")).isFalse();
  }
}
