package dev.prodguard.support;

import java.util.Objects;

/**
 * One object of a target's schema as its catalog describes it: the unit drift is reported in.
 *
 * @param name the object's identity, e.g. {@code table public.orders}, {@code table public.orders
 *     column note}, {@code table public.orders index orders_pkey}, {@code function
 *     public.touch(integer)}; on MySQL/MariaDB without a schema ({@code table orders column note}),
 *     the database being the scope
 * @param definition everything about it that a change would alter, in the server's canonical
 *     spelling (PostgreSQL: {@code format_type}, {@code pg_get_indexdef}, {@code
 *     pg_get_constraintdef}, {@code pg_get_triggerdef}; MySQL/MariaDB: information_schema's
 *     columns); routine bodies as their SHA-256 or MD5
 */
public record SchemaObject(String name, String definition) implements Comparable<SchemaObject> {
  /**
   * The name of the object that says which version of prodguard's catalog reading described a
   * schema; absent in descriptions of version 1. Version 2 adds, on PostgreSQL, a table's rules
   * ({@code ... rule R}), row-level security ({@code ... row security}), policies ({@code ...
   * policy P}) and unlogged storage ({@code ... storage}).
   */
  public static final String CATALOG_VERSION = "prodguard schema catalog";

  /** The object kinds catalog version 2 added: compared only against version-2 references. */
  public boolean addedInCatalog2() {
    return name.equals(CATALOG_VERSION)
        || name.contains(" rule ")
        || name.endsWith(" row security")
        || name.contains(" policy ")
        || name.endsWith(" storage");
  }

  public SchemaObject {
    Objects.requireNonNull(name);
    definition = definition == null ? "" : definition;
  }

  @Override
  public int compareTo(SchemaObject o) {
    int n = name.compareTo(o.name);
    return n != 0 ? n : definition.compareTo(o.definition);
  }
}
