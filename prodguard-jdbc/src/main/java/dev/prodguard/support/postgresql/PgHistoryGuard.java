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

  /**
   * A table qualified as {@code schema.table} (Flyway's default schema, {@code
   * migrations.default-schema}) is looked up in that schema, any other in the current one; the
   * trigger function is prodguard's, in the current schema, either way.
   */
  @Override
  public java.util.Map<String, String> states(java.sql.Connection c, String table)
      throws java.sql.SQLException {
    int dot = table.indexOf('.');
    if (dot < 0) {
      return HistoryGuardSql.super.states(c, table);
    }
    String sql = stateQuery().replace("n.nspname = current_schema()", "n.nspname = ?");
    java.util.Map<String, String> states = new java.util.LinkedHashMap<>();
    try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, table.substring(0, dot));
      ps.setString(2, table.substring(dot + 1));
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          states.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return states;
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
        java.util.Map.of("table", PostgresSupport.INSTANCE.quoteQualified(table)));
  }
}
