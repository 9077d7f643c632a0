package dev.prodguard.support.postgresql;

import dev.prodguard.support.SchemaObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Catalog version 4 ({@link SchemaObject#CURRENT_CATALOG}) on PostgreSQL, read in the same
 * read-only transaction as the rest ({@link PgSchemaCatalog}): prodguard's own routines (as
 * installed or changed), what is on prodguard's own tables besides prodguard's own triggers, and
 * what changes behaviour without changing a column's description: column order, owners of views and
 * of tables under row security, foreign servers, user mappings (a digest of their options, never
 * the text: they hold passwords), foreign tables' servers and options, aggregates' definitions,
 * subscriptions, extensions with a digest of their members, user casts. Every object's name starts
 * with one of {@link SchemaObject#CATALOG4_PREFIXES}.
 */
final class PgSchemaCatalog4 {
  private PgSchemaCatalog4() {}

  /** An option list with the values of secret-looking options replaced by their SHA-256. */
  private static String options(String column) {
    return "COALESCE((SELECT string_agg(CASE WHEN o.option_name ~* '(pass|secret|token|key|cred)'"
        + " THEN o.option_name || ' sha256 ' || encode(pg_catalog.sha256(convert_to("
        + "o.option_value, 'UTF8')), 'hex') ELSE o.option_name || '=' || o.option_value END, ', '"
        + " ORDER BY o.option_name) FROM pg_catalog.pg_options_to_table("
        + column
        + ") o), '')";
  }

  /**
   * Adds the version 4 queries to {@code q}; prodguard's own routines (checked against the bodies
   * prodguard released, in Java) are read at once into {@code out}.
   *
   * @param conninfo whether the credential may read subscriptions' connection strings
   */
  static void read(
      Connection c,
      PgCatalogReads q,
      List<SchemaObject> out,
      String rel,
      String schema,
      Array own,
      boolean conninfo)
      throws SQLException {
    ownRoutines(c, out, schema);
    ownTableObjects(q, schema, own);
    String relation =
        "CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '"
            + " WHEN 'f' THEN 'foreign table ' ELSE 'table ' END"
            + " || quote_ident(r.nspname) || '.' || quote_ident(r.relname)";
    // column order: a column dropped and added again moves to the end (INSERT without a column
    // list, COPY and SELECT * then put values in other columns)
    q.add(
        rel
            + "SELECT 'columns of ' || "
            + relation
            + ", string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)"
            + " FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid"
            + " WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p', 'f')"
            + " GROUP BY r.relkind, r.nspname, r.relname",
        schema,
        own);
    // a view reads its tables with its owner's rights (a superuser owner bypasses row security)
    q.add(
        rel
            + "SELECT 'owner of ' || "
            + relation
            + ", quote_ident(pg_catalog.pg_get_userbyid(k.relowner))"
            + " FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid"
            + " WHERE r.relkind IN ('v', 'm')",
        schema,
        own);
    q.add(
        rel
            + "SELECT 'server of ' || "
            + relation
            + ", quote_ident(s.srvname) || ' options ' || "
            + options("f.ftoptions")
            + " || COALESCE((SELECT ' columns ' || string_agg(quote_ident(a.attname) || ' ' || "
            + options("a.attfdwoptions")
            + ", '; ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = r.oid"
            + " AND a.attnum > 0 AND NOT a.attisdropped AND a.attfdwoptions IS NOT NULL), '')"
            + " FROM r JOIN pg_catalog.pg_foreign_table f ON f.ftrelid = r.oid"
            + " JOIN pg_catalog.pg_foreign_server s ON s.oid = f.ftserver",
        schema,
        own);
    q.add(
        "SELECT 'foreign server ' || quote_ident(s.srvname), 'wrapper ' || quote_ident(w.fdwname)"
            + " || COALESCE(' type ' || s.srvtype, '') || COALESCE(' version ' || s.srvversion, '')"
            + " || ' owner ' || quote_ident(pg_catalog.pg_get_userbyid(s.srvowner))"
            + " || ' options ' || "
            + options("s.srvoptions")
            + " FROM pg_catalog.pg_foreign_server s"
            + " JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw"
            + PgSchemaCatalog.notExtension("pg_catalog.pg_foreign_server", "s.oid")
                .replaceFirst(" AND ", " WHERE "));
    q.add(
        "SELECT 'foreign data wrapper ' || quote_ident(w.fdwname), COALESCE('handler '"
            + " || w.fdwhandler::regprocedure::text, 'no handler') || COALESCE(' validator '"
            + " || w.fdwvalidator::regprocedure::text, '') || ' options ' || "
            + options("w.fdwoptions")
            + " FROM pg_catalog.pg_foreign_data_wrapper w"
            + PgSchemaCatalog.notExtension("pg_catalog.pg_foreign_data_wrapper", "w.oid")
                .replaceFirst(" AND ", " WHERE "));
    // user mappings hold passwords: their options are described by name and one digest only
    q.add(
        "SELECT 'user mapping for ' || CASE WHEN u.umuser = 0 THEN 'public'"
            + " ELSE quote_ident(u.usename) END || ' server ' || quote_ident(u.srvname),"
            + " 'options ' || COALESCE((SELECT string_agg(o.option_name, ', '"
            + " ORDER BY o.option_name) FROM pg_catalog.pg_options_to_table(u.umoptions) o), '')"
            + " || ' sha256 ' || encode(pg_catalog.sha256(convert_to(COALESCE(array_to_string("
            + "u.umoptions, chr(10)), ''), 'UTF8')), 'hex')"
            + " FROM pg_catalog.pg_user_mappings u");
    // an aggregate's routine body is a placeholder: its definition is in pg_aggregate
    q.add(
        "SELECT 'definition of aggregate ' || quote_ident(n.nspname) || '.'"
            + " || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid)"
            + " || ')', concat_ws(' ', 'kind ' || g.aggkind::text, 'sfunc ' || g.aggtransfn::text,"
            + " 'stype ' || format_type(g.aggtranstype, NULL), 'finalfunc ' || NULLIF("
            + "g.aggfinalfn::oid, 0)::regproc::text, 'combinefunc ' || NULLIF(g.aggcombinefn::oid,"
            + " 0)::regproc::text, 'serialfunc ' || NULLIF(g.aggserialfn::oid, 0)::regproc::text,"
            + " 'deserialfunc ' || NULLIF(g.aggdeserialfn::oid, 0)::regproc::text,"
            + " 'msfunc ' || NULLIF(g.aggmtransfn::oid, 0)::regproc::text,"
            + " 'minvfunc ' || NULLIF(g.aggminvtransfn::oid, 0)::regproc::text,"
            + " 'mfinalfunc ' || NULLIF(g.aggmfinalfn::oid, 0)::regproc::text,"
            + " CASE WHEN g.aggfinalextra THEN 'finalfunc_extra' END,"
            + " 'finalmodify ' || g.aggfinalmodify::text, 'sortop ' || NULLIF(g.aggsortop, 0)::regoper::text,"
            + " 'initcond ' || quote_literal(g.agginitval), 'minitcond ' || quote_literal("
            + "g.aggminitval))"
            + " FROM pg_catalog.pg_aggregate g JOIN pg_catalog.pg_proc p ON p.oid = g.aggfnoid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE"
            + PgSchemaCatalog.userObject("p.oid")
            + PgSchemaCatalog.notExtension("pg_catalog.pg_proc", "p.oid"));
    subscriptions(q, conninfo);
    roles(q); // catalog 5 (and 6's grantees): a query of its own, see roles() below
    publications(q, c.getMetaData().getDatabaseMajorVersion()); // catalog 6
    // an extension's members: a member function replaced by hand (CREATE OR REPLACE keeps it a
    // member) or an object added to the extension by hand changes the digest
    q.add(
        "SELECT 'extension ' || quote_ident(x.extname), 'version ' || x.extversion || ' schema '"
            + " || quote_ident(xn.nspname) || ' members sha256 ' || encode(pg_catalog.sha256("
            + "convert_to(COALESCE((SELECT string_agg(m.d, chr(10) ORDER BY m.d) FROM (SELECT"
            + " pg_describe_object(d.classid, d.objid, 0) || COALESCE(' ' || (SELECT md5(CASE"
            + " WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE p.prosrc || ' '"
            + " || pg_get_function_result(p.oid) END) FROM pg_catalog.pg_proc p"
            + " WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = d.objid),"
            + " '') AS d FROM pg_catalog.pg_depend d"
            + " WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
            + " AND d.refobjid = x.oid AND d.deptype = 'e') m), ''), 'UTF8')), 'hex')"
            + " FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace xn"
            + " ON xn.oid = x.extnamespace");
    q.add(
        "SELECT 'cast (' || format_type(k.castsource, NULL) || ' as '"
            + " || format_type(k.casttarget, NULL) || ')', CASE k.castmethod WHEN 'f' THEN"
            + " 'function ' || k.castfunc::regprocedure::text WHEN 'i' THEN 'inout' ELSE"
            + " 'binary' END || ' context ' || k.castcontext::text"
            + " FROM pg_catalog.pg_cast k WHERE k.oid >= 16384"
            + PgSchemaCatalog.notExtension("pg_catalog.pg_cast", "k.oid"));
  }

  /**
   * {@link #ownTableObjects} in the connection's current schema, where prodguard keeps its tables.
   */
  static List<SchemaObject> ownTableIntruders(Connection c, java.util.Collection<String> own)
      throws SQLException {
    String schema;
    try (PreparedStatement ps = c.prepareStatement("SELECT current_schema()");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      schema = rs.getString(1) == null ? "" : rs.getString(1);
    }
    List<SchemaObject> found = new java.util.ArrayList<>();
    PgCatalogReads q = new PgCatalogReads(null);
    ownTableObjects(q, schema, c.createArrayOf("text", own.toArray()));
    q.run(c, found);
    return found;
  }

  /**
   * What is on prodguard's own tables besides prodguard's own triggers: triggers, rules, policies,
   * row security. prodguard creates none of them, and each would run with prodguard's own writes
   * (verify's audit row): listed as {@code prodguard table ...}, empty when there are none. Runs in
   * the caller's transaction, whatever its search path.
   */
  static void ownTableObjects(PgCatalogReads q, String schema, Array own) {
    String ownRel =
        "WITH r AS (SELECT k.oid, n.nspname, k.relname FROM pg_catalog.pg_class k"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace"
            + " WHERE n.nspname = ? AND k.relname = ANY (?) AND k.relkind IN ('r', 'p')) ";
    String ownTable =
        "'prodguard table ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname)";
    // a trigger on prodguard's own tables fires on prodguard's own writes (verify's audit row)
    q.add(
        ownRel
            + "SELECT "
            + ownTable
            + " || ' trigger ' || quote_ident(g.tgname), pg_get_triggerdef(g.oid)"
            + " || ' enabled ' || g.tgenabled::text"
            + " FROM r JOIN pg_catalog.pg_trigger g ON g.tgrelid = r.oid"
            + " WHERE NOT g.tgisinternal AND NOT "
            + PgOwnObjects.isOwnTrigger("?", "?"),
        schema,
        own,
        schema,
        own,
        own,
        schema);
    q.add(
        ownRel
            + "SELECT "
            + ownTable
            + " || ' rule ' || quote_ident(w.rulename), pg_get_ruledef(w.oid)"
            + " FROM r JOIN pg_catalog.pg_rewrite w ON w.ev_class = r.oid",
        schema,
        own);
    q.add(
        ownRel
            + "SELECT "
            + ownTable
            + " || ' policy ' || quote_ident(o.polname), o.polcmd::text"
            + " || COALESCE(' using (' || pg_get_expr(o.polqual, o.polrelid) || ')', '')"
            + " || COALESCE(' with check (' || pg_get_expr(o.polwithcheck, o.polrelid) || ')', '')"
            + " FROM r JOIN pg_catalog.pg_policy o ON o.polrelid = r.oid",
        schema,
        own);
    q.add(
        ownRel
            + "SELECT "
            + ownTable
            + " || ' row security', 'enabled' FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid"
            + " WHERE k.relrowsecurity OR k.relforcerowsecurity",
        schema,
        own);
  }

  /**
   * prodguard's own routines ({@link PgOwnObjects#FUNCTIONS}, in prodguard's schema): {@link
   * SchemaObject#AS_INSTALLED} when the body is one prodguard installs, else the MD5 of its
   * definition; with security, owner (of a {@code SECURITY DEFINER} one) and settings. A guard made
   * a no-op by {@code CREATE OR REPLACE} is drift.
   */
  private static void ownRoutines(Connection c, List<SchemaObject> out, String schema)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 'prodguard function ' || quote_ident(n.nspname) || '.' || p.proname || '('"
                + " || pg_catalog.oidvectortypes(p.proargtypes) || ')', p.proname,"
                + " md5(p.prosrc), md5(pg_get_functiondef(p.oid)), p.prosecdef,"
                + " quote_ident(pg_catalog.pg_get_userbyid(p.proowner)),"
                + " array_to_string(p.proconfig, ', ')"
                + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = ? AND p.proname || '('"
                + " || pg_catalog.oidvectortypes(p.proargtypes) || ')' = ANY (?)")) {
      ps.setString(1, schema);
      ps.setArray(2, c.createArrayOf("text", PgOwnObjects.FUNCTIONS.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          boolean known =
              PgOwnObjects.KNOWN_BODIES
                  .getOrDefault(rs.getString(2), Set.of())
                  .contains(rs.getString(3));
          String def =
              (known
                      ? SchemaObject.AS_INSTALLED
                      : "changed outside prodguard: md5 " + rs.getString(4))
                  + (rs.getBoolean(5) ? ", security definer, owner " + rs.getString(6) : "")
                  + (rs.getString(7) == null ? "" : ", set " + rs.getString(7));
          out.add(new SchemaObject(rs.getString(1), def));
        }
      }
    }
  }

  /**
   * Subscriptions of this database: another server's changes applied here as a replica. The
   * connection string (it may hold a password) only as a digest, and only where the credential may
   * read it.
   */
  private static void subscriptions(PgCatalogReads q, boolean conninfo) {
    q.add(
        "SELECT 'subscription ' || quote_ident(s.subname), concat_ws(' ', 'enabled '"
            + " || s.subenabled, 'publications ' || array_to_string(s.subpublications, ', '),"
            + " 'slot ' || COALESCE(s.subslotname::text, 'none'), 'owner '"
            + " || quote_ident(pg_catalog.pg_get_userbyid(s.subowner))"
            + (conninfo
                ? ", 'connection sha256 ' || encode(pg_catalog.sha256(convert_to(s.subconninfo,"
                    + " 'UTF8')), 'hex')"
                : "")
            + ") FROM pg_catalog.pg_subscription s WHERE s.subdbid = (SELECT d.oid"
            + " FROM pg_catalog.pg_database d WHERE d.datname = current_database())");
  }

  // ---------------------------------------------------------------- catalog 5: roles (h19c)

  /**
   * Catalog version 5 ({@link SchemaObject#CATALOG5_PREFIXES}): the server-wide settings ({@code
   * ALTER ROLE r SET ...}: {@code pg_db_role_setting} rows with {@code setdatabase = 0}) and the
   * security attributes (superuser, bypassrls, createrole, createdb, replication) of the roles that
   * matter to this database: the current user, the database's owner, the owners of its schemas,
   * relations, routines and types, the grantees of their privileges and of the database's, the
   * predefined roles that read or write every table ({@code pg_read_all_data}, {@code
   * pg_write_all_data}), and every role that is a member of one of those, directly or not (it
   * inherits or may assume their rights). Such a setting applies to every session of the role on
   * this database: {@code session_replication_role = replica} turns foreign keys and triggers off,
   * {@code search_path} redirects every unqualified name. Listed as {@code role R settings} and
   * {@code role R attributes}, each only where the role has any, so that creating a role changes
   * nothing until it is given one. One query of its own, kept apart from the others.
   */
  private static void roles(PgCatalogReads q) {
    q.add(
        "WITH RECURSIVE d AS (SELECT oid, datdba, datacl FROM pg_catalog.pg_database"
            + " WHERE datname = current_database()),"
            + " base(oid) AS ("
            + "SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user"
            + " OR r.rolname IN ('pg_read_all_data', 'pg_write_all_data')"
            + " UNION SELECT datdba FROM d"
            + " UNION SELECT (aclexplode(datacl)).grantee FROM d WHERE datacl IS NOT NULL"
            + " UNION SELECT n.nspowner FROM pg_catalog.pg_namespace n"
            + " WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
            + " UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_catalog.pg_namespace n"
            + " WHERE n.nspacl IS NOT NULL AND n.nspname <> 'information_schema'"
            + " AND n.nspname NOT LIKE 'pg\\_%'"
            + " UNION SELECT k.relowner FROM pg_catalog.pg_class k WHERE k.oid >= 16384"
            + " UNION SELECT (aclexplode(k.relacl)).grantee FROM pg_catalog.pg_class k"
            + " WHERE k.oid >= 16384 AND k.relacl IS NOT NULL"
            + " UNION SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid >= 16384"
            + " UNION SELECT (aclexplode(p.proacl)).grantee FROM pg_catalog.pg_proc p"
            + " WHERE p.oid >= 16384 AND p.proacl IS NOT NULL"
            + " UNION SELECT t.typowner FROM pg_catalog.pg_type t WHERE t.oid >= 16384),"
            + " matter(oid) AS (SELECT oid FROM base WHERE oid <> 0"
            + " UNION SELECT m.member FROM pg_catalog.pg_auth_members m"
            + " JOIN matter ON m.roleid = matter.oid),"
            // catalog 6: the grantees of columns' and types' privileges, and their members
            + " base6(oid) AS (SELECT (aclexplode(a.attacl)).grantee"
            + " FROM pg_catalog.pg_attribute a WHERE a.attrelid >= 16384 AND a.attnum > 0"
            + " AND a.attacl IS NOT NULL"
            + " UNION SELECT (aclexplode(t.typacl)).grantee FROM pg_catalog.pg_type t"
            + " WHERE t.oid >= 16384 AND t.typacl IS NOT NULL),"
            + " more(oid) AS (SELECT oid FROM base6 WHERE oid <> 0"
            + " UNION SELECT m.member FROM pg_catalog.pg_auth_members m"
            + " JOIN more ON m.roleid = more.oid),"
            + " every(oid, kind) AS (SELECT oid, 'role ' FROM matter"
            + " UNION ALL SELECT oid, 'grantee ' FROM more"
            + " WHERE oid NOT IN (SELECT oid FROM matter))"
            + " SELECT e.kind || quote_ident(r.rolname) || ' settings',"
            + " (SELECT string_agg(x, ', ' ORDER BY x) FROM unnest(s.setconfig) x)"
            + " FROM every e JOIN pg_catalog.pg_roles r ON r.oid = e.oid"
            + " JOIN pg_catalog.pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0"
            + " WHERE cardinality(s.setconfig) > 0"
            + " UNION ALL SELECT e.kind || quote_ident(r.rolname) || ' attributes',"
            + " concat_ws(', ', CASE WHEN r.rolsuper THEN 'superuser' END,"
            + " CASE WHEN r.rolbypassrls THEN 'bypassrls' END,"
            + " CASE WHEN r.rolcreaterole THEN 'createrole' END,"
            + " CASE WHEN r.rolcreatedb THEN 'createdb' END,"
            + " CASE WHEN r.rolreplication THEN 'replication' END)"
            + " FROM every e JOIN pg_catalog.pg_roles r ON r.oid = e.oid"
            + " WHERE r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb"
            + " OR r.rolreplication"
            // catalog 6: ALTER ROLE ALL SET applies to every session of every role, here too
            + " UNION ALL SELECT 'settings of every role',"
            + " (SELECT string_agg(x, ', ' ORDER BY x) FROM unnest(s.setconfig) x)"
            + " FROM pg_catalog.pg_db_role_setting s WHERE s.setrole = 0 AND s.setdatabase = 0"
            + " AND cardinality(s.setconfig) > 0");
  }

  // ---------------------------------------------------------------- catalog 6: publications

  /**
   * Catalog version 6 ({@link SchemaObject#CATALOG6_PREFIXES}): what a publication sends beyond the
   * tables catalog 3 lists ({@code publication P}, unchanged so that no older reference shows false
   * drift): the schemas it publishes whole ({@code FOR TABLES IN SCHEMA}, {@code
   * pg_publication_namespace}, PostgreSQL 15+), each table's column list ({@code prattrs}) and row
   * filter ({@code prqual}), and {@code publish_via_partition_root} (13+). Listed as {@code members
   * of publication P}, only where any of these is set. {@code major}: the server's major version.
   */
  static void publications(PgCatalogReads q, int major) {
    if (major < 13) {
      return;
    }
    String more =
        major >= 15
            ? ", 'schemas ' || (SELECT string_agg(quote_ident(n.nspname), ', '"
                + " ORDER BY n.nspname) FROM pg_catalog.pg_publication_namespace pn"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid"
                + " WHERE pn.pnpubid = p.oid),"
                + " 'tables ' || (SELECT string_agg(pr.prrelid::regclass::text"
                + " || COALESCE(' (' || (SELECT string_agg(quote_ident(a.attname), ', '"
                + " ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = pr.prrelid"
                + " AND a.attnum = ANY (pr.prattrs::pg_catalog.int2[])) || ')', '')"
                + " || COALESCE(' where ' || pg_catalog.pg_get_expr(pr.prqual, pr.prrelid), ''),"
                + " ', ' ORDER BY pr.prrelid::regclass::text)"
                + " FROM pg_catalog.pg_publication_rel pr WHERE pr.prpubid = p.oid"
                + " AND (pr.prattrs IS NOT NULL OR pr.prqual IS NOT NULL))"
            : "";
    q.add(
        "SELECT n, v FROM (SELECT 'members of publication ' || quote_ident(p.pubname) AS n,"
            + " concat_ws('; ', CASE WHEN p.pubviaroot THEN 'via partition root' END"
            + more
            + ") AS v FROM pg_catalog.pg_publication p) x WHERE v <> ''");
  }

  // ---------------------------------------------------------------- end of catalog 5

  private static void query(Connection c, List<SchemaObject> out, String sql, Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new SchemaObject(rs.getString(1), rs.getString(2)));
        }
      }
    }
  }
}
