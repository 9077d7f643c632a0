package dev.prodguard.support.postgresql;

import dev.prodguard.support.SchemaObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * PostgreSQL's schema description for drift ({@link dev.prodguard.support.SchemaCatalog}): {@code
 * pg_class}, {@code pg_attribute}, {@code pg_index}, {@code pg_constraint}, {@code pg_proc}, {@code
 * pg_trigger}, {@code pg_type}, printed with the server's own deparsers ({@code pg_get_indexdef},
 * {@code pg_get_constraintdef}, {@code pg_get_triggerdef}, {@code pg_get_functiondef}). The read
 * runs with {@code search_path = pg_catalog} in a read-only transaction, so every name comes out
 * schema-qualified whatever the session's own path.
 */
final class PgSchemaCatalog {
  private PgSchemaCatalog() {}

  /**
   * prodguard's own routines, by name and argument types ({@link PgOwnObjects#FUNCTIONS}): left out
   * of the routines only exactly so, in prodguard's schema (an overload is the schema's like any
   * object), and described on their own (catalog 4: whether each is as prodguard installs it).
   */
  private static final String OWN_FUNCTION =
      "p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' = ANY (?)";

  /**
   * prodguard's event triggers, exactly: name, event, its routine, its tags (none, but for the
   * TRUNCATE guard's keeper on the commands that create a table). {@code ?}: prodguard's schema,
   * twice.
   */
  private static final String OWN_EVENT_TRIGGER =
      "((e.evtname, e.evtevent) IN (('prodguard_ddl_guard', 'ddl_command_start'),"
          + " ('prodguard_ddl_guard_drop', 'sql_drop')) AND e.evttags IS NULL"
          + " AND e.evtfoid = pg_catalog.to_regprocedure(quote_ident(?) || '.prodguard_ddl_guard()'))"
          + " OR (e.evtname = 'prodguard_ddl_guard_end' AND e.evtevent = 'ddl_command_end'"
          + " AND e.evttags::text[] = ARRAY['CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO']"
          + " AND e.evtfoid = pg_catalog.to_regprocedure(quote_ident(?)"
          + " || '.prodguard_truncate_guard_keep()'))";

  /** User schemas: not the system's, not temporary or TOAST. */
  private static final String USER_NAMESPACE =
      " n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
          + " AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

  /**
   * Not a member of an extension (its objects belong to the extension's version). An object made
   * after the server was initialised ({@code oid >= 16384}, PostgreSQL's first normal object id) is
   * never taken for a member of an extension installed by {@code initdb} ({@code plpgsql}): {@code
   * ALTER EXTENSION plpgsql ADD FUNCTION ...} hid a hand-made overload from drift.
   */
  static String notExtension(String catalog, String oid) {
    return " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
        + " JOIN pg_catalog.pg_extension x ON x.oid = e.refobjid"
        + " WHERE e.classid = '"
        + catalog
        + "'::pg_catalog.regclass AND e.objid = "
        + oid
        + " AND e.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
        + " AND e.deptype = 'e' AND NOT (x.oid < 16384 AND "
        + oid
        + " >= 16384))";
  }

  /** A user schema, or an object a user made in a system schema (superusers can). */
  static String userObject(String oid) {
    return " (("
        + USER_NAMESPACE
        + ") OR (n.nspname IN ('pg_catalog', 'information_schema') AND "
        + oid
        + " >= 16384))";
  }

  /** Relations in scope; {@code ?} is prodguard's schema, {@code ?} its table names. */
  private static final String RELATIONS =
      "SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND"
          + USER_NAMESPACE
          + notExtension("pg_catalog.pg_class", "c.oid")
          + " AND NOT (n.nspname = ? AND c.relname = ANY (?))";

  static List<SchemaObject> read(Connection c, Collection<String> ownTables) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    if (!autoCommit) {
      throw new IllegalStateException("the schema is read in its own transaction: autocommit only");
    }
    String schema;
    boolean conninfo;
    // the session's schema (prodguard's tables) and whether the credential may read subscriptions'
    // connection strings, in one round trip
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.current_schema(), pg_catalog.has_column_privilege("
                    + "'pg_catalog.pg_subscription', 'subconninfo', 'SELECT')")) {
      rs.next();
      schema = rs.getString(1) == null ? "" : rs.getString(1);
      conninfo = rs.getBoolean(2);
    }
    c.setAutoCommit(false);
    try {
      try (Statement st = c.createStatement()) {
        // a generic plan: the session's next read binds the plan this one makes (PgCatalogReads);
        // plan_cache_mode is PostgreSQL 12's (the driver knows the version without a round trip)
        st.execute(
            "SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog"
                + (c.getMetaData().getDatabaseMajorVersion() >= 12
                    ? "; SET LOCAL plan_cache_mode = force_generic_plan"
                    : ""));
      }
      List<SchemaObject> out = new ArrayList<>();
      Array own = c.createArrayOf("text", ownTables.toArray());
      String rel = "WITH r AS (" + RELATIONS + ") ";
      PgCatalogReads q = new PgCatalogReads(rel, schema, own).reusedBySession();
      String table = "'table ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname)";
      q.add(
          rel
              + "SELECT CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '"
              + " WHEN 'f' THEN 'foreign table ' ELSE 'table ' END"
              + " || quote_ident(r.nspname) || '.' || quote_ident(r.relname),"
              + " CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid)"
              + " WHEN r.relkind = 'p' THEN 'partitioned by ' || pg_get_partkeydef(r.oid)"
              + " ELSE '' END"
              + " || COALESCE((SELECT ' partition of ' || p.inhparent::regclass::text || ' '"
              + " || pg_get_expr(k.relpartbound, k.oid) FROM pg_catalog.pg_class k"
              + " JOIN pg_catalog.pg_inherits p ON p.inhrelid = k.oid"
              + " WHERE k.oid = r.oid AND k.relispartition), '')"
              + " FROM r",
          schema,
          own);
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' column ' || quote_ident(a.attname),"
              + " format_type(a.atttypid, a.atttypmod)"
              + " || CASE WHEN a.attcollation <> t.typcollation"
              + " THEN ' collate ' || (SELECT quote_ident(co.collname)"
              + " FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) ELSE '' END"
              + " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
              + " || CASE a.attidentity WHEN 'a' THEN ' generated always as identity'"
              + " WHEN 'd' THEN ' generated by default as identity' ELSE '' END"
              + " || CASE WHEN a.attgenerated = 's' THEN ' generated always as ('"
              + " || pg_get_expr(d.adbin, d.adrelid) || ') stored'"
              + " WHEN d.adbin IS NOT NULL THEN ' default ' || pg_get_expr(d.adbin, d.adrelid)"
              + " ELSE '' END"
              + " FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid"
              + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
              + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
              + " WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p', 'f')",
          schema,
          own);
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' index ' || quote_ident(ic.relname), pg_get_indexdef(i.indexrelid)"
              + " FROM r JOIN pg_catalog.pg_index i ON i.indrelid = r.oid"
              + " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid",
          schema,
          own);
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' constraint ' || quote_ident(k.conname), pg_get_constraintdef(k.oid)"
              + " FROM r JOIN pg_catalog.pg_constraint k ON k.conrelid = r.oid",
          schema,
          own);
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' trigger ' || quote_ident(g.tgname),"
              + " pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text"
              + " FROM r JOIN pg_catalog.pg_trigger g ON g.tgrelid = r.oid"
              + " WHERE NOT g.tgisinternal AND NOT "
              + PgOwnObjects.isOwnTrigger("?", "?"),
          schema,
          own,
          schema,
          own,
          own,
          schema);
      // catalog 2: what changes a table's behaviour without changing its columns (rules, row-level
      // security and its policies, unlogged storage); each only where present, so that a schema
      // without them describes as before
      out.add(
          new SchemaObject(
              SchemaObject.CATALOG_VERSION, String.valueOf(SchemaObject.CURRENT_CATALOG)));
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' rule ' || quote_ident(w.rulename), pg_get_ruledef(w.oid)"
              + " || CASE w.ev_enabled WHEN 'D' THEN ' disabled' WHEN 'R' THEN ' replica'"
              + " WHEN 'A' THEN ' always' ELSE '' END"
              + " FROM r JOIN pg_catalog.pg_rewrite w ON w.ev_class = r.oid"
              + " WHERE w.rulename <> '_RETURN'",
          schema,
          own);
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' row security', CASE WHEN k.relforcerowsecurity THEN 'enabled, forced'"
              + " ELSE 'enabled' END"
              + " FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid WHERE k.relrowsecurity"
              + " OR k.relforcerowsecurity",
          schema,
          own);
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' policy ' || quote_ident(o.polname),"
              + " CASE WHEN o.polpermissive THEN 'permissive' ELSE 'restrictive' END"
              + " || ' for ' || CASE o.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert'"
              + " WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END"
              + " || ' to ' || COALESCE((SELECT string_agg(CASE WHEN x = 0 THEN 'public'"
              + " ELSE quote_ident(pg_catalog.pg_get_userbyid(x)) END, ', ' ORDER BY x)"
              + " FROM unnest(o.polroles) x), '')"
              + " || COALESCE(' using (' || pg_get_expr(o.polqual, o.polrelid) || ')', '')"
              + " || COALESCE(' with check (' || pg_get_expr(o.polwithcheck, o.polrelid) || ')', '')"
              + " FROM r JOIN pg_catalog.pg_policy o ON o.polrelid = r.oid",
          schema,
          own);
      q.add(
          rel
              + "SELECT "
              + table
              + " || ' storage', 'unlogged'"
              + " FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid WHERE k.relpersistence = 'u'",
          schema,
          own);
      q.add(
          "SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate '"
              + " WHEN 'w' THEN 'window function ' ELSE 'function ' END"
              + " || quote_ident(n.nspname) || '.' || quote_ident(p.proname)"
              + " || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
              + " 'md5 ' || md5(CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid)"
              + " ELSE p.prosrc || ' ' || pg_get_function_result(p.oid) END)"
              + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n"
              + " ON n.oid = p.pronamespace WHERE"
              + userObject("p.oid")
              + notExtension("pg_catalog.pg_proc", "p.oid")
              + " AND NOT ("
              + OWN_FUNCTION
              + " AND n.nspname = ?)",
          c.createArrayOf("text", PgOwnObjects.FUNCTIONS.toArray()),
          schema);
      catalog3(c, q, rel, table, schema, own);
      PgSchemaCatalog4.read(c, q, out, rel, schema, own, conninfo);
      // catalog 5 (collations by identity) reads on its own round trips, beside the batch
      PgSchemaCatalog5.read(c, out, rel, schema, own);
      q.add(
          "SELECT CASE t.typtype WHEN 'e' THEN 'enum ' ELSE 'domain ' END"
              + " || quote_ident(n.nspname) || '.' || quote_ident(t.typname),"
              + " CASE WHEN t.typtype = 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel),"
              + " ', ' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)"
              + " ELSE format_type(t.typbasetype, t.typtypmod)"
              + " || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END"
              + " || COALESCE(' default ' || t.typdefault, '')"
              + " || COALESCE((SELECT ' ' || string_agg(pg_get_constraintdef(k.oid), ' '"
              + " ORDER BY k.conname) FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid),"
              + " '') END"
              + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n"
              + " ON n.oid = t.typnamespace WHERE t.typtype IN ('e', 'd') AND"
              + USER_NAMESPACE
              + notExtension("pg_catalog.pg_type", "t.oid"));
      q.run(c, out);
      c.commit();
      Collections.sort(out);
      return out;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * Catalog version 3 ({@link SchemaObject#CURRENT_CATALOG}): what changes behaviour or data
   * without changing columns, constraints, routines or triggers, each listed only where present (a
   * schema without them describes as under version 2).
   */
  private static void catalog3(
      Connection c, PgCatalogReads q, String rel, String table, String schema, Array own)
      throws SQLException {
    String relation =
        "CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '"
            + " WHEN 'f' THEN 'foreign table ' ELSE 'table ' END"
            + " || quote_ident(r.nspname) || '.' || quote_ident(r.relname)";
    // composite types: ALTER TYPE ... DROP ATTRIBUTE deletes a field from every stored value
    q.add(
        "SELECT 'composite type ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname),"
            + " (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid,"
            + " a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
            + " WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)"
            + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n"
            + " ON n.oid = t.typnamespace JOIN pg_catalog.pg_class k ON k.oid = t.typrelid"
            + " WHERE t.typtype = 'c' AND k.relkind = 'c' AND"
            + userObject("t.oid")
            + notExtension("pg_catalog.pg_type", "t.oid"));
    // DISABLE TRIGGER ALL switches off the foreign keys' own (internal) triggers
    q.add(
        rel
            + "SELECT "
            + table
            + " || ' internal triggers', 'disabled: ' || string_agg(DISTINCT"
            + " COALESCE(k.conname, g.tgname), ', ')"
            + " FROM r JOIN pg_catalog.pg_trigger g ON g.tgrelid = r.oid"
            + " LEFT JOIN pg_catalog.pg_constraint k ON k.oid = g.tgconstraint"
            + " WHERE g.tgisinternal AND g.tgenabled <> 'O' GROUP BY r.nspname, r.relname",
        schema,
        own);
    // inheritance outside partitioning: a parent's queries read the children's rows
    q.add(
        rel
            + "SELECT "
            + table
            + " || ' inherits', string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)"
            + " FROM r JOIN pg_catalog.pg_inherits i ON i.inhrelid = r.oid"
            + " JOIN pg_catalog.pg_class k ON k.oid = r.oid WHERE NOT k.relispartition"
            + " GROUP BY r.nspname, r.relname",
        schema,
        own);
    // storage and view options: autovacuum_enabled, fillfactor, check_option, security_barrier
    q.add(
        rel
            + "SELECT "
            + relation
            + " || ' options', array_to_string(k.reloptions, ', ')"
            + " FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid WHERE k.reloptions IS NOT NULL",
        schema,
        own);
    // defaults on view columns (ALTER VIEW ... ALTER COLUMN ... SET DEFAULT)
    q.add(
        rel
            + "SELECT 'view ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname)"
            + " || ' column ' || quote_ident(a.attname), 'default ' || pg_get_expr(d.adbin,"
            + " d.adrelid) FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid"
            + " JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE r.relkind = 'v' AND a.attnum > 0",
        schema,
        own);
    // REPLICA IDENTITY NOTHING on a published table makes every UPDATE and DELETE fail
    q.add(
        rel
            + "SELECT "
            + table
            + " || ' replica identity', CASE k.relreplident WHEN 'n' THEN 'nothing'"
            + " WHEN 'f' THEN 'full' ELSE 'index ' || COALESCE((SELECT quote_ident(ic.relname)"
            + " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
            + " WHERE x.indrelid = k.oid AND x.indisreplident), '?') END"
            + " FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid"
            + " WHERE r.relkind IN ('r', 'p') AND k.relreplident <> 'd'",
        schema,
        own);
    q.add(
        "SELECT 'publication ' || quote_ident(p.pubname), concat_ws(' ', CASE WHEN"
            + " p.puballtables THEN 'all tables' END, 'insert ' || p.pubinsert, 'update '"
            + " || p.pubupdate, 'delete ' || p.pubdelete, 'truncate ' || p.pubtruncate,"
            + " (SELECT 'tables ' || string_agg(pr.prrelid::regclass::text, ', '"
            + " ORDER BY pr.prrelid::regclass::text) FROM pg_catalog.pg_publication_rel pr"
            + " WHERE pr.prpubid = p.oid)) FROM pg_catalog.pg_publication p");
    // a user operator can change what '=' means for a type
    q.add(
        "SELECT 'operator ' || quote_ident(n.nspname) || '.' || o.oprname || '('"
            + " || CASE WHEN o.oprleft = 0 THEN 'none' ELSE format_type(o.oprleft, NULL) END"
            + " || ', ' || CASE WHEN o.oprright = 0 THEN 'none' ELSE format_type(o.oprright, NULL)"
            + " END || ')', o.oprcode::regprocedure::text || ' returns '"
            + " || format_type(o.oprresult, NULL)"
            + " FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n"
            + " ON n.oid = o.oprnamespace WHERE"
            + userObject("o.oid")
            + notExtension("pg_catalog.pg_operator", "o.oid"));
    // sequences whose options are not the defaults (MAXVALUE 2 CYCLE makes inserts collide)
    q.add(
        "SELECT 'sequence ' || quote_ident(n.nspname) || '.' || quote_ident(k.relname),"
            + " concat_ws(' ', 'as ' || format_type(s.seqtypid, NULL), 'increment '"
            + " || s.seqincrement, 'min ' || s.seqmin, 'max ' || s.seqmax, 'start ' || s.seqstart,"
            + " 'cache ' || s.seqcache, CASE WHEN s.seqcycle THEN 'cycle' END)"
            + " FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class k ON k.oid = s.seqrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace WHERE"
            + userObject("k.oid")
            + notExtension("pg_catalog.pg_class", "k.oid")
            + " AND NOT (s.seqincrement = 1 AND s.seqmin = 1 AND s.seqstart = 1"
            + " AND s.seqcache = 1 AND NOT s.seqcycle AND s.seqmax = CASE s.seqtypid"
            + " WHEN 'pg_catalog.int2'::pg_catalog.regtype THEN 32767"
            + " WHEN 'pg_catalog.int4'::pg_catalog.regtype THEN 2147483647"
            + " ELSE 9223372036854775807 END)");
    // ALTER DATABASE ... SET (also IN DATABASE for one role): session_replication_role = replica
    // turns triggers and foreign keys off for every new session. A role's settings for every
    // database (ALTER ROLE ... SET) are described by catalog 5, for the roles that matter to this
    // database (PgSchemaCatalog4.roles).
    q.add(
        "SELECT 'settings database' || CASE WHEN s.setrole = 0 THEN '' ELSE ', role '"
            + " || quote_ident(pg_catalog.pg_get_userbyid(s.setrole)) END,"
            + " array_to_string(s.setconfig, ', ') FROM pg_catalog.pg_db_role_setting s"
            + " WHERE s.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d"
            + " WHERE d.datname = current_database())");
    q.add(
        "SELECT 'text search configuration ' || quote_ident(n.nspname) || '.'"
            + " || quote_ident(f.cfgname), 'md5 ' || md5(COALESCE((SELECT string_agg("
            + " m.maptokentype || ':' || m.mapseqno || ':' || m.mapdict::regdictionary::text, ','"
            + " ORDER BY m.maptokentype, m.mapseqno) FROM pg_catalog.pg_ts_config_map m"
            + " WHERE m.mapcfg = f.oid), ''))"
            + " FROM pg_catalog.pg_ts_config f JOIN pg_catalog.pg_namespace n"
            + " ON n.oid = f.cfgnamespace WHERE"
            + userObject("f.oid")
            + notExtension("pg_catalog.pg_ts_config", "f.oid"));
    // event triggers other than prodguard's own DDL guard
    q.add(
        "SELECT 'event trigger ' || quote_ident(e.evtname), e.evtevent || ' '"
            + " || e.evtfoid::regprocedure::text || ' enabled ' || e.evtenabled::text"
            + " || COALESCE(' tags ' || array_to_string(e.evttags, ', '), '')"
            + " FROM pg_catalog.pg_event_trigger e WHERE NOT ("
            + OWN_EVENT_TRIGGER
            + ")",
        schema,
        schema);
    // a SECURITY DEFINER routine runs with its owner's rights: a new owner changes what it may do
    q.add(
        "SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END"
            + " || quote_ident(n.nspname) || '.' || quote_ident(p.proname)"
            + " || '(' || pg_get_function_identity_arguments(p.oid) || ') owner',"
            + " quote_ident(pg_catalog.pg_get_userbyid(p.proowner))"
            + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n"
            + " ON n.oid = p.pronamespace WHERE p.prosecdef AND"
            + userObject("p.oid")
            + notExtension("pg_catalog.pg_proc", "p.oid")
            + " AND NOT ("
            + OWN_FUNCTION
            + " AND n.nspname = ?)",
        c.createArrayOf("text", PgOwnObjects.FUNCTIONS.toArray()),
        schema);
  }
}
