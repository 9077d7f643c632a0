package dev.prodguard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What code reads that may decide what it does, on its text ({@link BranchCode}): the pieces a
 * branch reads are told from the schema changes a branch makes, row sources and calls are found in
 * any statement shape, and what is never faithful is named (attack 19, findings 01 and 02).
 */
@DisplayName("G4 trace: what a data branch reads, on the code's text")
class G4BranchCodeTest {

  @Test
  @DisplayName(
      "G4: a routine called per row of a SELECT, WITH, EXPLAIN ANALYZE, INSERT ... SELECT,"
          + " WHERE EXISTS or TABLE is per row of the relations it reads")
  void perRowCalls() {
    for (String sql :
        new String[] {
          "SELECT touch_orders() FROM settings WHERE k = 'tokens'",
          "SELECT touch_orders() WHERE EXISTS (SELECT 1 FROM settings)",
          "EXPLAIN ANALYZE SELECT touch_orders() FROM settings",
          "WITH s AS (SELECT * FROM settings) SELECT touch_orders() FROM s",
          "INSERT INTO log (n) SELECT touch_orders() FROM settings",
          "SELECT touch_orders() FROM (TABLE settings) s",
          "VALUES ((SELECT touch_orders() FROM settings LIMIT 1))"
        }) {
      BranchCode b = BranchCode.of(sql, false);
      assertThat(b.perRowCalls).as(sql).contains("touch_orders");
      assertThat(b.relations).as(sql).contains("settings");
    }
    assertThat(BranchCode.of("SELECT touch_orders()", false).perRowCalls).isEmpty();
    assertThat(BranchCode.of("CALL touch_orders()", false).perRowCalls).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: a user routine called in attribute notation (s.purge, sessions.purge, (s).purge) is"
          + " called per row; a name no routine has stays a column")
  void attributeNotation() {
    java.util.Set<String> routines = java.util.Set.of("purge");
    for (String sql :
        new String[] {
          "SELECT s.purge FROM sessions s",
          "SELECT sessions.purge FROM sessions",
          "SELECT (s).purge FROM sessions s",
          "SELECT count(*) FROM sessions s WHERE s.\"purge\" > 0"
        }) {
      BranchCode b = BranchCode.of(sql, false, routines);
      assertThat(b.perRowCalls).as(sql).contains("purge");
      assertThat(b.anyCalls).as(sql).contains("purge");
      assertThat(BranchCode.of(sql, false).maybeCalls).as(sql).contains("purge");
    }
    assertThat(BranchCode.of("SELECT s.id FROM sessions s", false, routines).anyCalls).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: sizes, statistics, session identity and server functions are calls or columns not"
          + " known to be faithful; a schema change inside the branch is not read")
  void unfaithful() {
    BranchCode size =
        BranchCode.of(
            "BEGIN IF pg_relation_size('orders') > 0 THEN ALTER TABLE orders ADD COLUMN token uuid"
                + " DEFAULT gen_random_uuid(); END IF; END",
            false);
    assertThat(size.calls).containsExactly("pg_relation_size");
    assertThat(BranchCode.of("BEGIN IF current_user = 'deployer' THEN END IF; END", false).unknown)
        .singleElement()
        .asString()
        .startsWith("current_user");
    assertThat(
            BranchCode.of(
                    "BEGIN IF (SELECT reltuples FROM pg_class WHERE relname = 'orders') > 0 THEN"
                        + " NULL; END IF; END",
                    false)
                .unknown)
        .singleElement()
        .asString()
        .startsWith("reltuples");
    assertThat(
            BranchCode.of(
                    "BEGIN ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0); EXCEPTION WHEN"
                        + " check_violation THEN ALTER TABLE orders DROP COLUMN total; END",
                    false)
                .unknown)
        .singleElement()
        .asString()
        .contains("check_violation");
  }

  @Test
  @DisplayName(
      "G4: the idempotent catalog wrapper reads pg_constraint only; its ALTER TABLE ... REFERENCES"
          + " customers(id) is no read, and duplicate_object is the schema's own condition")
  void catalogWrapper() {
    BranchCode b =
        BranchCode.of(
            "BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_fk') THEN"
                + " ALTER TABLE orders ADD CONSTRAINT orders_fk FOREIGN KEY (customer_id)"
                + " REFERENCES customers(id); END IF;"
                + " BEGIN CREATE TYPE mood AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN"
                + " NULL; END; END",
            false);
    assertThat(b.relations).contains("pg_constraint").doesNotContain("orders", "customers");
    assertThat(b.calls).isEmpty();
    assertThat(b.unknown).isEmpty();
    assertThat(b.perRowCalls).isEmpty();
  }

  @Test
  @DisplayName("G4: dynamic SQL's strings are read as code; reading its result is never faithful")
  void dynamic() {
    BranchCode b =
        BranchCode.of(
            "DECLARE n int; BEGIN EXECUTE 'SELECT count(*) FROM ' || 'orders' INTO n;"
                + " IF n > 0 THEN EXECUTE format('ALTER TABLE %I ADD COLUMN x int', 'orders');"
                + " END IF; END",
            true);
    assertThat(b.unknown).anyMatch(u -> u.contains("dynamic SQL"));
    assertThat(BranchCode.doBody("DO $x$ BEGIN NULL; END $x$ LANGUAGE plpgsql"))
        .isEqualTo(" BEGIN NULL; END ");
  }
}
