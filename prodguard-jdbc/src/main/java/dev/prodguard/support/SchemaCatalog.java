package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * Facet: the canonical description of a target's schema, read from the catalog only (PostgreSQL
 * {@code pg_catalog}; MySQL/MariaDB {@code information_schema}), for drift detection: tables and
 * views, columns (type, nullability, default, identity or generation), indexes, constraints,
 * routines, triggers (and their enabled state), and on PostgreSQL enum types and domains.
 *
 * <p>Left out: prodguard's own objects exactly ({@code ownTables}, in the schema or database
 * prodguard keeps them; its own triggers by name, table and definition; its own routines by name
 * and argument types, described on their own as installed or changed), the members of an extension
 * one by one (PostgreSQL: the extension's digest covers them), and what is not schema: rows (the
 * migration history table's included), sequence values, statistics, grants and most ownership
 * (docs/drift.md). The same schema gives the same list on the same server, whatever the session's
 * {@code search_path}.
 */
public interface SchemaCatalog {

  /**
   * Every object of the schema, sorted by name; one read-only transaction of catalog queries (no
   * table is scanned).
   *
   * @param ownTables prodguard's tables ({@link DatabaseObjects#TABLES}), left out with their
   *     columns, indexes, constraints and triggers
   */
  List<SchemaObject> schemaObjects(Connection c, Collection<String> ownTables) throws SQLException;

  /**
   * What is on prodguard's own tables that prodguard did not put there (a trigger, a rule, a
   * policy), as the description lists it ({@code prodguard table ...}); empty when nothing is. Each
   * would run with prodguard's own writes, so nothing is written while one is there. Catalog reads
   * in the caller's transaction, whatever its search path.
   */
  default List<SchemaObject> ownTableIntruders(Connection c, Collection<String> ownTables)
      throws SQLException {
    return List.of();
  }
}
