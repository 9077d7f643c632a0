package dev.prodguard.support;

import java.util.List;

/**
 * The SQL of PostgreSQL's DDL guard (G6): the event triggers {@code prodguard_ddl_guard} on {@code
 * ddl_command_start} and {@code prodguard_ddl_guard_drop} on {@code sql_drop}, both calling {@code
 * prodguard_ddl_guard()}, and {@code prodguard_ddl_guard_end} on {@code ddl_command_end}, which
 * keeps the TRUNCATE guard on each table created ({@code prodguard_truncate_guard_keep()}). MySQL
 * and MariaDB have no event triggers, so their dialect has none.
 */
public interface DdlGuardSql {

  /** The event triggers that make up the guard. */
  List<String> triggerNames();

  /** Rows (name, state) of the guard's event triggers; state is D(isabled), O, R or A(lways). */
  String stateQuery();

  /** One row, one boolean: whether the current role may create event triggers (a superuser). */
  String superuserQuery();

  /** Creates (or re-creates) the event triggers, enabled ALWAYS; run in one transaction. */
  List<String> install();

  /** Disables one trigger (inside the caller's transaction, so no other session sees it off). */
  String pause(String trigger);

  /** Enables one trigger again in the state it had ({@code state} from {@link #stateQuery()}). */
  String resume(String trigger, String state);
}
