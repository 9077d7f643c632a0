package dev.prodguard.db;

import java.util.Locale;
import java.util.Optional;

/**
 * The server families prodguard guards. {@link #MARIADB} stands for MySQL and MariaDB alike (one
 * wire protocol, one dialect family); where the two differ, the per-database support says so. Code
 * outside {@code support} and {@code db} never branches on a constant of this enum (an architecture
 * test holds it): it asks the database's {@code DatabaseSupport}, or uses the names and lookups
 * here.
 */
public enum DatabaseKind {
  POSTGRESQL("postgresql", "PostgreSQL"),
  MARIADB("mariadb", "MySQL/MariaDB");

  /** What lint and a configuration without a server assume: PostgreSQL. */
  public static final DatabaseKind WITHOUT_CONFIGURATION = POSTGRESQL;

  private final String id;
  private final String label;

  DatabaseKind(String id, String label) {
    this.id = id;
    this.label = label;
  }

  /** {@code postgresql} or {@code mariadb}, as prodguard.yml's {@code database:} key spells it. */
  public String id() {
    return id;
  }

  /** PostgreSQL or MySQL/MariaDB, for messages. */
  public String label() {
    return label;
  }

  /**
   * A {@code database:} value of prodguard.yml: {@code postgresql}, {@code mariadb} or {@code
   * mysql}.
   */
  public static Optional<DatabaseKind> fromConfigName(String name) {
    return switch (name) {
      case "postgresql" -> Optional.of(POSTGRESQL);
      case "mariadb", "mysql" -> Optional.of(MARIADB);
      default -> Optional.empty();
    };
  }

  /** A command-line value ({@code --dialect}), any case: also {@code postgres} and {@code pg}. */
  public static Optional<DatabaseKind> fromOptionName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "postgresql", "postgres", "pg" -> Optional.of(POSTGRESQL);
      case "mariadb", "mysql" -> Optional.of(MARIADB);
      default -> Optional.empty();
    };
  }
}
