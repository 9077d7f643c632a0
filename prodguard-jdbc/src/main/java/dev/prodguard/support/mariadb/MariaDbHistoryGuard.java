package dev.prodguard.support.mariadb;

import dev.prodguard.support.HistoryGuardSql;
import java.util.List;

/**
 * MySQL/MariaDB: three row triggers before INSERT, UPDATE and DELETE calling {@code
 * prodguard_guard_check} (they run as their definer, the deploying user). {@code TRUNCATE} fires no
 * trigger here; it needs the DROP privilege, which the role split keeps from everyone but the
 * deploying user. DDL is not transactional: a refused history row stops a DML-only migration (its
 * transaction rolls back) but not DDL that already committed, which is why MySQL/MariaDB also need
 * the role split (docs/g6-direct-migration.md).
 */
final class MariaDbHistoryGuard implements HistoryGuardSql {
  static final MariaDbHistoryGuard INSTANCE = new MariaDbHistoryGuard();

  private static final List<String> OPERATIONS = List.of("INSERT", "UPDATE", "DELETE");

  private MariaDbHistoryGuard() {}

  private static String trigger(String op) {
    return "prodguard_history_no_" + op.toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public List<String> triggerNames() {
    return OPERATIONS.stream().map(MariaDbHistoryGuard::trigger).toList();
  }

  @Override
  public String stateQuery() {
    return "SELECT TRIGGER_NAME, 'E' FROM information_schema.TRIGGERS"
        + " WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?"
        + " AND TRIGGER_NAME IN ('"
        + String.join("', '", triggerNames())
        + "')";
  }

  /**
   * Through {@code prodguard_guard_triggers} (guards version 3), which runs as its definer: an
   * account with SELECT and EXECUTE only sees no triggers in information_schema. Before that
   * version is installed, the plain query.
   */
  @Override
  public java.util.Map<String, String> states(java.sql.Connection c, String table)
      throws java.sql.SQLException {
    java.util.Map<String, String> states = new java.util.LinkedHashMap<>();
    try (java.sql.PreparedStatement ps = c.prepareStatement("CALL prodguard_guard_triggers(?)")) {
      ps.setString(1, table);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          states.put(rs.getString(1), rs.getString(2));
        }
      }
      return states;
    } catch (java.sql.SQLException e) {
      if (e.getErrorCode() != 1305) { // ER_SP_DOES_NOT_EXIST
        throw e;
      }
    }
    return HistoryGuardSql.super.states(c, table);
  }

  @Override
  public boolean enforcing(String state) {
    return true;
  }

  /** {@code mariadb/history-guard/install.sql}. */
  @Override
  public List<String> install(String table) {
    return MariaDbSupport.SQL.read(
        "history-guard/install.sql",
        java.util.Map.of(
            "table",
            MariaDbSupport.INSTANCE.quote(table),
            "table_literal",
            table.replace("\\", "\\\\").replace("'", "''")));
  }
}
