package dev.prodguard.support.postgresql;

import dev.prodguard.support.SchemaObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Catalog version 5 ({@link SchemaObject#CURRENT_CATALOG}) on PostgreSQL, read in the same
 * read-only transaction as the rest ({@link PgSchemaCatalog}): collations by identity. A column's
 * description names its collation by bare name (catalog 1), so a same-named collation of another
 * schema put in its place, or a collation dropped and created again with another locale or
 * provider, was no drift. Listed, each only where present: {@code collations of table T} (each
 * column whose collation is not its type's default, with the collation schema-qualified) and {@code
 * collation S.C} (provider, locales, determinism, rules: every column of {@code pg_collation} but
 * its oid, name, schema, owner and the library version, which an operating system upgrade changes)
 * for every collation a user column uses and every collation of a user schema. Every object's name
 * starts with one of {@link SchemaObject#CATALOG5_PREFIXES}.
 */
final class PgSchemaCatalog5 {
  private PgSchemaCatalog5() {}

  static void read(Connection c, List<SchemaObject> out, String rel, String schema, Array own)
      throws SQLException {
    String used =
        " FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid"
            + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
            + " JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
            + " JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
            + " WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attcollation <> t.typcollation";
    query(
        c,
        out,
        rel
            + "SELECT 'collations of table ' || quote_ident(r.nspname) || '.'"
            + " || quote_ident(r.relname), string_agg(quote_ident(a.attname) || ' '"
            + " || quote_ident(cn.nspname) || '.' || quote_ident(co.collname), ', '"
            + " ORDER BY a.attnum)"
            + used
            + " GROUP BY r.nspname, r.relname",
        schema,
        own);
    query(
        c,
        out,
        rel
            + ", u AS (SELECT DISTINCT co.oid"
            + used
            + ") SELECT 'collation ' || quote_ident(n.nspname) || '.' || quote_ident(co.collname),"
            + " (pg_catalog.to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner'"
            + " - 'collversion')::text FROM pg_catalog.pg_collation co"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace"
            + " WHERE co.oid IN (SELECT oid FROM u) OR (n.nspname NOT IN ('pg_catalog',"
            + " 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
            + PgSchemaCatalog.notExtension("pg_catalog.pg_collation", "co.oid")
            + ")",
        schema,
        own);
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
