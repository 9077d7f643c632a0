package dev.prodguard.support.mariadb;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseObjects;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.DdlGuardSql;
import dev.prodguard.support.DumpTool;
import dev.prodguard.support.ForeignKey;
import dev.prodguard.support.HistoryGuardSql;
import dev.prodguard.support.InvalidIndexes;
import dev.prodguard.support.SchemaGrants;
import dev.prodguard.support.SessionWaits;
import dev.prodguard.support.SqlResources;
import dev.prodguard.support.TableDependency;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** MySQL and MariaDB, both through MariaDB Connector/J. */
public final class MariaDbSupport implements DatabaseSupport {
  /** The one instance; reached through {@link dev.prodguard.support.DatabaseSupport#of}. */
  public static final MariaDbSupport INSTANCE = new MariaDbSupport();

  /** Every feature's objects: {@code dev/prodguard/support/mariadb/<feature>/V<n>.sql}. */
  static final SqlResources SQL = new SqlResources("mariadb");

  private MariaDbSupport() {}

  @Override
  public DatabaseObjects objects() {
    return SQL;
  }

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
  public boolean schemasShareIdentity() {
    return false; // a schema is a database
  }

  /** A schema is the database: unqualified names always resolve in {@code DATABASE()}. */
  @Override
  public String schemaOfTableExpression(String table) {
    return "DATABASE()";
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
  public String assertDeployWhereInstalled() {
    return dev.prodguard.support.AssertCallSql.MARIADB;
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
  public String transactionPoolers() {
    return "ProxySQL with multiplexing, or MaxScale with a connection pool" + " (persistpoolmax)";
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
    long seconds = dev.prodguard.support.DeploySessions.backstopSeconds(lockWaitBound);
    try (java.sql.Statement st = connection.createStatement()) {
      st.execute(
          "SET SESSION lock_wait_timeout = "
              + seconds
              + ", SESSION innodb_lock_wait_timeout = "
              + seconds);
    }
  }

  /**
   * {@code lock_wait_timeout} (metadata locks) and {@code innodb_lock_wait_timeout} (row locks) in
   * whole seconds, rounded up; {@code max_statement_time} in seconds with fractions (MariaDB).
   */
  @Override
  public List<String> sessionTimeouts(
      java.util.Optional<java.time.Duration> lockTimeout,
      java.util.Optional<java.time.Duration> statementTimeout) {
    List<String> out = new java.util.ArrayList<>();
    lockTimeout.ifPresent(
        d -> {
          long s = Math.max(1, (d.toMillis() + 999) / 1000);
          out.add(
              "SET SESSION lock_wait_timeout = " + s + ", SESSION innodb_lock_wait_timeout = " + s);
        });
    statementTimeout.ifPresent(
        d ->
            out.add(
                "SET SESSION max_statement_time = "
                    + java.math.BigDecimal.valueOf(Math.max(1, d.toMillis()), 3).toPlainString()));
    return out;
  }

  /**
   * The {@code sql_mode} flags that change how a statement's text is read: quotes, {@code ||},
   * backslashes, {@code NOT}'s precedence. {@code ANSI}, {@code ORACLE}, {@code MSSQL}, {@code
   * DB2}, {@code MAXDB} and {@code POSTGRESQL} include some of them. {@code IGNORE_SPACE} (a space
   * between a function's name and its {@code (}) is the reading prodguard's analysis has anyway,
   * and MariaDB Connector/J's sessions have it.
   */
  private static final java.util.Set<String> READING_MODES =
      java.util.Set.of(
          "ANSI_QUOTES",
          "PIPES_AS_CONCAT",
          "NO_BACKSLASH_ESCAPES",
          "HIGH_NOT_PRECEDENCE",
          "ANSI",
          "ORACLE",
          "MSSQL",
          "DB2",
          "MAXDB",
          "POSTGRESQL");

  @Override
  public java.util.Optional<String> readingDifference(java.sql.Connection c)
      throws java.sql.SQLException {
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT @@SESSION.sql_mode")) {
      rs.next();
      String mode = rs.getString(1) == null ? "" : rs.getString(1);
      List<String> found = new java.util.ArrayList<>();
      for (String m : mode.split(",")) {
        if (READING_MODES.contains(m.strip().toUpperCase(java.util.Locale.ROOT))) {
          found.add(m.strip());
        }
      }
      return found.isEmpty()
          ? java.util.Optional.empty()
          : java.util.Optional.of(
              "the server's sql_mode has " + String.join(",", found) + " (sql_mode=" + mode + ")");
    }
  }

  /** {@code lock_wait_timeout} and {@code innodb_lock_wait_timeout} to the session's values. */
  @Override
  public List<String> lockTimeoutRestore(java.sql.Connection c) throws java.sql.SQLException {
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout")) {
      rs.next();
      return List.of(
          "SET SESSION lock_wait_timeout = "
              + rs.getLong(1)
              + ", SESSION innodb_lock_wait_timeout = "
              + rs.getLong(2));
    }
  }

  /** 1205 ER_LOCK_WAIT_TIMEOUT: a metadata or row lock wait ran out. */
  @Override
  public boolean isLockTimeout(SQLException e) {
    return e.getErrorCode() == 1205;
  }

  /** 1969 ER_STATEMENT_TIMEOUT: max_statement_time ended the statement. */
  @Override
  public boolean isStatementTimeout(SQLException e) {
    return e.getErrorCode() == 1969;
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

  @Override
  public dev.prodguard.support.sync.SyncDialect sync() {
    return MariaDbSync.INSTANCE;
  }

  @Override
  public String markStaleCall() {
    return "CALL prodguard_mark_stale(?, ?, ?)";
  }

  @Override
  public List<ForeignKey> foreignKeys(Connection c) throws SQLException {
    String sql =
        "SELECT CONSTRAINT_NAME, CONSTRAINT_SCHEMA, TABLE_NAME, UNIQUE_CONSTRAINT_SCHEMA,"
            + " REFERENCED_TABLE_NAME, DELETE_RULE, UPDATE_RULE"
            + " FROM information_schema.REFERENTIAL_CONSTRAINTS"
            + " WHERE CONSTRAINT_SCHEMA = DATABASE()";
    List<ForeignKey> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(
            new ForeignKey(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                ForeignKey.Action.ofSql(rs.getString(6)),
                ForeignKey.Action.ofSql(rs.getString(7))));
      }
    }
    return out;
  }

  @Override
  public List<dev.prodguard.support.SchemaObject> schemaObjects(
      Connection c, java.util.Collection<String> ownTables) throws SQLException {
    return MariaDbSchemaCatalog.read(c, ownTables);
  }

  @Override
  public List<dev.prodguard.support.SchemaObject> ownTableIntruders(
      Connection c, java.util.Collection<String> ownTables) throws SQLException {
    List<dev.prodguard.support.SchemaObject> out = new java.util.ArrayList<>();
    MariaDbSchemaCatalog4.ownTableTriggers(c, out, List.copyOf(ownTables));
    return out;
  }

  /**
   * Sequences a column default reads ({@code DEFAULT (NEXT VALUE FOR s)}, which the server records
   * as {@code nextval(`db`.`s`)}): restarting or setting one changes the keys its table gets (G4).
   * Triggers, enums and auto-increment live in the table's own definition.
   */
  @Override
  public List<TableDependency> tableDependencies(Connection c) throws SQLException {
    String sql =
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS"
            + " WHERE TABLE_SCHEMA = DATABASE() AND (LOWER(COLUMN_DEFAULT) LIKE '%nextval%'"
            + " OR LOWER(COLUMN_DEFAULT) LIKE '%next value for%'"
            + " OR LOWER(COLUMN_DEFAULT) LIKE '%next_value%')";
    java.util.regex.Pattern seq =
        java.util.regex.Pattern.compile(
            "(?i)(?:nextval\\s*\\(|next\\s+value\\s+for\\s+)\\s*"
                + "(?:[`\"]?([^`\".()\\s]+)[`\"]?\\s*\\.\\s*)?[`\"]?([^`\".()\\s]+)[`\"]?");
    List<TableDependency> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        java.util.regex.Matcher m = seq.matcher(rs.getString(3));
        while (m.find()) {
          out.add(
              new TableDependency(
                  "SEQUENCE",
                  m.group(1) != null ? m.group(1) : rs.getString(1),
                  m.group(2),
                  rs.getString(1),
                  rs.getString(2)));
        }
      }
    }
    return out;
  }

  /**
   * The server's own databases: no migration's routine or trigger lives there. Every other database
   * the account sees counts (G4): a migration may call {@code otherdb.p()} or write {@code
   * otherdb.t}, whose trigger writes a protected table.
   */
  private static final String SYSTEM_DATABASES =
      "('mysql', 'information_schema', 'performance_schema', 'sys')";

  /**
   * The functions and procedures of every database the account sees (not the server's own) as a
   * {@code CREATE} the analyser reads (parameters left out: only what the body writes is judged);
   * an account that may not see a body gets none (null: not known, fail closed).
   */
  @Override
  public List<dev.prodguard.support.StoredRoutine> storedRoutines(Connection c)
      throws SQLException {
    String sql =
        "SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION"
            + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA NOT IN "
            + SYSTEM_DATABASES;
    List<dev.prodguard.support.StoredRoutine> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String body = rs.getString(5);
        boolean function = "FUNCTION".equalsIgnoreCase(rs.getString(3));
        String definition =
            body == null
                ? null
                : "CREATE "
                    + (function ? "FUNCTION" : "PROCEDURE")
                    + " `"
                    + rs.getString(2).replace("`", "``")
                    + "`()"
                    + (function && rs.getString(4) != null ? " RETURNS " + rs.getString(4) : "")
                    + " "
                    + body;
        out.add(
            new dev.prodguard.support.StoredRoutine(rs.getString(1), rs.getString(2), definition));
      }
    }
    return out;
  }

  /**
   * The triggers of every database the account sees (not the server's own) with their statement as
   * a {@code CREATE TRIGGER} the analyser reads; an account without the {@code TRIGGER} privilege
   * on a table sees its triggers with no statement (null: not known, fail closed).
   */
  @Override
  public List<dev.prodguard.support.TableTrigger> tableTriggers(Connection c) throws SQLException {
    String sql =
        "SELECT EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE, TRIGGER_NAME, EVENT_MANIPULATION,"
            + " ACTION_TIMING, ACTION_STATEMENT FROM information_schema.TRIGGERS"
            + " WHERE EVENT_OBJECT_SCHEMA NOT IN "
            + SYSTEM_DATABASES;
    List<dev.prodguard.support.TableTrigger> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String body = rs.getString(6);
        String definition =
            body == null
                ? null
                : "CREATE TRIGGER `"
                    + rs.getString(3).replace("`", "``")
                    + "` "
                    + rs.getString(5)
                    + " "
                    + rs.getString(4)
                    + " ON `"
                    + rs.getString(2).replace("`", "``")
                    + "` FOR EACH ROW "
                    + body;
        out.add(
            new dev.prodguard.support.TableTrigger(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                java.util.Set.of(rs.getString(4).toUpperCase(java.util.Locale.ROOT)),
                definition));
      }
    }
    return out;
  }
}
