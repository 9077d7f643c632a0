package dev.prodguard.support.postgresql;

import dev.prodguard.support.StatementProbe;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** PostgreSQL's {@link StatementProbe}: catalog queries in the traced session. */
final class PgStatementProbe implements StatementProbe {
  static final PgStatementProbe INSTANCE = new PgStatementProbe();

  private static final String USER_NAMESPACE =
      " n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
          + " AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

  private static final String QUALIFIED = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";

  private PgStatementProbe() {}

  /**
   * The search path each replay session had at its last {@link #catalogRead}: the guess the next
   * read puts back in its own round trip; a wrong guess is corrected before that read returns.
   */
  private final Map<Connection, String> lastPath =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  @Override
  public Session session(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT current_user, pg_catalog.current_setting('search_path')")) {
      rs.next();
      return new Session(rs.getString(1), rs.getString(2));
    }
  }

  @Override
  public void restore(Connection c, Session start, String defaultSchema) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET ROLE " + PostgresSupport.INSTANCE.quote(start.role()));
    }
    String path = start.searchPath();
    if (defaultSchema == null
        || defaultSchema.equals(path)
        || path.startsWith(defaultSchema + ",")) {
      return; // Flyway leaves the search path as it is then
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_catalog.set_config('search_path', ?, false) WHERE EXISTS (SELECT 1 FROM"
                + " pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=)"
                + " ?::pg_catalog.text)")) {
      ps.setString(1, PostgresSupport.INSTANCE.quote(defaultSchema) + "," + path);
      ps.setString(2, defaultSchema);
      ps.executeQuery().close();
    }
  }

  @Override
  public State state(Connection c) throws SQLException {
    // read after every replayed statement, in one round trip (catalogRead)
    return catalogRead(
        c,
        RELATIONS + "; " + CONSTRAINTS + "; " + LOCKS + "; " + COLUMNS + "; " + DEFERRABLE,
        0,
        ps -> {},
        PgStatementProbe::readState);
  }

  /** Binds the parameters of a {@link #catalogRead}'s query. */
  private interface Bind {
    void run(PreparedStatement ps) throws SQLException;
  }

  /** Reads the results of a {@link #catalogRead}'s query, each of them, from the batch. */
  private interface Results<T> {
    T run(Statement st) throws SQLException;
  }

  /**
   * Runs {@code query} (one or more queries joined by {@code ;}, {@code params} parameters bound by
   * {@code bind}) as {@link #inCatalogPath} does, in one round trip: the session's path read, set
   * to {@code pg_catalog}, the queries, and the path put back, one batch run in order by the server
   * (each query parsed after the one before it ran). The path put back in the batch is the one the
   * session's last such read saw; when the path read now differs (a statement changed it since), it
   * is set again to the path read now before this returns (a second round trip, as every read took
   * before), so the session always ends with the path it had.
   */
  private <T> T catalogRead(Connection c, String query, int params, Bind bind, Results<T> results)
      throws SQLException {
    boolean local = !c.getAutoCommit();
    String guess = lastPath.get(c);
    String saved = null;
    T out;
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT pg_catalog.current_setting('search_path');"
                + " SELECT pg_catalog.set_config('search_path', 'pg_catalog', "
                + local
                + "); "
                + query
                + (guess == null
                    ? ""
                    : "; SELECT pg_catalog.set_config('search_path', ?, " + local + ")"))) {
      bind.run(st);
      if (guess != null) {
        st.setString(params + 1, guess);
      }
      st.execute();
      try (ResultSet rs = st.getResultSet()) {
        rs.next();
        saved = rs.getString(1);
      }
      next(st).close();
      out = results.run(st);
      if (guess != null) {
        next(st).close();
      }
    } catch (SQLException | RuntimeException e) {
      lastPath.remove(c);
      // a batch the server refused outside a transaction block ran as one implicit transaction,
      // whose rollback undid the set_config; one read here and then failed did not
      if (!local && saved != null) {
        try {
          searchPath(c, saved, false);
        } catch (SQLException again) {
          e.addSuppressed(again);
        }
      }
      throw e; // inside a transaction the failed read aborted it, and the path with it
    }
    if (!saved.equals(guess)) {
      try {
        searchPath(c, saved, local);
      } catch (SQLException | RuntimeException e) {
        lastPath.remove(c);
        throw e;
      }
    }
    lastPath.put(c, saved);
    return out;
  }

  /** The next result set of a batch of queries; a missing one is a protocol surprise. */
  private static ResultSet next(Statement st) throws SQLException {
    if (!st.getMoreResults()) {
      throw new SQLException("the catalog probe's batch returned fewer results than queries");
    }
    return st.getResultSet();
  }

  /** A probe read; throws what the server says. */
  private interface Read<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code read} with {@code search_path} set to {@code pg_catalog} alone, then puts the
   * session's path back (for the transaction only inside one, so a {@code SET LOCAL} of the
   * migration still ends at its commit): an operator or function a migration (or the target's
   * schema) defines in a schema of its path, {@code public.!~~(name, name)} an exact match where
   * {@code pg_catalog}'s is not, cannot answer the probe's catalog queries in its place.
   */
  private static <T> T inCatalogPath(Connection c, Read<T> read) throws SQLException {
    boolean local = !c.getAutoCommit();
    String saved;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('search_path')")) {
      rs.next();
      saved = rs.getString(1);
    }
    searchPath(c, "pg_catalog", local);
    T out;
    try {
      out = read.run();
    } catch (SQLException | RuntimeException e) {
      if (!local) {
        try {
          searchPath(c, saved, false);
        } catch (SQLException again) {
          e.addSuppressed(again);
        }
      }
      throw e; // inside a transaction the failed read aborted it, and the path with it
    }
    searchPath(c, saved, local);
    return out;
  }

  private static void searchPath(Connection c, String path, boolean local) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_catalog.set_config('search_path', ?, ?)")) {
      ps.setString(1, path);
      ps.setBoolean(2, local);
      ps.executeQuery().close();
    }
  }

  private static final String RELATIONS =
      "SELECT c.oid, "
          + QUALIFIED
          + ", c.relkind, c.relfilenode, COALESCE(pg_stat_get_xact_numscans(c.oid), 0),"
          + " COALESCE((SELECT quote_ident(tn.nspname) || '.' || quote_ident(t.relname)"
          + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
          + " JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
          + " WHERE i.indexrelid = c.oid), ''),"
          + " COALESCE((SELECT i.inhparent FROM pg_catalog.pg_inherits i"
          + " WHERE i.inhrelid = c.oid ORDER BY i.inhseqno LIMIT 1), 0)"
          + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
          + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') AND"
          + USER_NAMESPACE;

  private static final String CONSTRAINTS =
      "SELECT k.oid, quote_ident(k.conname), "
          + QUALIFIED
          + ", k.contype, k.convalidated FROM pg_catalog.pg_constraint k"
          + " JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE"
          + USER_NAMESPACE;

  private static final String LOCKS =
      "SELECT "
          + QUALIFIED
          + ", l.mode FROM pg_catalog.pg_locks l"
          + " JOIN pg_catalog.pg_class c ON c.oid = l.relation"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted"
          + " AND c.relkind IN ('r', 'p', 'm', 'i', 'I') AND"
          + USER_NAMESPACE;

  /** The live columns of the tables: a rename keeps attnum, a drop sets attisdropped. */
  private static final String COLUMNS =
      "SELECT a.attrelid, a.attnum, quote_ident(a.attname) FROM pg_catalog.pg_attribute a"
          + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND"
          + USER_NAMESPACE;

  /**
   * Whether anything in the database, in any schema (temporary ones too: a deferred trigger of a
   * temporary table may write a user table), can queue a trigger event for the commit.
   */
  private static final String DEFERRABLE =
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE condeferrable)"
          + " OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgdeferrable)";

  /**
   * The relations, constraints, locks, columns and whether anything is deferrable: the next five
   * results of {@code st}'s batch.
   */
  private static State readState(Statement st) throws SQLException {
    Map<Long, Relation> relations = new HashMap<>();
    Map<Long, Constraint> constraints = new HashMap<>();
    List<Lock> locks = new ArrayList<>();
    try (ResultSet rs = next(st)) {
      while (rs.next()) {
        relations.put(
            rs.getLong(1),
            new Relation(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3).charAt(0),
                rs.getLong(4),
                rs.getLong(5),
                rs.getString(6),
                rs.getLong(7)));
      }
    }
    try (ResultSet rs = next(st)) {
      while (rs.next()) {
        constraints.put(
            rs.getLong(1),
            new Constraint(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4).charAt(0),
                rs.getBoolean(5)));
      }
    }
    try (ResultSet rs = next(st)) {
      while (rs.next()) {
        locks.add(new Lock(rs.getString(1), rs.getString(2)));
      }
    }
    List<Column> columns = new ArrayList<>();
    try (ResultSet rs = next(st)) {
      while (rs.next()) {
        columns.add(new Column(rs.getLong(1), rs.getInt(2), rs.getString(3)));
      }
    }
    boolean deferrable;
    try (ResultSet rs = next(st)) {
      // fail closed: no answer reads as "something may be deferred"
      deferrable = !rs.next() || rs.getBoolean(1);
    }
    return new State(relations, constraints, locks, columns, deferrable);
  }

  @Override
  public Map<String, Size> sizes(Connection target, Collection<String> relations)
      throws SQLException {
    return inCatalogPath(target, () -> readSizes(target, relations));
  }

  private Map<String, Size> readSizes(Connection target, Collection<String> relations)
      throws SQLException {
    Map<String, Size> out = new HashMap<>();
    if (relations.isEmpty()) {
      return out;
    }
    // a partitioned table is the sum of its partitions (its own pg_class row holds no data), an
    // inheritance parent its own rows plus its children's (a statement on it reaches them); rows:
    // reltuples scaled to the pages the table has now, as the planner estimates, so statistics
    // taken while a table was empty never call it empty once it holds pages
    try (PreparedStatement ps =
        target.prepareStatement(
            "WITH RECURSIVE wanted AS (SELECT c.oid, "
                + QUALIFIED
                + " AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') AND "
                + QUALIFIED
                + " = ANY (?)), tree (name, oid) AS (SELECT name, oid FROM wanted UNION"
                + " SELECT t.name, i.inhrelid FROM tree t JOIN pg_catalog.pg_inherits i"
                + " ON i.inhparent = t.oid JOIN pg_catalog.pg_class p ON p.oid = t.oid"
                + " AND p.relkind IN ('p', 'r'))"
                + " SELECT t.name, CASE WHEN min(r.rows) < 0 THEN -1"
                + " ELSE COALESCE(sum(r.rows), 0) END::bigint, COALESCE(sum(r.bytes), 0)::bigint"
                + " FROM tree t LEFT JOIN LATERAL (SELECT CASE"
                + " WHEN x.reltuples > 0 AND x.relpages > 0 THEN ceil(x.reltuples / x.relpages"
                + " * GREATEST(pg_relation_size(x.oid)"
                + " / current_setting('block_size')::bigint, x.relpages))::bigint"
                + " WHEN COALESCE(s.n_live_tup, 0) > 0 THEN s.n_live_tup"
                + " WHEN pg_relation_size(x.oid) > 0 THEN -1 ELSE 0 END AS rows,"
                + " pg_total_relation_size(x.oid) AS bytes FROM pg_catalog.pg_class x"
                + " LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = x.oid"
                + " WHERE x.oid = t.oid AND x.relkind <> 'p') r ON true GROUP BY t.name")) {
      ps.setArray(1, target.createArrayOf("text", relations.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Size(rs.getLong(2), rs.getLong(3)));
        }
      }
    }
    return out;
  }

  @Override
  public Map<String, List<String>> ancestors(Connection target, Collection<String> relations)
      throws SQLException {
    Map<String, List<String>> out = new HashMap<>();
    if (relations.isEmpty()) {
      return out;
    }
    // partitions and inheritance children alike (pg_inherits), up to the root, nearest first;
    // the depth bound only stops a catalog that is not a tree from looping
    try (PreparedStatement ps =
        target.prepareStatement(
            "WITH RECURSIVE wanted AS (SELECT c.oid, "
                + QUALIFIED
                + " AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm', 'f') AND "
                + QUALIFIED
                + " = ANY (?)), up (name, oid, depth) AS (SELECT name, oid, 0 FROM wanted"
                + " UNION ALL SELECT u.name, i.inhparent, u.depth + 1 FROM up u"
                + " JOIN pg_catalog.pg_inherits i ON i.inhrelid = u.oid WHERE u.depth < 64)"
                + " SELECT u.name, "
                + QUALIFIED
                + ", min(u.depth) FROM up u JOIN pg_catalog.pg_class c ON c.oid = u.oid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE u.depth > 0"
                + " GROUP BY 1, 2 ORDER BY 1, 3, 2")) {
      ps.setArray(1, target.createArrayOf("text", relations.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
        }
      }
    }
    return out;
  }

  @Override
  public List<String> tables(Connection target, Collection<String> ownTables, int limit)
      throws SQLException {
    String schema; // the session's own: under the catalog path current_schema() is pg_catalog
    try (Statement st = target.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_catalog.current_schema()")) {
      rs.next();
      schema = rs.getString(1);
    }
    return inCatalogPath(target, () -> readTables(target, schema, ownTables, limit));
  }

  private List<String> readTables(
      Connection target, String schema, Collection<String> ownTables, int limit)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        target.prepareStatement(
            // foreign tables and views too, and a foreign server as such: a statement on one
            // acts on rows elsewhere (postgres_fdw, dblink), so such a target is not empty
            "SELECT * FROM (SELECT "
                + QUALIFIED
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm', 'f', 'v') AND"
                + USER_NAMESPACE
                // an extension's views (pg_stat_statements in public) are the extension's
                + " AND NOT (c.relkind = 'v' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
                + " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
                + " AND d.objid = c.oid AND d.deptype = 'e'))"
                + " AND NOT (n.nspname = ?::text AND c.relname = ANY (?))"
                + " UNION ALL SELECT 'foreign server ' || quote_ident(srvname)"
                + " FROM pg_catalog.pg_foreign_server) t ORDER BY 1 LIMIT ?")) {
      ps.setString(1, schema);
      ps.setArray(2, target.createArrayOf("text", ownTables.toArray()));
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  @Override
  public List<String> schemaDumpCommand(Optional<Path> binDir, java.time.Duration lockWait) {
    return List.of(
        PgClientTools.resolve(binDir, "pg_dump"),
        // pg_dump's lock requests (ACCESS SHARE on each table) fail instead of queueing
        "--lock-wait-timeout=" + Math.max(1, lockWait.toMillis()),
        "--schema-only",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--no-tablespaces",
        "--no-password");
  }

  @Override
  public boolean dumpLockTimedOut(String clientError) {
    // pg_dump: "could not obtain lock on relation ..." (--lock-wait-timeout), or the server's
    // "canceling statement due to lock timeout" on a catalog read
    return clientError.contains("could not obtain lock on relation")
        || clientError.contains("lock timeout");
  }

  @Override
  public List<String> schemaLoadCommand(
      Optional<Path> binDir, Path dump, Path list, String database) {
    return List.of(
        PgClientTools.resolve(binDir, "pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--no-tablespaces",
        "--no-password",
        "--exit-on-error",
        "--use-list=" + list,
        "--dbname=" + database,
        dump.toString());
  }

  /** The wrapper, without handler or validator, that the copy's foreign servers are moved to. */
  static final String NO_FDW = "prodguard_no_fdw";

  /**
   * {@code <dump id>; <catalog oid> <oid> <type> ...}: the entry types a scratch copy never holds
   * (the wrapper, the server with its address, the user mapping with its credentials), and comments
   * and security labels on them. pg_restore writes one entry a line (newlines in names replaced).
   */
  private static final java.util.regex.Pattern NOT_COPIED =
      java.util.regex.Pattern.compile(
          "^\\s*\\d+;\\s+\\d+\\s+\\d+\\s+(?:(?:COMMENT|SECURITY LABEL)\\s+\\S+\\s+)?"
              + "(?:SERVER|USER MAPPING|FOREIGN DATA WRAPPER)\\s"
              // prodguard's TRUNCATE guard (G6) on a table: it would refuse the replay's TRUNCATE
              + "|^\\s*\\d+;\\s+\\d+\\s+\\d+\\s+TRIGGER\\s.*\\sprodguard_truncate_guard(?:\\s|$)");

  @Override
  public boolean copiedToScratch(String tocLine) {
    return !NOT_COPIED.matcher(tocLine).find();
  }

  @Override
  public List<String> beforeScratchLoad(List<String> servers) {
    List<String> out = new ArrayList<>();
    if (servers.isEmpty()) {
      return out; // a configured scratch server's role need not be a superuser
    }
    out.add("CREATE FOREIGN DATA WRAPPER " + NO_FDW + " NO HANDLER NO VALIDATOR");
    for (String server : servers) {
      out.add(
          "CREATE SERVER "
              + PostgresSupport.INSTANCE.quote(server)
              + " FOREIGN DATA WRAPPER "
              + NO_FDW);
    }
    return out;
  }

  @Override
  public List<String> foreignServers(Connection target) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = target.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT srvname FROM pg_catalog.pg_foreign_server ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Override
  public List<String> prepareScratch(Optional<String> owner) {
    List<String> out = new ArrayList<>();
    // the copy's own operators and functions (the target's) never answer these superuser blocks
    out.add("SET search_path = pg_catalog");
    out.add(
        "DO $pg$ DECLARE t text; BEGIN FOR t IN SELECT evtname FROM pg_catalog.pg_event_trigger"
            + " LOOP EXECUTE format('DROP EVENT TRIGGER %I', t); END LOOP; END $pg$");
    // fail closed: nothing of the copy reaches another server or carries a credential
    out.add(
        "DO $pg$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_user_mappings) OR EXISTS (SELECT 1"
            + " FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON"
            + " w.oid = s.srvfdw WHERE w.fdwname <> '"
            + NO_FDW
            + "') THEN RAISE EXCEPTION 'the schema copy holds a foreign server or user mapping';"
            + " END IF; END $pg$");
    out.add(PgScratchStubs.checkExtensions());
    owner.ifPresent(o -> out.add(giveTo(o)));
    return out;
  }

  /**
   * Every copied schema, relation, routine and type that is not an extension's is given to {@code
   * role}: the replay runs as that unprivileged owner (ALTER TABLE needs ownership), while an
   * extension's objects stay the superuser's (dblink_connect_u and the like stay out of reach).
   */
  private static String giveTo(String role) {
    String r = "'" + role.replace("'", "''") + "'";
    String userNs = " n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";
    String notExtension =
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = %s::regclass"
            + " AND e.objid = %s AND e.deptype = 'e')";
    return "DO $pg$ DECLARE o record; BEGIN"
        + " FOR o IN SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE"
        + userNs
        + String.format(notExtension, "'pg_catalog.pg_namespace'", "n.oid")
        + " LOOP EXECUTE format('ALTER SCHEMA %I OWNER TO %I', o.nspname, "
        + r
        + "); END LOOP;"
        + " FOR o IN SELECT c.oid::regclass AS rel FROM pg_catalog.pg_class c JOIN"
        + " pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v',"
        + " 'm', 'f', 'S') AND"
        + userNs
        + String.format(notExtension, "'pg_catalog.pg_class'", "c.oid")
        + " ORDER BY c.relkind = 'S' LOOP IF (SELECT relowner FROM pg_catalog.pg_class WHERE oid ="
        + " o.rel) <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = "
        + r
        + ") THEN EXECUTE format('ALTER TABLE %s OWNER TO %I', o.rel, "
        + r
        + "); END IF; END LOOP;"
        + " FOR o IN SELECT p.oid::regprocedure AS fn, p.prokind FROM pg_catalog.pg_proc p JOIN"
        + " pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE"
        + userNs
        + String.format(notExtension, "'pg_catalog.pg_proc'", "p.oid")
        + " LOOP EXECUTE format('ALTER %s %s OWNER TO %I', CASE o.prokind WHEN 'a' THEN"
        + " 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, o.fn, "
        + r
        + "); END LOOP;"
        + " FOR o IN SELECT t.oid::regtype AS ty, t.typtype FROM pg_catalog.pg_type t JOIN"
        + " pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE (t.typtype IN ('e', 'd',"
        + " 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class k WHERE k.oid ="
        + " t.typrelid AND k.relkind = 'c'))) AND"
        + userNs
        + String.format(notExtension, "'pg_catalog.pg_type'", "t.oid")
        + " LOOP EXECUTE format('ALTER %s %s OWNER TO %I', CASE o.typtype WHEN 'd' THEN 'DOMAIN'"
        + " ELSE 'TYPE' END, o.ty, "
        + r
        + "); END LOOP; END $pg$";
  }

  @Override
  public Map<String, String> routineBodies(Connection c) throws SQLException {
    Map<String, String> out = new HashMap<>();
    // a SQL-standard body (LANGUAGE sql BEGIN ATOMIC ... END, or RETURN expr; PostgreSQL 14+) is
    // kept parsed in prosqlbody and leaves prosrc empty: read it back as text, so that its calls
    // are followed like any other body's (attacker 20, finding 02)
    String source =
        c.getMetaData().getDatabaseMajorVersion() >= 14
            ? "CASE WHEN p.prosqlbody IS NOT NULL"
                + " THEN pg_catalog.pg_get_function_sqlbody(p.oid) ELSE p.prosrc END"
            : "p.prosrc";
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT lower(p.proname), "
                    + source
                    + " FROM pg_catalog.pg_proc p"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                    + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
                    + " WHERE l.lanname NOT IN ('internal', 'c') AND"
                    + USER_NAMESPACE
                    + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
                    + " WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid"
                    + " AND e.deptype = 'e')")) {
      while (rs.next()) {
        String body = rs.getString(2) == null ? "" : rs.getString(2);
        out.merge(rs.getString(1), body, (a, b) -> a + "\n" + b);
      }
    }
    return out;
  }

  /**
   * User routines: not in the server's schemas, not an extension's member (a stub the copy holds in
   * an extension's place raises when reached anyway). Whatever their volatility: an immutable
   * routine of a generated column may call a volatile one.
   */
  private static final String VOLATILE_USER_ROUTINES =
      "WITH f AS (SELECT p.oid, lower(p.proname) AS proname,"
          + " quote_ident(pn.nspname) || '.' || quote_ident(p.proname) AS qname"
          + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace"
          + " WHERE pn.nspname NOT IN ('pg_catalog', 'information_schema')"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
          + " WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid"
          + " AND e.deptype = 'e')) ";

  @Override
  public List<PerRowRoutine> perRowRoutines(Connection c, Collection<String> written)
      throws SQLException {
    Object[] tables = written.toArray();
    return catalogRead(
        c,
        VOLATILE_USER_ROUTINES
            + "SELECT 'operator', o.oprname::text, f.proname,"
            + " 'operator ' || o.oprname || ' (' || f.qname || '())'"
            + " FROM pg_catalog.pg_operator o JOIN f ON f.oid = o.oprcode"
            + " UNION ALL SELECT 'cast', pg_catalog.format_type(k.casttarget, NULL)"
            + " || ' ' || k.castcontext::text, f.proname, 'cast '"
            + " || pg_catalog.format_type(k.castsource, NULL) || ' AS '"
            + " || pg_catalog.format_type(k.casttarget, NULL) || ' (' || f.qname || '())'"
            + " FROM pg_catalog.pg_cast k JOIN f ON f.oid = k.castfunc"
            + " UNION ALL SELECT 'trigger', "
            + QUALIFIED
            + ", f.proname, 'row trigger ' || quote_ident(t.tgname) || ' on ' || "
            + QUALIFIED
            + " || ' (' || f.qname || '())'"
            + " FROM pg_catalog.pg_trigger t JOIN f ON f.oid = t.tgfoid"
            + " JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A')"
            + " AND (t.tgtype & 1) = 1 AND "
            + QUALIFIED
            + " = ANY (?)"
            + " UNION ALL SELECT 'default', "
            + QUALIFIED
            + ", f.proname, 'the default or generated expression of column ' || "
            + QUALIFIED
            + " || '.' || quote_ident(a.attname) || ' (' || f.qname || '())'"
            + " FROM pg_catalog.pg_attrdef ad"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid"
            + " AND a.attnum = ad.adnum"
            + " JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass"
            + " AND d.objid = ad.oid AND d.refclassid = 'pg_catalog.pg_proc'::regclass"
            + " JOIN f ON f.oid = d.refobjid WHERE "
            + QUALIFIED
            + " = ANY (?)",
        2,
        ps -> {
          ps.setArray(1, c.createArrayOf("text", tables));
          ps.setArray(2, c.createArrayOf("text", tables));
        },
        st -> {
          List<PerRowRoutine> out = new ArrayList<>();
          try (ResultSet rs = next(st)) {
            while (rs.next()) {
              out.add(
                  new PerRowRoutine(
                      rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
          }
          return out;
        });
  }

  @Override
  public List<String> populatedMaterializedViews(Connection target) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = target.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT "
                    + QUALIFIED
                    + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                    + " ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND c.relispopulated AND"
                    + USER_NAMESPACE
                    + " ORDER BY c.oid")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Override
  public List<String> populate(Connection replay, List<String> views, int timeoutSeconds)
      throws SQLException {
    List<String> left = new ArrayList<>(views);
    boolean autoCommit = replay.getAutoCommit();
    replay.setAutoCommit(true);
    try (Statement st = replay.createStatement()) {
      st.execute("SET statement_timeout = '" + Math.max(1, timeoutSeconds) + "s'");
      // a view that reads another one fails until that one holds data: rounds until none is filled
      boolean filled = true;
      while (filled && !left.isEmpty()) {
        filled = false;
        for (java.util.Iterator<String> it = left.iterator(); it.hasNext(); ) {
          String view = it.next();
          try {
            st.execute("REFRESH MATERIALIZED VIEW " + view);
            it.remove();
            filled = true;
          } catch (SQLException e) {
            // stays empty: a REFRESH ... CONCURRENTLY of it fails on the copy as before
          }
        }
      }
      st.execute("RESET statement_timeout");
    } finally {
      replay.setAutoCommit(autoCommit);
    }
    return left;
  }

  @Override
  public boolean insufficientPrivilege(SQLException e) {
    return "42501".equals(e.getSQLState());
  }

  @Override
  public boolean foreignTable(SQLException e) {
    return e.getMessage() != null && e.getMessage().contains(NO_FDW);
  }

  @Override
  public int majorVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int")) {
      rs.next();
      return rs.getInt(1) / 10000;
    }
  }

  /** pgjdbc puts the server's DETAIL and HINT on lines of their own after the message. */
  @Override
  public String failure(SQLException e) {
    String message = e.getMessage();
    if (message == null) {
      return "(no message)";
    }
    List<String> kept = new ArrayList<>();
    for (String line : message.split("\\R")) {
      String l = line.strip();
      if (kept.isEmpty()) {
        kept.add(l);
      } else if (l.startsWith("Detail:") || l.startsWith("Hint:")) {
        kept.add(l);
      }
    }
    return String.join("; ", kept);
  }

  /** {@code COPY ... FROM STDIN}, first word after comments and blanks. */
  private static final java.util.regex.Pattern COPY_FROM_STDIN =
      java.util.regex.Pattern.compile(
          "(?is)^(?:\\s|--[^\\n]*\\n|/\\*.*?\\*/)*COPY\\b.*\\bFROM\\s+STDIN\\b.*");

  @Override
  public void send(Statement st, String sql) throws SQLException {
    if (COPY_FROM_STDIN.matcher(sql).matches()) {
      try {
        st.getConnection()
            .unwrap(org.postgresql.PGConnection.class)
            .getCopyAPI()
            .copyIn(sql, new java.io.StringReader(""));
      } catch (java.io.IOException e) {
        throw new SQLException("COPY ... FROM STDIN on the scratch copy: " + e.getMessage(), e);
      }
      return;
    }
    st.execute(sql);
  }

  @Override
  public Optional<List<Lock>> locksOutsideTransaction(Connection c, String sql)
      throws SQLException {
    return PgOutsideTransactionLocks.of(c, sql);
  }

  @Override
  public void fireDeferred(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET CONSTRAINTS ALL IMMEDIATE");
    }
  }

  @Override
  public Optional<java.util.Set<Long>> truncated(Connection c, String sql) throws SQLException {
    return PgTruncated.of(c, sql);
  }

  @Override
  public boolean outsideTransactionOnly(SQLException e) {
    return "25001".equals(e.getSQLState());
  }

  @Override
  public List<Stub> stubs(Connection target) throws SQLException {
    return PgScratchStubs.read(target);
  }

  @Override
  public List<LoadStep> loadPlan(List<String> toc, List<Stub> stubs) {
    return PgScratchStubs.plan(toc, stubs);
  }

  @Override
  public boolean stubbed(SQLException e) {
    return e.getMessage() != null && e.getMessage().contains(PgScratchStubs.MARKER);
  }

  @Override
  public Map<String, List<String>> rowTriggers(Connection c, Collection<String> tables)
      throws SQLException {
    return inCatalogPath(
        c,
        () -> {
          Map<String, List<String>> out = new java.util.LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + QUALIFIED
                      + ", quote_ident(t.tgname) FROM pg_catalog.pg_trigger t"
                      + " JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
                      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                      + " WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A')"
                      + " AND (t.tgtype & 1) = 1 AND "
                      + QUALIFIED
                      + " = ANY (?) ORDER BY 1, 2")) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
              }
            }
          }
          return out;
        });
  }

  @Override
  public Map<String, java.util.Set<String>> notNullColumns(Connection c, Collection<String> tables)
      throws SQLException {
    return inCatalogPath(
        c,
        () -> {
          Map<String, java.util.Set<String>> out = new java.util.LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + QUALIFIED
                      + ", a.attname FROM pg_catalog.pg_attribute a"
                      + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                      + " WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND "
                      + QUALIFIED
                      + " = ANY (?) ORDER BY 1, 2")) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new java.util.LinkedHashSet<>())
                    .add(rs.getString(2).toLowerCase(java.util.Locale.ROOT));
              }
            }
          }
          return out;
        });
  }

  @Override
  public Map<String, String> tablespaces(Connection target) throws SQLException {
    return inCatalogPath(
        target,
        () -> {
          Map<String, String> out = new HashMap<>();
          try (Statement st = target.createStatement();
              ResultSet rs =
                  st.executeQuery(
                      "SELECT "
                          + QUALIFIED
                          + ", ts.spcname FROM pg_catalog.pg_class c"
                          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                          + " JOIN pg_catalog.pg_tablespace ts ON ts.oid = c.reltablespace"
                          + " WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') AND"
                          + USER_NAMESPACE
                          + " UNION ALL SELECT '', ts.spcname FROM pg_catalog.pg_database d"
                          + " JOIN pg_catalog.pg_tablespace ts ON ts.oid = d.dattablespace"
                          + " WHERE d.datname = current_database()")) {
            while (rs.next()) {
              out.put(rs.getString(1), rs.getString(2));
            }
          }
          return out;
        });
  }

  /** The savepoint {@link #relationsNamed} reads under inside a transaction. */
  private static final String NAMES_SAVEPOINT = "prodguard_probe_names";

  @Override
  public List<NamedRelation> relationsNamed(Connection c, Collection<String> names)
      throws SQLException {
    if (names.isEmpty()) {
      return List.of();
    }
    // inside the replayed migration's transaction: a failure must not abort it. The savepoint, the
    // read and the savepoint's release go in one round trip; a read that fails ends the batch
    // there (the release does not run), and the transaction is rolled back to the savepoint
    boolean inTransaction = !c.getAutoCommit();
    List<NamedRelation> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            (inTransaction ? "SAVEPOINT " + NAMES_SAVEPOINT + "; " : "")
                + "SELECT x, c.oid, c.relkind, n.nspname, c.relname"
                + " FROM pg_catalog.unnest(?::text[]) x"
                + " JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(x)"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + (inTransaction ? "; RELEASE SAVEPOINT " + NAMES_SAVEPOINT : ""))) {
      ps.setArray(1, c.createArrayOf("text", names.toArray()));
      boolean rows = ps.execute();
      if (inTransaction) {
        rows = ps.getMoreResults(); // past the SAVEPOINT's empty result
      }
      if (!rows) {
        throw new SQLException("the relation names' read returned no rows result");
      }
      try (ResultSet rs = ps.getResultSet()) {
        while (rs.next()) {
          out.add(
              new NamedRelation(
                  rs.getString(1),
                  rs.getLong(2),
                  rs.getString(3).charAt(0),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
      if (inTransaction) {
        ps.getMoreResults(); // the release's result; its failure was thrown by execute
      }
    } catch (SQLException e) {
      if (!inTransaction) {
        throw e;
      }
      try (Statement st = c.createStatement()) {
        st.execute(
            "ROLLBACK TO SAVEPOINT " + NAMES_SAVEPOINT + "; RELEASE SAVEPOINT " + NAMES_SAVEPOINT);
      } catch (SQLException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    return out;
  }
}
