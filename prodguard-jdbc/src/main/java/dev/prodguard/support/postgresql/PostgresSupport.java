package dev.prodguard.support.postgresql;

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
import dev.prodguard.support.TableParent;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** PostgreSQL. */
public final class PostgresSupport implements DatabaseSupport {
  /** The one instance; reached through {@link dev.prodguard.support.DatabaseSupport#of}. */
  public static final PostgresSupport INSTANCE = new PostgresSupport();

  /** Every feature's objects: {@code dev/prodguard/support/postgresql/<feature>/V<n>.sql}. */
  static final SqlResources SQL = new SqlResources("postgresql");

  private PostgresSupport() {}

  @Override
  public DatabaseObjects objects() {
    return SQL;
  }

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.POSTGRESQL;
  }

  @Override
  public Driver driver() {
    return new org.postgresql.Driver();
  }

  @Override
  public String connectTimeoutProperty() {
    return "connectTimeout";
  }

  @Override
  public String connectTimeoutValue(int seconds) {
    return Integer.toString(seconds);
  }

  /** {@code system_identifier} survives renames but differs on every initdb, restores included. */
  @Override
  public String serverIdentityExpression(Connection connection) {
    return "'postgresql:' || (SELECT system_identifier::text FROM pg_control_system())"
        + " || '/' || current_database()";
  }

  @Override
  public boolean schemasShareIdentity() {
    return true; // a schema is part of the database
  }

  /**
   * {@code to_regclass} resolves through the search path like the statement itself, never fails.
   */
  @Override
  public String schemaOfTableExpression(String table) {
    return "(SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE c.oid = to_regclass('"
        + table.replace("'", "''")
        + "'))";
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  @Override
  public String asText(String column) {
    return column + "::text";
  }

  @Override
  public boolean isUndefinedTable(SQLException e) {
    return "42P01".equals(e.getSQLState());
  }

  @Override
  public boolean isUndefinedColumn(SQLException e) {
    return "42703".equals(e.getSQLState());
  }

  // The deploy lock: the two-key form (objsubid 2) never collides with Flyway's own one-key lock.
  private static final String LOCK_KEYS = "1886547812, 1685089401";

  @Override
  public boolean transactionalDdl() {
    return true;
  }

  @Override
  public List<String> lockSchema() {
    return List.of("SELECT pg_advisory_xact_lock(1886547812, 1685089402)");
  }

  @Override
  public List<String> unlockSchema() {
    return List.of();
  }

  @Override
  public String currentSchema() {
    return "current_schema()";
  }

  /**
   * {@code information_schema.tables}' own rows, read from the catalog: its view (a dozen joins
   * planned at every call, some thirty calls per promote) reduced to the one relation by name,
   * through {@code pg_class}'s name index. The same conditions as the view's (PostgreSQL 12 to 17):
   * tables, views, foreign and partitioned tables, not another session's temporary schema, and only
   * where the session owns the relation (or is a member of its owner) or holds a privilege on it or
   * one of its columns.
   */
  @Override
  public String tableCountQuery(boolean schemaParameter) {
    return "SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
        + " ON n.oid = c.relnamespace WHERE n.nspname = "
        + (schemaParameter ? "?" : "pg_catalog.current_schema()")
        + " AND c.relname = ? AND c.relkind IN ('r', 'v', 'f', 'p')"
        + " AND NOT pg_catalog.pg_is_other_temp_schema(n.oid)"
        + " AND (pg_catalog.pg_has_role(c.relowner, 'USAGE')"
        + " OR pg_catalog.has_table_privilege(c.oid,"
        + " 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
        + " OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))";
  }

  @Override
  public String registerSession() {
    return "SELECT prodguard_register_session(?, ?)";
  }

  @Override
  public String assertDeployCall() {
    return "SELECT prodguard_assert_deploy()";
  }

  @Override
  public String assertDeployWhereInstalled() {
    return dev.prodguard.support.AssertCallSql.POSTGRESQL;
  }

  @Override
  public String assertInstalledQuery() {
    return "SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        + " WHERE n.nspname = current_schema() AND p.proname = 'prodguard_assert_deploy'";
  }

  @Override
  public java.util.Optional<DdlGuardSql> ddlGuard() {
    return java.util.Optional.of(PgDdlGuard.INSTANCE);
  }

  @Override
  public HistoryGuardSql historyGuard() {
    return PgHistoryGuard.INSTANCE;
  }

  /** The DDL guard refuses schema changes here; no role split is needed. */
  @Override
  public java.util.Optional<SchemaGrants> schemaGrants() {
    return java.util.Optional.empty();
  }

  /** G6 with a deploy-url: whether the url role can make itself an owner (PgOwnerReach). */
  @Override
  public java.util.Optional<dev.prodguard.support.OwnerReach> ownerReach() {
    return java.util.Optional.of(PgOwnerReach.INSTANCE);
  }

  @Override
  public String upsertSchemaVersion() {
    return "INSERT INTO prodguard_schema (component, version) VALUES (?, ?)"
        + " ON CONFLICT (component) DO UPDATE"
        + " SET version = GREATEST(prodguard_schema.version, EXCLUDED.version)";
  }

  @Override
  public String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** A possibly schema-qualified name, each part quoted. */
  String quoteQualified(String name) {
    StringBuilder sb = new StringBuilder();
    for (String part : name.split("\\.", -1)) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(quote(part));
    }
    return sb.toString();
  }

  @Override
  public String tryDeployLock() {
    return "SELECT pg_try_advisory_lock(" + LOCK_KEYS + ")";
  }

  @Override
  public String releaseDeployLock() {
    return "SELECT pg_advisory_unlock(" + LOCK_KEYS + ")";
  }

  @Override
  public String deployLockHolder() {
    return "SELECT pid::text FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + " AND classid = 1886547812 AND objid = 1685089401 AND objsubid = 2";
  }

  @Override
  public String sessionId() {
    return "SELECT pg_backend_pid()::text";
  }

  @Override
  public String transactionPoolers() {
    return "PgBouncer with pool_mode = transaction or statement, or a proxy that pools the same"
        + " way: Supavisor or pgcat in transaction mode, RDS Proxy after multiplexing";
  }

  /**
   * PostgreSQL 14+ notices a vanished client during a long statement and rolls the transaction
   * back, instead of finishing a killed deploy's migration alone. No server-side lock timeout: the
   * watchdog sees every wait of the deploy's own role ({@code pg_stat_activity}, {@code
   * pg_blocking_pids}), and {@code lock_timeout} would also end the waits for older transactions
   * that concurrent index builds make on purpose.
   */
  @Override
  public void prepareDeployConnection(Connection connection, java.time.Duration lockWaitBound)
      throws SQLException {
    if (connection.getMetaData().getDatabaseMajorVersion() >= 14) {
      try (java.sql.Statement st = connection.createStatement()) {
        st.execute("SET client_connection_check_interval = 1000");
      }
    }
  }

  /** {@code SET lock_timeout}, {@code SET statement_timeout}, in milliseconds. */
  @Override
  public List<String> sessionTimeouts(
      java.util.Optional<java.time.Duration> lockTimeout,
      java.util.Optional<java.time.Duration> statementTimeout) {
    List<String> out = new java.util.ArrayList<>();
    lockTimeout.ifPresent(d -> out.add("SET lock_timeout = " + Math.max(1, d.toMillis())));
    statementTimeout.ifPresent(
        d -> out.add("SET statement_timeout = " + Math.max(1, d.toMillis())));
    return out;
  }

  /**
   * {@code standard_conforming_strings} off (a backslash escapes in {@code '...'}) and {@code
   * plpgsql.variable_conflict} other than {@code error} (a database's or role's setting: a name in
   * a PL/pgSQL body is then read as the column or as the variable).
   */
  @Override
  public java.util.Optional<String> readingDifference(java.sql.Connection c)
      throws java.sql.SQLException {
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT current_setting('standard_conforming_strings'),"
                    + " current_setting('plpgsql.variable_conflict', true)")) {
      rs.next();
      String strings = rs.getString(1);
      String conflict = rs.getString(2);
      if (strings != null && !strings.equalsIgnoreCase("on")) {
        return java.util.Optional.of("the server's standard_conforming_strings is " + strings);
      }
      if (conflict != null && !conflict.isEmpty() && !conflict.equalsIgnoreCase("error")) {
        return java.util.Optional.of(
            "the server's plpgsql.variable_conflict is "
                + conflict
                + " (set on the database or"
                + " the role)");
      }
      return java.util.Optional.empty();
    }
  }

  /** {@code SET lock_timeout} to the session's current value. */
  @Override
  public List<String> lockTimeoutRestore(java.sql.Connection c) throws java.sql.SQLException {
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT current_setting('lock_timeout')")) {
      rs.next();
      return List.of("SET lock_timeout = '" + rs.getString(1).replace("'", "''") + "'");
    }
  }

  /** 55P03 lock_not_available: lock_timeout (or NOWAIT) ended the wait. */
  @Override
  public boolean isLockTimeout(SQLException e) {
    return "55P03".equals(e.getSQLState());
  }

  /**
   * 57014 query_canceled with the server's statement_timeout text (the same state is a cancel
   * request, {@code pg_cancel_backend}, whose text differs).
   */
  @Override
  public boolean isStatementTimeout(SQLException e) {
    return "57014".equals(e.getSQLState())
        && String.valueOf(e.getMessage()).contains("statement timeout");
  }

  @Override
  public SessionWaits sessionWaits() {
    return PgSessionWaits.INSTANCE;
  }

  @Override
  public java.util.Optional<InvalidIndexes> invalidIndexes() {
    return java.util.Optional.of(PgInvalidIndexes.INSTANCE);
  }

  @Override
  public DumpTool dumpTool() {
    return PgDumpTool.INSTANCE;
  }

  @Override
  public dev.prodguard.support.sync.SyncDialect sync() {
    return PostgresSync.INSTANCE;
  }

  @Override
  public String markStaleCall() {
    return "SELECT prodguard_mark_stale(?, ?, ?)";
  }

  @Override
  public List<ForeignKey> foreignKeys(Connection c) throws SQLException {
    String sql =
        "SELECT k.conname, cn.nspname, cl.relname, pn.nspname, pl.relname, k.confdeltype,"
            + " k.confupdtype FROM pg_catalog.pg_constraint k"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = k.conrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " JOIN pg_catalog.pg_class pl ON pl.oid = k.confrelid"
            + " JOIN pg_catalog.pg_namespace pn ON pn.oid = pl.relnamespace"
            + " WHERE k.contype = 'f' AND cn.nspname NOT IN ('pg_catalog', 'information_schema')";
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
                action(rs.getString(6)),
                action(rs.getString(7))));
      }
    }
    return out;
  }

  /** pg_constraint's action codes; an unknown code is read as CASCADE (fail closed). */
  private static ForeignKey.Action action(String code) {
    return switch (code == null ? "" : code) {
      case "a" -> ForeignKey.Action.NO_ACTION;
      case "r" -> ForeignKey.Action.RESTRICT;
      case "n" -> ForeignKey.Action.SET_NULL;
      case "d" -> ForeignKey.Action.SET_DEFAULT;
      default -> ForeignKey.Action.CASCADE;
    };
  }

  @Override
  public List<dev.prodguard.support.SchemaObject> ownTableIntruders(
      Connection c, java.util.Collection<String> ownTables) throws SQLException {
    return PgSchemaCatalog4.ownTableIntruders(c, ownTables);
  }

  @Override
  public java.util.Optional<dev.prodguard.support.StatementProbe> statementProbe() {
    return java.util.Optional.of(PgStatementProbe.INSTANCE);
  }

  @Override
  public List<dev.prodguard.support.SchemaObject> schemaObjects(
      Connection c, java.util.Collection<String> ownTables) throws SQLException {
    return PgSchemaCatalog.read(c, ownTables);
  }

  @Override
  public List<TableParent> tableParents(Connection c) throws SQLException {
    String sql =
        "SELECT cn.nspname, cl.relname, pn.nspname, pl.relname FROM pg_catalog.pg_inherits i"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = i.inhrelid AND cl.relkind IN ('r', 'p', 'f')"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " JOIN pg_catalog.pg_class pl ON pl.oid = i.inhparent"
            + " JOIN pg_catalog.pg_namespace pn ON pn.oid = pl.relnamespace";
    List<TableParent> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(
            new TableParent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
      }
    }
    return out;
  }

  @Override
  public List<dev.prodguard.support.TableTrigger> tableTriggers(Connection c) throws SQLException {
    // tgtype bits (pg_trigger.h): 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE; plpgsql and sql
    // bodies are read as code; a few built-ins are known to write nothing; any other function (C,
    // an extension's such as refint's check_foreign_key, which deletes rows of the tables its
    // arguments name) is code prodguard cannot read (fail closed)
    String sql =
        "SELECT cn.nspname, cl.relname, t.tgname, t.tgtype::int, "
            + BODY
            + " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
            + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
            + " JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = t.tgrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'";
    List<dev.prodguard.support.TableTrigger> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        int type = rs.getInt(4);
        java.util.Set<String> events = new java.util.LinkedHashSet<>();
        if ((type & 4) != 0) {
          events.add("INSERT");
        }
        if ((type & 8) != 0) {
          events.add("DELETE");
        }
        if ((type & 16) != 0) {
          events.add("UPDATE");
        }
        if ((type & 32) != 0) {
          events.add("TRUNCATE");
        }
        out.add(
            new dev.prodguard.support.TableTrigger(
                rs.getString(1), rs.getString(2), rs.getString(3), events, rs.getString(5)));
      }
    }
    out.addAll(evaluated(c));
    // event triggers run their function on DDL (not prodguard's own, whose names it reserves)
    String events =
        "SELECT e.evtname, "
            + BODY
            + " FROM pg_catalog.pg_event_trigger e JOIN pg_catalog.pg_proc p ON p.oid = e.evtfoid"
            + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
            + " JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace"
            + " WHERE e.evtenabled <> 'D' AND e.evtname NOT LIKE 'prodguard%'";
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(events)) {
      while (rs.next()) {
        out.add(
            new dev.prodguard.support.TableTrigger(
                "",
                "",
                "event trigger " + rs.getString(1),
                java.util.Set.of(dev.prodguard.support.TableTrigger.DDL),
                rs.getString(2)));
      }
    }
    // rules run their commands on every such write of their table, like triggers (G4); a SELECT
    // rule (_RETURN) makes a view and is no write; ev_type 2 UPDATE, 3 INSERT, 4 DELETE
    String rules =
        "SELECT cn.nspname, cl.relname, r.rulename, r.ev_type::text,"
            + " pg_catalog.pg_get_ruledef(r.oid)"
            + " FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class cl ON cl.oid = r.ev_class"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE r.ev_type IN ('2', '3', '4') AND r.ev_enabled <> 'D'"
            + " AND cn.nspname NOT IN ('pg_catalog', 'information_schema')";
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(rules)) {
      while (rs.next()) {
        String event =
            switch (rs.getString(4)) {
              case "2" -> "UPDATE";
              case "3" -> "INSERT";
              default -> "DELETE";
            };
        out.add(
            new dev.prodguard.support.TableTrigger(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                java.util.Set.of(event),
                rs.getString(5)));
      }
    }
    return out;
  }

  /**
   * The SQL of a function's body for the analyser, as a column of a query over {@code pg_proc p},
   * {@code pg_language l}, {@code pg_namespace pn}: plpgsql and sql bodies as {@code
   * pg_get_functiondef}; empty for the built-in trigger functions known to write no other table;
   * null for any other (C, internal, another procedural language, an extension's): not readable.
   */
  private static final String BODY =
      "CASE WHEN l.lanname IN ('plpgsql', 'sql') THEN pg_catalog.pg_get_functiondef(p.oid)"
          + " WHEN pn.nspname = 'pg_catalog' AND p.oid < 16384 AND p.proname IN"
          + " ('suppress_redundant_updates_trigger', 'tsvector_update_trigger',"
          + " 'tsvector_update_trigger_column') THEN ''"
          // contrib's C trigger functions that only set the new row's columns or send a
          // notification, each only as a member of its own extension (installed from the server's
          // files, which no migration writes): moddatetime is common on Supabase-style schemas.
          // refint's check_foreign_key (cascading deletes) and lo's lo_manage stay unread.
          + " WHEN l.lanname = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend ed"
          + " JOIN pg_catalog.pg_extension e ON e.oid = ed.refobjid"
          + " WHERE ed.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND ed.objid = p.oid"
          + " AND ed.deptype = 'e' AND (e.extname, p.proname) IN (('moddatetime', 'moddatetime'),"
          + " ('tcn', 'triggered_change_notification'), ('insert_username', 'insert_username'),"
          + " ('autoinc', 'autoinc'))) THEN '' END";

  /**
   * What the server evaluates by itself when a table's rows are written, as triggers of that table:
   * the user functions ({@code pg_depend}, which records every function an expression calls;
   * built-ins are pinned and not recorded) of its CHECK constraints and those of the domains of its
   * columns, its column DEFAULTs and generated columns, its index expressions and predicates, its
   * row-level security policies and its triggers' WHEN conditions. Each is named "check constraint
   * c calling s.f()" and the like; its body is the called function's ({@link #BODY}).
   */
  /** The catalogs an evaluated expression's dependencies lead on through ({@link #evaluated}). */
  private static final String REFS =
      "('pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_operator'::regclass,"
          + " 'pg_catalog.pg_opclass'::regclass, 'pg_catalog.pg_type'::regclass)";

  private static List<dev.prodguard.support.TableTrigger> evaluated(Connection c)
      throws SQLException {
    String sql =
        "WITH RECURSIVE uses (nspname, relname, what, events, cls, obj) AS ("
            // CHECK constraints of tables (also NOT VALID ones: VALIDATE evaluates them)
            + " SELECT cn.nspname, cl.relname, 'check constraint ' || k.conname, 'IU', d.refclassid, d.refobjid"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_constraint k ON k.oid = d.objid"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = k.conrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_constraint'::regclass"
            + " AND d.refclassid IN "
            + REFS
            + ""
            // CHECKs of a domain, evaluated for every column of that type
            + " UNION ALL SELECT cn.nspname, cl.relname, 'check constraint ' || k.conname"
            + " || ' of domain ' || ty.typname, 'IU', d.refclassid, d.refobjid"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_constraint k ON k.oid = d.objid"
            + " JOIN pg_catalog.pg_type ty ON ty.oid = k.contypid"
            + " JOIN pg_catalog.pg_attribute a ON a.atttypid = ty.oid AND NOT a.attisdropped"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = a.attrelid AND cl.relkind IN ('r', 'p')"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_constraint'::regclass"
            + " AND d.refclassid IN "
            + REFS
            + ""
            // column defaults and generated columns
            + " UNION ALL SELECT cn.nspname, cl.relname, 'default of column ' || a.attname,"
            + " 'IU', d.refclassid, d.refobjid"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = ad.adrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass"
            + " AND d.refclassid IN "
            + REFS
            + ""
            // index expressions and partial-index predicates
            + " UNION ALL SELECT cn.nspname, cl.relname, 'index ' || ic.relname, 'IU', d.refclassid, d.refobjid"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_index i ON i.indexrelid = d.objid"
            + " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = i.indrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_class'::regclass"
            + " AND d.refclassid IN "
            + REFS
            + ""
            // row-level security policies (FOR SELECT and FOR ALL ones also on every read; a
            // table's owner skips them unless FORCE ROW LEVEL SECURITY: fail closed)
            + " UNION ALL SELECT cn.nspname, cl.relname, 'policy ' || po.polname, 'IUD'"
            + " || CASE WHEN po.polcmd IN ('r', '*') THEN 'S' ELSE '' END,"
            + " d.refclassid, d.refobjid"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_policy po ON po.oid = d.objid"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = po.polrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_policy'::regclass"
            + " AND d.refclassid IN "
            + REFS
            + ""
            // a trigger's WHEN condition (its function is read as the trigger's body)
            + " UNION ALL SELECT cn.nspname, cl.relname, 'when condition of trigger ' || t.tgname,"
            + " CASE WHEN t.tgtype::int & 4 <> 0 THEN 'I' ELSE '' END"
            + " || CASE WHEN t.tgtype::int & 8 <> 0 THEN 'D' ELSE '' END"
            + " || CASE WHEN t.tgtype::int & 16 <> 0 THEN 'U' ELSE '' END"
            + " || CASE WHEN t.tgtype::int & 32 <> 0 THEN 'T' ELSE '' END, d.refclassid, d.refobjid"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_trigger t ON t.oid = d.objid"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = t.tgrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_trigger'::regclass"
            + " AND d.refclassid IN "
            + REFS
            + " AND NOT (d.refclassid = 'pg_catalog.pg_proc'::regclass AND d.refobjid = t.tgfoid)"
            + " AND NOT t.tgisinternal AND t.tgenabled <> 'D'"
            // extended statistics on expressions, evaluated by ANALYZE (attacker 26/06)
            + " UNION ALL SELECT cn.nspname, cl.relname, 'statistics ' || se.stxname, 'A',"
            + " d.refclassid, d.refobjid FROM pg_catalog.pg_depend d"
            + " JOIN pg_catalog.pg_statistic_ext se ON se.oid = d.objid"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = se.stxrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_statistic_ext'::regclass"
            + " AND d.refclassid IN "
            + REFS
            // a partition key's expressions and operator classes, evaluated for every row written
            // into the partitioned table or any of its partitions (their partition constraint)
            + " UNION ALL SELECT pn.nspname, pc.relname, 'partition key of ' || cl.relname, 'IU',"
            + " d.refclassid, d.refobjid FROM pg_catalog.pg_depend d"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = d.objid AND cl.relkind = 'p'"
            + " CROSS JOIN LATERAL pg_catalog.pg_partition_tree(cl.oid) pt"
            + " JOIN pg_catalog.pg_class pc ON pc.oid = pt.relid"
            + " JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0"
            + " AND d.refclassid IN "
            + REFS
            // a view's query, evaluated by every read of the view; a materialized view's by
            // REFRESH (attacker 26/08, 26/09); followed on below through its rewrite rule
            + " UNION ALL SELECT cn.nspname, cl.relname, 'query of '"
            + " || CASE cl.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END"
            + " || cl.relname, CASE cl.relkind WHEN 'm' THEN 'R' ELSE 'S' END,"
            + " 'pg_catalog.pg_class'::regclass::oid, cl.oid FROM pg_catalog.pg_class cl"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE cl.relkind IN ('v', 'm')"
            // a column of a domain over a domain: the base domains' CHECKs run too
            + " UNION ALL SELECT cn.nspname, cl.relname, 'column ' || a.attname || ' of domain '"
            + " || ty.typname, 'IU', 'pg_catalog.pg_type'::regclass::oid, ty.typbasetype"
            + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
            + " AND ty.typtype = 'd' JOIN pg_catalog.pg_type bt ON bt.oid = ty.typbasetype"
            + " AND bt.typtype = 'd' JOIN pg_catalog.pg_class cl ON cl.oid = a.attrelid"
            + " AND cl.relkind IN ('r', 'p') JOIN pg_catalog.pg_namespace cn"
            + " ON cn.oid = cl.relnamespace WHERE NOT a.attisdropped),"
            // what those reach in turn (attacker 26): an operator's functions, an operator class's
            // support functions and operators, a domain's base domain and CHECKs, a function's
            // parameter defaults and SQL-standard body; user objects only, an extension's
            // operators and operator classes are its own code (pg_trgm, citext, PostGIS indexes)
            + " reach (nspname, relname, what, events, cls, obj, indirect) AS ("
            + " SELECT nspname, relname, what, events, cls::oid, obj, false FROM uses"
            + " UNION SELECT r.nspname, r.relname, r.what, r.events, x.cls, x.obj, true"
            + " FROM reach r CROSS JOIN LATERAL ("
            + " SELECT 'pg_catalog.pg_proc'::regclass::oid, f FROM pg_catalog.pg_operator o,"
            + " unnest(ARRAY[o.oprcode::oid, o.oprrest::oid, o.oprjoin::oid]) f"
            + " WHERE r.cls = 'pg_catalog.pg_operator'::regclass AND o.oid = r.obj AND f <> 0"
            + " UNION ALL SELECT 'pg_catalog.pg_proc'::regclass::oid, ap.amproc::oid"
            + " FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_amproc ap"
            + " ON ap.amprocfamily = oc.opcfamily"
            + " WHERE r.cls = 'pg_catalog.pg_opclass'::regclass AND oc.oid = r.obj"
            + " UNION ALL SELECT 'pg_catalog.pg_operator'::regclass::oid, ao.amopopr"
            + " FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_amop ao"
            + " ON ao.amopfamily = oc.opcfamily"
            + " WHERE r.cls = 'pg_catalog.pg_opclass'::regclass AND oc.oid = r.obj"
            + " UNION ALL SELECT 'pg_catalog.pg_type'::regclass::oid, ty.typbasetype"
            + " FROM pg_catalog.pg_type ty WHERE r.cls = 'pg_catalog.pg_type'::regclass"
            + " AND ty.oid = r.obj AND ty.typtype = 'd'"
            + " UNION ALL SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_constraint k"
            + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_constraint'::regclass"
            + " AND d.objid = k.oid WHERE r.cls = 'pg_catalog.pg_type'::regclass"
            + " AND k.contypid = r.obj AND d.refclassid IN "
            + REFS
            // a view's query (its _RETURN rule): what it calls, and the plain views it reads
            + " UNION ALL SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_rewrite rw"
            + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass"
            + " AND d.objid = rw.oid WHERE r.cls = 'pg_catalog.pg_class'::regclass"
            + " AND rw.ev_class = r.obj AND rw.ev_type = '1' AND (d.refclassid IN "
            + REFS
            + " OR (d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.obj"
            + " AND EXISTS (SELECT 1 FROM pg_catalog.pg_class vc WHERE vc.oid = d.refobjid"
            + " AND vc.relkind = 'v')))"
            + " UNION ALL SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_depend d"
            + " WHERE r.cls = 'pg_catalog.pg_proc'::regclass AND d.classid = r.cls"
            + " AND d.objid = r.obj AND d.deptype = 'n' AND d.refclassid IN "
            + REFS
            + ") x (cls, obj) WHERE x.obj >= 16384 AND NOT EXISTS (SELECT 1"
            + " FROM pg_catalog.pg_depend ed WHERE ed.classid = x.cls AND ed.objid = x.obj"
            + " AND ed.deptype = 'e'))"
            + " SELECT DISTINCT u.nspname, u.relname, u.what || ' calling ' || pn.nspname || '.'"
            + " || p.proname || '()', u.events, "
            + BODY
            + " FROM reach u JOIN pg_catalog.pg_proc p"
            + " ON u.cls = 'pg_catalog.pg_proc'::regclass AND p.oid = u.obj"
            + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
            + " JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace"
            + " WHERE u.nspname NOT IN ('pg_catalog', 'information_schema')";
    List<dev.prodguard.support.TableTrigger> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String e = rs.getString(4);
        java.util.Set<String> events = new java.util.LinkedHashSet<>();
        if (e.contains("I")) {
          events.add("INSERT");
        }
        if (e.contains("U")) {
          events.add("UPDATE");
        }
        if (e.contains("D")) {
          events.add("DELETE");
        }
        if (e.contains("T")) {
          events.add("TRUNCATE");
        }
        if (e.contains("S")) {
          events.add(dev.prodguard.support.TableTrigger.SELECT);
        }
        if (e.contains("A")) {
          events.add(dev.prodguard.support.TableTrigger.ANALYZE);
        }
        if (e.contains("R")) {
          events.add(dev.prodguard.support.TableTrigger.REFRESH);
        }
        out.add(
            new dev.prodguard.support.TableTrigger(
                rs.getString(1), rs.getString(2), rs.getString(3), events, rs.getString(5)));
      }
    }
    return out;
  }

  @Override
  public List<dev.prodguard.support.StoredRoutine> storedRoutines(Connection c)
      throws SQLException {
    // as for trigger functions: an extension's routine has no user-written body, plpgsql and sql
    // bodies are read as code, any other language cannot be read (null: fail closed when called)
    String sql =
        "SELECT pn.nspname, p.proname, CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE"
            + " d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
            + " THEN '' WHEN l.lanname IN ('plpgsql', 'sql') THEN"
            + " pg_catalog.pg_get_functiondef(p.oid) END FROM pg_catalog.pg_proc p JOIN"
            + " pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace JOIN pg_catalog.pg_language l"
            + " ON l.oid = p.prolang WHERE p.prokind IN ('f', 'p') AND (pn.nspname NOT IN"
            + " ('pg_catalog', 'information_schema')"
            // a routine a user made in pg_catalog (built-ins have oids below 16384) is called like
            // any other (G4)
            + " OR p.oid >= 16384)";
    List<dev.prodguard.support.StoredRoutine> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(
            new dev.prodguard.support.StoredRoutine(
                rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    return out;
  }

  @Override
  public List<dev.prodguard.support.UserOperator> userOperators(Connection c) throws SQLException {
    // a user's operators and operator classes (built-ins have oids below 16384; an extension's
    // are its own code): an operator runs its function and selectivity estimators, a class its
    // family's support functions and its operators' functions
    String notExtension =
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '%s'::regclass"
            + " AND d.objid = %s.oid AND d.deptype = 'e')";
    // the fourth column: the server may pick it unnamed, a default class (ORDER BY, DISTINCT, GROUP
    // BY) or a cast with a function (wherever a value is cast, named or not)
    String sql =
        "SELECT false, o.oprname, fn.nspname || '.' || f.proname, false"
            + " FROM pg_catalog.pg_operator o"
            + " JOIN pg_catalog.pg_proc f ON f.oid IN (o.oprcode, o.oprrest, o.oprjoin)"
            + " JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace WHERE o.oid >= 16384"
            + String.format(notExtension, "pg_catalog.pg_operator", "o")
            + " UNION SELECT true, c.opcname, fn.nspname || '.' || f.proname, c.opcdefault"
            + " FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_amproc ap"
            + " ON ap.amprocfamily = c.opcfamily JOIN pg_catalog.pg_proc f ON f.oid = ap.amproc"
            + " JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace WHERE c.oid >= 16384"
            + String.format(notExtension, "pg_catalog.pg_opclass", "c")
            + " UNION SELECT true, c.opcname, fn.nspname || '.' || f.proname, c.opcdefault"
            + " FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_amop ao"
            + " ON ao.amopfamily = c.opcfamily JOIN pg_catalog.pg_operator o ON o.oid = ao.amopopr"
            + " JOIN pg_catalog.pg_proc f ON f.oid IN (o.oprcode, o.oprrest, o.oprjoin)"
            + " JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace WHERE c.oid >= 16384"
            + String.format(notExtension, "pg_catalog.pg_opclass", "c")
            + " UNION SELECT false, 'cast (' || pg_catalog.format_type(k.castsource, NULL)"
            + " || ' as ' || pg_catalog.format_type(k.casttarget, NULL) || ')',"
            + " fn.nspname || '.' || f.proname, true FROM pg_catalog.pg_cast k"
            + " JOIN pg_catalog.pg_proc f ON f.oid = k.castfunc"
            + " JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace WHERE k.oid >= 16384"
            + String.format(notExtension, "pg_catalog.pg_cast", "k");
    java.util.Map<String, List<String>> runs = new java.util.LinkedHashMap<>();
    java.util.Set<String> implicit = new java.util.HashSet<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String k =
            (rs.getBoolean(1) ? "c" : "o") + rs.getString(2).toLowerCase(java.util.Locale.ROOT);
        runs.computeIfAbsent(k, x -> new java.util.ArrayList<>())
            .add(rs.getString(3).toLowerCase(java.util.Locale.ROOT));
        if (rs.getBoolean(4)) {
          implicit.add(k);
        }
      }
    }
    List<dev.prodguard.support.UserOperator> out = new java.util.ArrayList<>();
    runs.forEach(
        (k, fns) ->
            out.add(
                new dev.prodguard.support.UserOperator(
                    k.charAt(0) == 'c', k.substring(1), fns, implicit.contains(k))));
    return out;
  }

  @Override
  public List<TableDependency> tableDependencies(Connection c) throws SQLException {
    String sql =
        // trigger functions
        "SELECT 'FUNCTION', pn.nspname, p.proname, cn.nspname, cl.relname"
            + " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
            + " JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = t.tgrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE NOT t.tgisinternal"
            // column types (enum, composite, range, multirange) and domains, arrays of them too
            + " UNION SELECT CASE ty.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, tn.nspname,"
            + " ty.typname, cn.nspname, cl.relname FROM pg_catalog.pg_attribute a"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = a.attrelid AND cl.relkind IN ('r', 'p')"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " JOIN pg_catalog.pg_type at ON at.oid = a.atttypid"
            + " JOIN pg_catalog.pg_type ty"
            + " ON ty.oid = CASE WHEN at.typelem <> 0 AND at.typlen = -1 THEN at.typelem"
            + " ELSE at.oid END"
            + " JOIN pg_catalog.pg_namespace tn ON tn.oid = ty.typnamespace"
            + " WHERE a.attnum > 0 AND NOT a.attisdropped AND ty.typtype IN ('e', 'd', 'c', 'r', 'm')"
            + " AND tn.nspname NOT IN ('pg_catalog', 'information_schema')"
            // sequences owned by the table (serial, identity) or used by a column default
            + " UNION SELECT 'SEQUENCE', sn.nspname, s.relname, cn.nspname, cl.relname"
            + " FROM pg_catalog.pg_depend d"
            + " JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
            + " JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = d.refobjid AND cl.relkind IN ('r', 'p')"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace"
            + " WHERE d.classid = 'pg_catalog.pg_class'::regclass"
            + " AND d.refclassid = 'pg_catalog.pg_class'::regclass"
            + " UNION SELECT 'SEQUENCE', sn.nspname, s.relname, cn.nspname, cl.relname"
            + " FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_depend d"
            + " ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = ad.oid"
            + " JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'"
            + " JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace"
            + " JOIN pg_catalog.pg_class cl ON cl.oid = ad.adrelid"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace";
    List<TableDependency> out = new java.util.ArrayList<>();
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(
            new TableDependency(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5)));
      }
    }
    return out;
  }

  @Override
  public boolean notNullColumnFailsOnRows() {
    return true;
  }
}
