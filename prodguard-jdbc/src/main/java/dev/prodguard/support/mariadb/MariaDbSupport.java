package dev.prodguard.support.mariadb;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.DdlGuardSql;
import dev.prodguard.support.DumpTool;
import dev.prodguard.support.HistoryGuardSql;
import dev.prodguard.support.InvalidIndexes;
import dev.prodguard.support.SchemaGrants;
import dev.prodguard.support.SessionWaits;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** MySQL and MariaDB, both through MariaDB Connector/J. */
public final class MariaDbSupport implements DatabaseSupport {
  /** The one instance; reached through {@link dev.prodguard.support.DatabaseSupport#of}. */
  public static final MariaDbSupport INSTANCE = new MariaDbSupport();

  private MariaDbSupport() {}

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.MARIADB;
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

  /**
   * Version 2 is empty on purpose: MySQL/MariaDB privileges only add up, so a table-level REVOKE
   * cannot take UPDATE or DELETE from a role that holds them on the database; the triggers are the
   * guard there (docs/g10-audit.md).
   */
  @Override
  public List<String> auditObjects(int version) {
    if (version != 1) {
      return List.of();
    }
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
    if (version == 2) {
      return List.of(
          "CREATE TABLE IF NOT EXISTS prodguard_session ("
              + " session_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,"
              + " run_id VARCHAR(40) NOT NULL,"
              + " session_started DATETIME(6) NULL,"
              + " token_sha256 CHAR(64) NOT NULL,"
              + " registered_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)) ENGINE=InnoDB");
    }
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
  public List<String> syncObjects(int version) {
    if (version != 1) {
      return List.of();
    }
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_sync_change ("
            + " run_id VARCHAR(64) NOT NULL,"
            + " seq BIGINT NOT NULL,"
            + " table_name VARCHAR(255) NOT NULL,"
            + " op VARCHAR(16) NOT NULL,"
            + " row_key LONGTEXT NOT NULL,"
            + " before_image LONGTEXT,"
            + " after_image LONGTEXT,"
            + " PRIMARY KEY (run_id, seq)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
            + " COLLATE=utf8mb4_bin");
  }

  /**
   * G6. Stored procedures (not functions: those need SUPER or log_bin_trust_function_creators with
   * binary logging). {@code prodguard_guard_check} is the decision: pass when the environment is
   * not protected, or when this connection is registered for a run that is {@code deploying} and
   * whose deploy session still holds the deploy lock; SIGNAL otherwise, also when its tables are
   * missing. They run as their definer ({@code SQL SECURITY DEFINER}, the default), in the database
   * they belong to. DROP + CREATE rather than CREATE OR REPLACE, which MySQL lacks.
   */
  @Override
  public List<String> guardObjects(int version) {
    if (version != 1) {
      // Version 2 adds nothing shared here: the history guard's triggers call
      // prodguard_guard_check directly and are installed per table (MariaDbHistoryGuard).
      return List.of();
    }
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_guard_config ("
            + " id INT NOT NULL PRIMARY KEY CHECK (id = 1),"
            + " protected BOOLEAN NOT NULL,"
            + " updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),"
            + " updated_by VARCHAR(255) NOT NULL) ENGINE=InnoDB",
        "DROP PROCEDURE IF EXISTS prodguard_guard_check",
        "CREATE PROCEDURE prodguard_guard_check(IN what VARCHAR(255))"
            + " SQL SECURITY DEFINER\n"
            + "BEGIN\n"
            + "  DECLARE env VARCHAR(64) DEFAULT NULL;\n"
            + "  DECLARE prot INT DEFAULT NULL;\n"
            + "  DECLARE approved BIGINT DEFAULT 0;\n"
            + "  DECLARE msg VARCHAR(512);\n"
            + "  DECLARE EXIT HANDLER FOR 1146, 1054\n"
            + "  BEGIN\n"
            + "    SET msg = CONCAT('prodguard: ', what, ' blocked: prodguard''s guard objects are"
            + " missing or damaged; run prodguard init-fingerprint from CI');\n"
            + "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;\n"
            + "  END;\n"
            + "  SET env = (SELECT environment FROM database_metadata WHERE id = 1);\n"
            + "  SET prot = (SELECT protected FROM prodguard_guard_config WHERE id = 1);\n"
            + "  IF env IS NULL OR prot IS NULL THEN\n"
            + "    SET msg = CONCAT('prodguard: ', what, ' blocked: database_metadata or"
            + " prodguard_guard_config is empty, so nothing says this database may be"
            + " changed');\n"
            + "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;\n"
            + "  END IF;\n"
            + "  IF prot <> 0 THEN\n"
            + "    SET approved = (SELECT COUNT(*) FROM prodguard_session s"
            + " JOIN prodguard_run r ON r.id = s.run_id"
            + " WHERE s.session_id = CONNECTION_ID()"
            + " AND r.status = 'deploying' AND r.environment = env"
            + " AND r.approval_token_sha256 = s.token_sha256"
            + " AND CAST(r.deploy_session AS UNSIGNED) = IS_USED_LOCK("
            + LOCK_NAME
            + "));\n"
            + "    IF approved = 0 THEN\n"
            + "      SET msg = CONCAT('prodguard: ', what, ' blocked on protected environment ''',"
            + " env, ''': run ''prodguard deploy ', env, ''' from CI');\n"
            + "      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;\n"
            + "    END IF;\n"
            + "  END IF;\n"
            + "END",
        "DROP PROCEDURE IF EXISTS prodguard_assert_deploy",
        "CREATE PROCEDURE prodguard_assert_deploy() SQL SECURITY DEFINER"
            + " BEGIN CALL prodguard_guard_check('direct migration'); END",
        "DROP PROCEDURE IF EXISTS prodguard_register_session",
        "CREATE PROCEDURE prodguard_register_session(IN p_run VARCHAR(40), IN p_token"
            + " VARCHAR(255)) SQL SECURITY DEFINER\n"
            + "BEGIN\n"
            + "  DECLARE h CHAR(64);\n"
            + "  SET h = SHA2(p_token, 256);\n"
            + "  IF (SELECT COUNT(*) FROM prodguard_run WHERE id = p_run AND status = 'deploying'"
            + " AND approval_token_sha256 = h) = 0 THEN\n"
            + "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'prodguard: cannot register this"
            + " session: the run is not being deployed with this approval';\n"
            + "  END IF;\n"
            + "  INSERT INTO prodguard_session (session_id, run_id, session_started, token_sha256,"
            + " registered_at) VALUES (CONNECTION_ID(), p_run, NULL, h, UTC_TIMESTAMP(6))"
            + " ON DUPLICATE KEY UPDATE run_id = VALUES(run_id),"
            + " token_sha256 = VALUES(token_sha256), registered_at = VALUES(registered_at);\n"
            + "END");
  }

  @Override
  public boolean transactionalDdl() {
    return false;
  }

  /** DDL commits implicitly here, so upgrades serialise on a named lock instead. */
  @Override
  public List<String> lockSchema() {
    return List.of(
        "SELECT GET_LOCK(CONCAT('prodguard-schema:', LEFT(SHA2(DATABASE(), 256), 40)), 60)");
  }

  @Override
  public List<String> unlockSchema() {
    return List.of(
        "SELECT RELEASE_LOCK(CONCAT('prodguard-schema:', LEFT(SHA2(DATABASE(), 256), 40)))");
  }

  @Override
  public String currentSchema() {
    return "DATABASE()";
  }

  @Override
  public String registerSession() {
    return "CALL prodguard_register_session(?, ?)";
  }

  @Override
  public String assertDeployCall() {
    return "CALL prodguard_assert_deploy()";
  }

  @Override
  public String assertInstalledQuery() {
    return "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
        + " AND ROUTINE_NAME = 'prodguard_assert_deploy'";
  }

  /** MySQL and MariaDB have no event triggers: the role split stands in for the DDL guard. */
  @Override
  public java.util.Optional<DdlGuardSql> ddlGuard() {
    return java.util.Optional.empty();
  }

  @Override
  public HistoryGuardSql historyGuard() {
    return MariaDbHistoryGuard.INSTANCE;
  }

  @Override
  public java.util.Optional<SchemaGrants> schemaGrants() {
    return java.util.Optional.of(MariaDbGrants.INSTANCE);
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

  /**
   * G7/G8 backstop: the watchdog reads waits from {@code INFORMATION_SCHEMA.INNODB_TRX}, which
   * needs the PROCESS privilege; without it a metadata lock wait would last {@code
   * lock_wait_timeout} (default a year). The server's own limits for metadata locks ({@code
   * lock_wait_timeout}) and row locks ({@code innodb_lock_wait_timeout}) are therefore set for the
   * session, a few seconds beyond {@code pipeline.lock-wait-timeout}. A dead client's statement the
   * server ends itself.
   */
  @Override
  public void prepareDeployConnection(Connection connection, java.time.Duration lockWaitBound)
      throws SQLException {
    long seconds = DatabaseSupport.backstopSeconds(lockWaitBound);
    try (java.sql.Statement st = connection.createStatement()) {
      st.execute(
          "SET SESSION lock_wait_timeout = "
              + seconds
              + ", SESSION innodb_lock_wait_timeout = "
              + seconds);
    }
  }

  @Override
  public SessionWaits sessionWaits() {
    return MariaDbSessionWaits.INSTANCE;
  }

  @Override
  public java.util.Optional<InvalidIndexes> invalidIndexes() {
    return java.util.Optional.empty();
  }

  @Override
  public DumpTool dumpTool() {
    return MariaDbDumpTool.INSTANCE;
  }
}
