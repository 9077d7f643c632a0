package dev.prodguard.support;

import java.util.List;

/**
 * The SQL of the guard on the migration tool's schema history table (G6): triggers that refuse
 * INSERT, UPDATE, DELETE (and on PostgreSQL TRUNCATE) unless {@code prodguard_guard_check} passes,
 * that is unless the session is registered for a running, approved deploy. Flyway writes the row of
 * a migration inside that migration's transaction, so a refused row rolls the migration back where
 * the server has transactional DDL or the migration is DML only; {@code repair}, {@code baseline}
 * and {@code undo} only write rows. The table's name belongs to the migration engine.
 */
public interface HistoryGuardSql {

  /** The triggers that make up the guard on one table. */
  List<String> triggerNames();

  /**
   * Rows (trigger name, state) of the guard's triggers on one table of prodguard's schema; one
   * parameter, the table's name.
   */
  String stateQuery();

  /**
   * The guard's triggers on {@code table} and their states, as {@link #stateQuery()} reads them;
   * where the account may not see triggers it cannot write, through a routine of prodguard's.
   */
  default java.util.Map<String, String> states(java.sql.Connection c, String table)
      throws java.sql.SQLException {
    java.util.Map<String, String> states = new java.util.LinkedHashMap<>();
    try (java.sql.PreparedStatement ps = c.prepareStatement(stateQuery())) {
      ps.setString(1, table);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          states.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return states;
  }

  /**
   * Whether a trigger in this state enforces: on PostgreSQL only {@code ENABLE ALWAYS} ('A'), which
   * {@code session_replication_role = replica} cannot skip; MySQL/MariaDB triggers cannot be
   * switched off.
   */
  boolean enforcing(String state);

  /**
   * Creates the guard on {@code table} (prodguard's schema), replacing an incomplete one; run in
   * one transaction where DDL is transactional.
   */
  List<String> install(String table);
}
