package dev.prodguard.support.postgresql;

import dev.prodguard.support.HistoryGuardSql;
import java.util.List;

/**
 * PostgreSQL: one statement-level trigger {@code prodguard_history_guard} before INSERT, UPDATE,
 * DELETE and TRUNCATE, calling {@code prodguard_history_guard()} (guards component version 2),
 * enabled ALWAYS so that {@code session_replication_role = replica} does not skip it. Statement
 * level: it runs once per statement, before any row changes, also when no row would.
 */
final class PgHistoryGuard implements HistoryGuardSql {
  static final PgHistoryGuard INSTANCE = new PgHistoryGuard();

  static final String TRIGGER = "prodguard_history_guard";

  private PgHistoryGuard() {}

  @Override
  public List<String> triggerNames() {
    return List.of(TRIGGER);
  }

  @Override
  public String stateQuery() {
    return "SELECT t.tgname::text, t.tgenabled::text FROM pg_trigger t"
        + " JOIN pg_class c ON c.oid = t.tgrelid"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = current_schema() AND c.relname = ? AND NOT t.tgisinternal"
        + " AND t.tgname = '"
        + TRIGGER
        + "' AND t.tgfoid = to_regprocedure('prodguard_history_guard()')"
        // pg_trigger.tgtype bits: BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32, statement
        // level (no ROW bit): a same-named trigger on fewer events is not the guard.
        + " AND t.tgtype = 62";
  }

  @Override
  public boolean enforcing(String state) {
    return "A".equals(state);
  }

  /** {@code postgresql/history-guard/install.sql}. */
  @Override
  public List<String> install(String table) {
    return PostgresSupport.SQL.read(
        "history-guard/install.sql",
        java.util.Map.of("table", PostgresSupport.INSTANCE.quote(table)));
  }
}
