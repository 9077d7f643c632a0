package dev.prodguard.support;

import java.util.Locale;

/**
 * A function or procedure the target already has, as the server's catalog records it (PostgreSQL
 * {@code pg_proc}, {@code pg_get_functiondef}; MariaDB {@code information_schema.ROUTINES}): a
 * trigger, rule or event body that calls it runs what it writes (G4). Names are in lower case.
 *
 * @param definition SQL that defines it, for the analyser ({@code CREATE FUNCTION/PROCEDURE});
 *     empty for code the server runs that no user wrote (an extension's); null when the body cannot
 *     be read (another language, an account that may not see it): what it writes is not known
 */
public record StoredRoutine(String schema, String name, String definition) {
  public StoredRoutine {
    schema = schema == null ? "" : schema.toLowerCase(Locale.ROOT);
    name = name.toLowerCase(Locale.ROOT);
  }
}
