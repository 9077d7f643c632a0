package dev.prodguard.support;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.mariadb.MariaDbSupport;
import dev.prodguard.support.postgresql.PostgresSupport;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** Everything that differs between PostgreSQL and MySQL/MariaDB, in one place. */
public interface DatabaseSupport {

  DatabaseKind kind();

  /** The JDBC driver, used directly so that no other registered driver can claim the URL. */
  Driver driver();

  /** Driver property that bounds the connect time, with its value for {@code seconds}. */
  String connectTimeoutProperty();

  String connectTimeoutValue(int seconds);

  /** SQL that evaluates to this server's identity (see DESIGN section 7), per connection. */
  String serverIdentityExpression(Connection connection) throws SQLException;

  /** DDL that creates {@code database_metadata}. */
  List<String> createMetadataTable();

  /**
   * Idempotent DDL of one version of the append-only, hash-chained {@code prodguard_audit} (G10);
   * empty beyond the newest.
   */
  List<String> auditObjects(int version);

  /** A unique or primary key was violated (an append lost a race). */
  boolean isUniqueViolation(SQLException e);

  /** Casts a column to text for tolerant reading of possibly corrupted rows. */
  String asText(String column);

  /** The table does not exist (the driver's SQLState for an undefined table). */
  boolean isUndefinedTable(SQLException e);

  /** A referenced column does not exist. */
  boolean isUndefinedColumn(SQLException e);

  // --- pipeline state (DESIGN section 7) ---

  /**
   * Idempotent DDL of one version of prodguard's pipeline objects ({@code prodguard_schema}, {@code
   * prodguard_run}, {@code prodguard_session}); empty when {@code version} is beyond the newest.
   */
  List<String> pipelineObjects(int version);

  /** Idempotent DDL of one version of {@code prodguard_sync_change} (before-images of syncs). */
  List<String> syncObjects(int version);

  /**
   * Idempotent DDL of one version of the database-side guards (G6): {@code prodguard_guard_config},
   * {@code prodguard_register_session}, {@code prodguard_assert_deploy} and what they share.
   */
  List<String> guardObjects(int version);

  /** Whether DDL is transactional (PostgreSQL): upgrades then run in one transaction. */
  boolean transactionalDdl();

  /** Serialises schema upgrades between processes (PostgreSQL: until the transaction ends). */
  List<String> lockSchema();

  /** Ends {@link #lockSchema()} where the lock is not bound to a transaction. */
  List<String> unlockSchema();

  /** SQL expression of the schema (PostgreSQL) or database (MySQL) prodguard's objects live in. */
  String currentSchema();

  /** Inserts ({@code component}, {@code version}) into prodguard_schema or raises it; 2 params. */
  String upsertSchemaVersion();

  /** Quotes an identifier for this server. */
  String quote(String identifier);

  // --- one deploy at a time (G8) ---

  /** Returns one row, one column: true/1 when this session now holds the deploy lock. */
  String tryDeployLock();

  /** Releases the deploy lock held by this session. */
  String releaseDeployLock();

  /**
   * Returns the session id (as text) of whoever holds the deploy lock in this database, or no row /
   * NULL when it is free. Session ids are those of {@link #sessionId()}.
   */
  String deployLockHolder();

  /** Returns this session's id as text (PostgreSQL backend pid, MySQL connection id). */
  String sessionId();

  /**
   * Prepares a connection that a deploy hands to the migration tool, e.g. so that the server aborts
   * the migration's transaction as soon as the deploy process dies.
   */
  void prepareDeployConnection(Connection connection) throws SQLException;

  // --- deploys that wait, and what a failed non-transactional statement leaves (G7) ---

  /** What the deploy's sessions wait for, and how to cancel a statement that waits too long. */
  SessionWaits sessionWaits();

  /** Invalid indexes left by failed concurrent index builds; empty where the server has none. */
  java.util.Optional<InvalidIndexes> invalidIndexes();

  // --- direct migration blocked (G6) ---

  /**
   * Registers the calling connection for a deploy (2 parameters: run id, the plain one-time token);
   * the database checks the token against the run's hash and refuses otherwise.
   */
  String registerSession();

  /**
   * The statement of the Flyway callback ({@code flyway.CallbackFile}): {@code SELECT
   * prodguard_assert_deploy()} or {@code CALL prodguard_assert_deploy()}, without the semicolon.
   */
  String assertDeployCall();

  /** One row, one count: how many routines named {@code prodguard_assert_deploy} exist here. */
  String assertInstalledQuery();

  /** The DDL guard (PostgreSQL event triggers); empty where the server has none. */
  java.util.Optional<DdlGuardSql> ddlGuard();

  /** The guard on the migration tool's schema history table (triggers; G6). */
  HistoryGuardSql historyGuard();

  /**
   * Where no DDL trigger exists (MySQL/MariaDB), G6 rests on a role split: this reads whether an
   * account may change the schema. Empty where the DDL guard does that job (PostgreSQL).
   */
  java.util.Optional<SchemaGrants> schemaGrants();

  // --- backup (G9) ---

  /** The dump and restore tools of this server family. */
  DumpTool dumpTool();

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
