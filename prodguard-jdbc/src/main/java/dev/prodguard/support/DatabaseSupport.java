package dev.prodguard.support;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.mariadb.MariaDbSupport;
import dev.prodguard.support.postgresql.PostgresSupport;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Everything that differs between PostgreSQL and MySQL/MariaDB, in one place, as narrow facets:
 * {@link ServerIdentity} (connecting, server identity), {@link SqlText} (quoting, error codes),
 * {@link ObjectInstall} (prodguard's objects, {@link DatabaseObjects}), {@link SchemaCatalog}
 * (drift), {@link Tracing} (trace), {@link DeploySessions} (deploy lock, session waits, leftovers),
 * {@link GuardSql} (G6), {@link StatementReading} (G4), {@link DumpTool} (G9) and {@link
 * dev.prodguard.support.sync.SyncDialect} (sync). A feature takes the facet it needs; nothing
 * outside {@code support} tests the database's kind.
 */
public interface DatabaseSupport
    extends ServerIdentity,
        SqlText,
        ObjectInstall,
        DeploySessions,
        GuardSql,
        ForeignKeys,
        TableDependencies,
        SchemaCatalog,
        Tracing,
        SessionTimeouts,
        StatementReading {

  // --- sync ---

  /** How sync reads, compares, writes and locks rows on this server. */
  dev.prodguard.support.sync.SyncDialect sync();

  // --- backup (G9) ---

  /** The dump and restore tools of this server family. */
  DumpTool dumpTool();

  /**
   * Whether {@code ALTER TABLE t ADD COLUMN c ... NOT NULL} without a default certainly fails when
   * {@code t} holds a row (PostgreSQL: "contains null values"); MySQL/MariaDB fill the type's
   * implicit default instead, so there nothing is certain.
   */
  default boolean notNullColumnFailsOnRows() {
    return false;
  }

  static DatabaseSupport of(DatabaseKind kind) {
    return kind == DatabaseKind.POSTGRESQL ? PostgresSupport.INSTANCE : MariaDbSupport.INSTANCE;
  }

  /** The dialect of an open connection, from driver metadata (no round trip). */
  static DatabaseSupport of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase();
    if (product.contains("postgres")) {
      return PostgresSupport.INSTANCE;
    }
    if (product.contains("mariadb") || product.contains("mysql")) {
      return MariaDbSupport.INSTANCE;
    }
    throw new SQLException("prodguard does not support database product '" + product + "'");
  }
}
