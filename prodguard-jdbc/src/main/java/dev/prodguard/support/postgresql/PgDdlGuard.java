package dev.prodguard.support.postgresql;

import dev.prodguard.support.DdlGuardSql;
import java.util.List;

/**
 * PostgreSQL's DDL guard: two event triggers calling {@code prodguard_ddl_guard()}. Enabled ALWAYS,
 * so {@code session_replication_role = replica} does not switch them off.
 */
final class PgDdlGuard implements DdlGuardSql {
  static final PgDdlGuard INSTANCE = new PgDdlGuard();

  static final String START = "prodguard_ddl_guard";
  static final String DROP = "prodguard_ddl_guard_drop";

  private PgDdlGuard() {}

  @Override
  public List<String> triggerNames() {
    return List.of(START, DROP);
  }

  @Override
  public String stateQuery() {
    return "SELECT evtname::text, evtenabled::text FROM pg_event_trigger"
        + " WHERE evtname IN ('"
        + START
        + "', '"
        + DROP
        + "')";
  }

  @Override
  public String superuserQuery() {
    return "SELECT rolsuper FROM pg_roles WHERE rolname = current_user";
  }

  /** {@code postgresql/ddl-guard/install.sql}. */
  @Override
  public List<String> install() {
    return PostgresSupport.SQL.read("ddl-guard/install.sql", java.util.Map.of());
  }

  @Override
  public String pause(String trigger) {
    return "ALTER EVENT TRIGGER " + name(trigger) + " DISABLE";
  }

  @Override
  public String resume(String trigger, String state) {
    String how =
        switch (state) {
          case "A" -> " ENABLE ALWAYS";
          case "R" -> " ENABLE REPLICA";
          case "D" -> " DISABLE";
          default -> " ENABLE";
        };
    return "ALTER EVENT TRIGGER " + name(trigger) + how;
  }

  private static String name(String trigger) {
    if (!START.equals(trigger) && !DROP.equals(trigger)) {
      throw new IllegalArgumentException("not a prodguard event trigger: " + trigger);
    }
    return trigger;
  }
}
