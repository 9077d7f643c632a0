package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A facet of {@link DatabaseSupport}: the session settings that change how the server reads a
 * statement's text and names, compared with the reading prodguard's analysis assumes (G4: what
 * prodguard cannot be sure the server reads the same way is refused). MySQL/MariaDB: {@code
 * sql_mode} ({@code ANSI_QUOTES} makes {@code "x"} a name, {@code PIPES_AS_CONCAT}, {@code
 * NO_BACKSLASH_ESCAPES}, {@code HIGH_NOT_PRECEDENCE} and the modes that include them: {@code ANSI},
 * {@code ORACLE}, ...). PostgreSQL: {@code standard_conforming_strings} off (backslashes in {@code
 * '...'}) and {@code plpgsql.variable_conflict} other than {@code error} (set on the database or
 * the role).
 */
public interface StatementReading {

  /**
   * What in the session of {@code c} makes the server read statements otherwise than prodguard's
   * analysis does, as one sentence naming the setting and its value; empty when nothing does.
   *
   * @throws SQLException when the settings cannot be read
   */
  Optional<String> readingDifference(Connection c) throws SQLException;
}
