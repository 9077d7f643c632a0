package dev.prodguard.db;

/**
 * The server families prodguard guards. {@link #MARIADB} stands for MySQL and MariaDB alike (one
 * wire protocol, one dialect family); where the two differ, the per-database support says so.
 */
public enum DatabaseKind {
  POSTGRESQL,
  MARIADB
}
