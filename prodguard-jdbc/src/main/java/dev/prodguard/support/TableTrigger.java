package dev.prodguard.support;

import java.util.Locale;
import java.util.Set;

/**
 * A trigger the target already has on one of its tables (or views), as the server's catalog records
 * it (PostgreSQL: {@code pg_trigger} and its function, {@code pg_get_functiondef}; MariaDB: {@code
 * information_schema.TRIGGERS}): a migration that writes the table runs it, so what its body writes
 * is written by the migration (G4). Names are in lower case.
 *
 * @param events the statements that fire it: {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code
 *     TRUNCATE}; {@link #DDL} for an event trigger; {@link #SELECT}, {@link #ANALYZE}, {@link
 *     #REFRESH} for what PostgreSQL evaluates on a read, an {@code ANALYZE}, a {@code REFRESH}
 * @param definition SQL that defines the body, for the analyser: PostgreSQL the trigger function's
 *     {@code CREATE FUNCTION}, MariaDB a {@code CREATE TRIGGER} with the trigger's statement; empty
 *     for code the server runs that no user wrote (an extension's function); null when the body
 *     cannot be read (an untrusted language, an account without the {@code TRIGGER} privilege):
 *     what it writes is not known
 */
public record TableTrigger(
    String schema, String table, String name, Set<String> events, String definition) {

  /**
   * The event of a PostgreSQL event trigger ({@code pg_event_trigger}): it fires on DDL, whatever
   * table it names; its schema and table are empty and its name is "event trigger name".
   */
  public static final String DDL = "DDL";

  /**
   * PostgreSQL: evaluated when the relation is read: a view's query, a {@code FOR SELECT} (or
   * {@code FOR ALL}) row-level security policy.
   */
  public static final String SELECT = "SELECT";

  /** PostgreSQL: evaluated by {@code ANALYZE}: an extended statistics expression. */
  public static final String ANALYZE = "ANALYZE";

  /** PostgreSQL: evaluated by {@code REFRESH MATERIALIZED VIEW}: a materialized view's query. */
  public static final String REFRESH = "REFRESH";

  public TableTrigger {
    schema = schema == null ? "" : schema.toLowerCase(Locale.ROOT);
    table = table.toLowerCase(Locale.ROOT);
    name = name.toLowerCase(Locale.ROOT);
    events = Set.copyOf(events);
  }
}
