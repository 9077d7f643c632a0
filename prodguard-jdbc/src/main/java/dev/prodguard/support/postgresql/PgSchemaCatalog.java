package dev.prodguard.support.postgresql;

import dev.prodguard.support.SchemaObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
   * prodguard's own routines and triggers (guards, audit, history guard), by exact name: left out
   * of the description only under these names, in prodguard's schema, and for a trigger only when
   * it calls one of them. Anything else named {@code prodguard_*} is the schema's like any object
   * (a pattern on the prefix hid a hand-made {@code prodguard_evil} trigger from drift).
   */
  static final java.util.Set<String> OWN_NAMES =
      java.util.Set.of(
          "prodguard_assert_deploy",
          "prodguard_audit_append_only",
          "prodguard_audit_no_change",
          "prodguard_audit_no_delete",
          "prodguard_audit_no_truncate",
          "prodguard_audit_no_update",
          "prodguard_ddl_guard",
          "prodguard_ddl_guard_drop",
          "prodguard_guard_check",
          "prodguard_guard_triggers",
          "prodguard_history_guard",
          "prodguard_history_no_delete",
          "prodguard_history_no_insert",
          "prodguard_history_no_update",
          "prodguard_mark_stale",
          "prodguard_owner_write",
          "prodguard_register_session");

  /** User schemas: not the system's, not temporary or TOAST. */
  private static final String USER_NAMESPACE =
      " n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
          + " AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

  /** Not a member of an extension (its objects belong to the extension's version). */
  private static String notExtension(String catalog, String oid) {
    return " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '"
        + catalog
        + "'::pg_catalog.regclass AND e.objid = "
        + oid
        + " AND e.deptype = 'e')";
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
    String schema;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_schema()")) {
      rs.next();
      schema = rs.getString(1) == null ? "" : rs.getString(1);
    }
    if (!autoCommit) {
      throw new IllegalStateException("the schema is read in its own transaction: autocommit only");
    }
    c.setAutoCommit(false);
    try {
      try (Statement st = c.createStatement()) {
        st.execute("SET TRANSACTION READ ONLY");
        st.execute("SET LOCAL search_path = pg_catalog");
      }
      List<SchemaObject> out = new ArrayList<>();
      Array own = c.createArrayOf("text", ownTables.toArray());
      // one statement: the relations in scope are read once (a CTE referenced by several parts is
      // materialized) and the whole description is planned once, instead of eleven statements
      // that each planned and ran RELATIONS again (three reads per promoted target)
      String rel = "WITH r AS (" + RELATIONS + ") ";
      List<String> parts = new ArrayList<>();
      List<Object> params = new ArrayList<>(List.of(schema, own));
      String table = "'table ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname)";
      part(
          parts,
          params,
          "SELECT CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '"
              + " WHEN 'f' THEN 'foreign table ' ELSE 'table ' END"
              + " || quote_ident(r.nspname) || '.' || quote_ident(r.relname),"
              + " CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid)"
              + " WHEN r.relkind = 'p' THEN 'partitioned by ' || pg_get_partkeydef(r.oid)"
              + " ELSE '' END"
              + " || COALESCE((SELECT ' partition of ' || p.inhparent::regclass::text || ' '"
              + " || pg_get_expr(k.relpartbound, k.oid) FROM pg_catalog.pg_class k"
              + " JOIN pg_catalog.pg_inherits p ON p.inhrelid = k.oid"
              + " WHERE k.oid = r.oid AND k.relispartition), '')"
              + " FROM r");
      part(
          parts,
          params,
          "SELECT "
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
              + " WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p', 'f')");
      part(
          parts,
          params,
          "SELECT "
              + table
              + " || ' index ' || quote_ident(ic.relname), pg_get_indexdef(i.indexrelid)"
              + " FROM r JOIN pg_catalog.pg_index i ON i.indrelid = r.oid"
              + " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid");
      part(
          parts,
          params,
          "SELECT "
              + table
              + " || ' constraint ' || quote_ident(k.conname), pg_get_constraintdef(k.oid)"
              + " FROM r JOIN pg_catalog.pg_constraint k ON k.conrelid = r.oid");
      part(
          parts,
          params,
          "SELECT "
              + table
              + " || ' trigger ' || quote_ident(g.tgname),"
              + " pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text"
              + " FROM r JOIN pg_catalog.pg_trigger g ON g.tgrelid = r.oid"
              + " WHERE NOT g.tgisinternal AND NOT (g.tgname = ANY (?) AND EXISTS (SELECT 1"
              + " FROM pg_catalog.pg_proc gp JOIN pg_catalog.pg_namespace gn"
              + " ON gn.oid = gp.pronamespace WHERE gp.oid = g.tgfoid AND gp.proname = ANY (?)"
              + " AND gn.nspname = ?))",
          c.createArrayOf("text", OWN_NAMES.toArray()),
          c.createArrayOf("text", OWN_NAMES.toArray()),
          schema);
      // catalog 2: what changes a table's behaviour without changing its columns (rules, row-level
      // security and its policies, unlogged storage); each only where present, so that a schema
      // without them describes as before
      out.add(new SchemaObject(SchemaObject.CATALOG_VERSION, "2"));
      part(
          parts,
          params,
          "SELECT "
              + table
              + " || ' rule ' || quote_ident(w.rulename), pg_get_ruledef(w.oid)"
              + " || CASE w.ev_enabled WHEN 'D' THEN ' disabled' WHEN 'R' THEN ' replica'"
              + " WHEN 'A' THEN ' always' ELSE '' END"
              + " FROM r JOIN pg_catalog.pg_rewrite w ON w.ev_class = r.oid"
              + " WHERE w.rulename <> '_RETURN'");
      part(
          parts,
          params,
          "SELECT "
              + table
              + " || ' row security', CASE WHEN k.relforcerowsecurity THEN 'enabled, forced'"
              + " ELSE 'enabled' END"
              + " FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid WHERE k.relrowsecurity"
              + " OR k.relforcerowsecurity");
      part(
          parts,
          params,
          "SELECT "
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
              + " FROM r JOIN pg_catalog.pg_policy o ON o.polrelid = r.oid");
      part(
          parts,
          params,
          "SELECT "
              + table
              + " || ' storage', 'unlogged'"
              + " FROM r JOIN pg_catalog.pg_class k ON k.oid = r.oid WHERE k.relpersistence = 'u'");
      part(
          parts,
          params,
          "SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate '"
              + " WHEN 'w' THEN 'window function ' ELSE 'function ' END"
              + " || quote_ident(n.nspname) || '.' || quote_ident(p.proname)"
              + " || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
              + " 'md5 ' || md5(CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid)"
              + " ELSE p.prosrc || ' ' || pg_get_function_result(p.oid) END)"
              + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n"
              + " ON n.oid = p.pronamespace WHERE"
              + USER_NAMESPACE
              + notExtension("pg_catalog.pg_proc", "p.oid")
              + " AND NOT (p.proname = ANY (?) AND n.nspname = ?)",
          c.createArrayOf("text", OWN_NAMES.toArray()),
          schema);
      part(
          parts,
          params,
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
      StringBuilder sql = new StringBuilder(rel);
      for (int i = 0; i < parts.size(); i++) {
        sql.append(i == 0 ? "" : " UNION ALL ").append('(').append(parts.get(i)).append(')');
      }
      query(c, out, sql.toString(), params.toArray());
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

  /** One part of the description: a query of (name, definition) rows and its parameters. */
  private static void part(List<String> parts, List<Object> params, String sql, Object... own) {
    parts.add(sql);
    params.addAll(List.of(own));
  }

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
