package dev.prodguard.dialect;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** MySQL and MariaDB, both through MariaDB Connector/J. */
public final class MariaDbDialect implements Dialect {
  static final MariaDbDialect INSTANCE = new MariaDbDialect();

  private MariaDbDialect() {}

  @Override
  public Kind kind() {
    return Kind.MARIADB;
  }

  @Override
  public Driver driver() {
    return new org.mariadb.jdbc.Driver();
  }

  @Override
  public String connectTimeoutProperty() {
    return "connectTimeout";
  }

  @Override
  public String connectTimeoutValue(int seconds) {
    return Integer.toString(seconds * 1000);
  }

  /** MySQL has {@code @@server_uuid}; MariaDB does not, so host name and port stand in. */
  @Override
  public String serverIdentityExpression(Connection connection) throws SQLException {
    String version = connection.getMetaData().getDatabaseProductVersion().toLowerCase();
    if (version.contains("mariadb")) {
      return "CONCAT('mariadb:', @@hostname, ':', @@port, '/', DATABASE())";
    }
    return "CONCAT('mysql:', @@server_uuid, '/', DATABASE())";
  }

  @Override
  public List<String> createMetadataTable() {
    return List.of(
        "CREATE TABLE database_metadata ("
            + " id INT NOT NULL PRIMARY KEY CHECK (id = 1),"
            + " environment VARCHAR(64) NOT NULL,"
            + " fingerprint VARCHAR(130) NOT NULL,"
            + " server_identity VARCHAR(512) NOT NULL,"
            + " created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
            + " created_by VARCHAR(255) NOT NULL) ENGINE=InnoDB");
  }

  @Override
  public List<String> auditObjects() {
    String signal =
        " FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT ="
            + " 'prodguard: prodguard_audit is append-only (G10 tamper-evident audit)'";
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_audit ("
            + " seq BIGINT NOT NULL PRIMARY KEY,"
            + " at VARCHAR(40) NOT NULL,"
            + " os_user VARCHAR(255) NOT NULL,"
            + " host VARCHAR(255) NOT NULL,"
            + " ci_subject VARCHAR(512),"
            + " command VARCHAR(255) NOT NULL,"
            + " environment VARCHAR(64) NOT NULL,"
            + " run_id VARCHAR(64),"
            + " migration_set VARCHAR(64),"
            + " outcome VARCHAR(64) NOT NULL,"
            + " details LONGTEXT NOT NULL,"
            + " prev_hash CHAR(64) NOT NULL,"
            + " hash CHAR(64) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
        "CREATE TRIGGER IF NOT EXISTS prodguard_audit_no_update BEFORE UPDATE ON prodguard_audit"
            + signal,
        "CREATE TRIGGER IF NOT EXISTS prodguard_audit_no_delete BEFORE DELETE ON prodguard_audit"
            + signal);
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    return e.getErrorCode() == 1062 || "23000".equals(e.getSQLState());
  }

  @Override
  public String asText(String column) {
    return "CAST(" + column + " AS CHAR)";
  }

  @Override
  public boolean isUndefinedTable(SQLException e) {
    return e.getErrorCode() == 1146 || "42S02".equals(e.getSQLState());
  }

  @Override
  public boolean isUndefinedColumn(SQLException e) {
    return e.getErrorCode() == 1054 || "42S22".equals(e.getSQLState());
  }

  /** GET_LOCK names are server-wide: the name carries the database. */
  private static final String LOCK_NAME = "CONCAT('prodguard:', LEFT(SHA2(DATABASE(), 256), 40))";

  @Override
  public List<String> pipelineObjects(int version) {
    if (version != 1) {
      return List.of();
    }
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_schema ("
            + " component VARCHAR(64) NOT NULL PRIMARY KEY,"
            + " version INT NOT NULL,"
            + " installed_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)) ENGINE=InnoDB",
        "CREATE TABLE IF NOT EXISTS prodguard_run ("
            + " id VARCHAR(40) NOT NULL PRIMARY KEY,"
            + " environment VARCHAR(64) NOT NULL,"
            + " status VARCHAR(16) NOT NULL CHECK (status IN ('verified', 'backed_up',"
            + " 'deploying', 'deployed', 'failed', 'expired')),"
            + " migration_set_sha256 CHAR(64) NOT NULL,"
            + " migration_count INT NOT NULL,"
            + " migrations LONGTEXT NOT NULL,"
            + " contract_sha256 VARCHAR(64),"
            + " commit_sha VARCHAR(64),"
            + " ci_subject VARCHAR(512) NOT NULL,"
            + " created_by VARCHAR(255) NOT NULL,"
            + " created_at DATETIME(6) NOT NULL,"
            + " verified_at DATETIME(6) NOT NULL,"
            + " verification_expires_at DATETIME(6) NOT NULL,"
            + " backup_path VARCHAR(1024),"
            + " backup_size BIGINT,"
            + " backup_sha256 CHAR(64),"
            + " backup_duration_ms BIGINT,"
            + " backed_up_at DATETIME(6),"
            + " backup_expires_at DATETIME(6),"
            + " expires_at DATETIME(6) NOT NULL,"
            + " deploy_started_at DATETIME(6),"
            + " deploy_session VARCHAR(64),"
            + " deploy_host VARCHAR(255),"
            + " approval_token_sha256 CHAR(64),"
            + " finished_at DATETIME(6),"
            + " receipt LONGTEXT,"
            + " failure LONGTEXT,"
            + " updated_at DATETIME(6) NOT NULL,"
            + " KEY prodguard_run_env_created (environment, created_at)) ENGINE=InnoDB");
  }

  @Override
  public String upsertSchemaVersion() {
    return "INSERT INTO prodguard_schema (component, version) VALUES (?, ?)"
        + " ON DUPLICATE KEY UPDATE version = GREATEST(version, VALUES(version))";
  }

  @Override
  public String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }

  @Override
  public String tryDeployLock() {
    return "SELECT GET_LOCK(" + LOCK_NAME + ", 0)";
  }

  @Override
  public String releaseDeployLock() {
    return "SELECT RELEASE_LOCK(" + LOCK_NAME + ")";
  }

  @Override
  public String deployLockHolder() {
    return "SELECT CAST(IS_USED_LOCK(" + LOCK_NAME + ") AS CHAR)";
  }

  @Override
  public String sessionId() {
    return "SELECT CAST(CONNECTION_ID() AS CHAR)";
  }

  /** Nothing to do: the server ends a dead client's statement itself. DDL is not transactional. */
  @Override
  public void prepareDeployConnection(Connection connection) {}

  @Override
  public DumpTool dumpTool() {
    return MariaDbDumpTool.INSTANCE;
  }
}
