package dev.prodguard.support.postgresql;

import dev.prodguard.support.DdlGuardSql;
import java.util.List;

/**
 * PostgreSQL's DDL guard: two event triggers calling {@code prodguard_ddl_guard()}, and a third,
 * {@code prodguard_ddl_guard_end} on {@code ddl_command_end}, that puts the TRUNCATE guard ({@code
 * prodguard_truncate_guard}, guards version 5) on each table created (TRUNCATE is no DDL: the event
 * triggers never see it). Enabled ALWAYS, so {@code session_replication_role = replica} does not
 * switch them off.
 */
final class PgDdlGuard implements DdlGuardSql {
  static final PgDdlGuard INSTANCE = new PgDdlGuard();

  static final String START = "prodguard_ddl_guard";
  static final String DROP = "prodguard_ddl_guard_drop";
  static final String END = "prodguard_ddl_guard_end";

  private PgDdlGuard() {}

  @Override
  public List<String> triggerNames() {
    return List.of(START, DROP, END);
  }

  @Override
  public String stateQuery() {
    return "SELECT evtname::text, evtenabled::text FROM pg_event_trigger"
        + " WHERE evtname IN ('"
        + START
        + "', '"
        + DROP
        + "', '"
        + END
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
    if (!START.equals(trigger) && !DROP.equals(trigger) && !END.equals(trigger)) {
      throw new IllegalArgumentException("not a prodguard event trigger: " + trigger);
    }
    return trigger;
  }
}
