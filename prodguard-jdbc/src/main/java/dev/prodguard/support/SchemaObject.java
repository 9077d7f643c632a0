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
   * schema ({@link #CURRENT_CATALOG}); absent in descriptions of version 1. Version 2 adds, on
   * PostgreSQL, a table's rules ({@code ... rule R}), row-level security ({@code ... row
   * security}), policies ({@code ... policy P}) and unlogged storage ({@code ... storage}). Version
   * 3 adds, each only where present so that a schema without them describes as before: composite
   * types ({@code composite type T}), disabled internal triggers ({@code ... internal triggers}),
   * inheritance ({@code ... inherits}), storage and view options ({@code ... options}), view column
   * defaults ({@code view V column C}), replica identity ({@code ... replica identity}),
   * publications, user operators, sequences with other than default options, database and role
   * settings, user text search configurations, default privileges, event triggers, the owner of a
   * {@code SECURITY DEFINER} routine ({@code ... owner}), on MySQL/MariaDB events. Version 4 adds
   * objects whose names start with one of {@link #CATALOG4_PREFIXES}: prodguard's own routines
   * (whether each is as prodguard installs it) and any trigger, rule or policy on prodguard's own
   * tables other than prodguard's; column order, view owners, foreign servers, user mappings (a
   * digest of their options), foreign table servers and options, aggregate definitions,
   * subscriptions, extensions with a digest of their members; on MySQL/MariaDB routine parameters,
   * definers and {@code sql_mode}, view options, partitioning and table options, ignored indexes
   * and sequences. Version 5 adds, on PostgreSQL, the objects whose names start with one of {@link
   * #CATALOG5_PREFIXES}: collations by identity (each column's collation schema-qualified, each
   * collation's provider and locales), and the server-wide settings and attributes of the roles
   * that matter to the database. Version 6 adds, on PostgreSQL, the objects whose names start with
   * one of {@link #CATALOG6_PREFIXES}: the settings {@code ALTER ROLE ALL SET} gives every role,
   * the settings and attributes of roles that matter to the database only through a column's or a
   * type's privileges, and what a publication sends beyond its tables (its schemas, each table's
   * column list and row filter, whether it publishes through the partitioned root).
   */
  public static final String CATALOG_VERSION = "prodguard schema catalog";

  /** The catalog version prodguard reads today. */
  public static final int CURRENT_CATALOG = 6;

  /**
   * How the names of the objects catalog version 4 added begin: a fixed word of prodguard's, never
   * a name a user chose, so an object's version cannot be faked by naming a column {@code columns}.
   */
  public static final java.util.List<String> CATALOG4_PREFIXES =
      java.util.List.of(
          "prodguard function ",
          "prodguard procedure ",
          "prodguard table ",
          "columns of ",
          "owner of ",
          "foreign server ",
          "foreign data wrapper ",
          "user mapping ",
          "server of ",
          "definition of ",
          "subscription ",
          "extension ",
          "parameters of ",
          "definer of ",
          "partitioning of ",
          "options of ",
          "ignored index ",
          "sequence options ",
          "cast ");

  /**
   * How the names of the objects catalog version 5 added begin, on PostgreSQL: {@code collations of
   * table T} (its columns' collations, schema-qualified), {@code collation S.C} (its definition),
   * {@code role R settings} and {@code role R attributes} (the server-wide settings and security
   * attributes of the roles that matter to the database). Compared from the first reference
   * recorded under version 5 on.
   */
  public static final java.util.List<String> CATALOG5_PREFIXES =
      java.util.List.of("collations of ", "collation ", "role ");

  /**
   * How the names of the objects catalog version 6 added begin, on PostgreSQL: {@code settings of
   * every role} ({@code ALTER ROLE ALL SET}: {@code pg_db_role_setting} with {@code setrole = 0,
   * setdatabase = 0}), {@code grantee R settings} and {@code grantee R attributes} (a role that
   * matters to the database only through a column's or a type's privileges, or as a member of such
   * a role), {@code members of publication P} (its schemas, column lists, row filters, {@code
   * publish_via_partition_root}). Checked before the older prefixes ({@code settings } is catalog
   * 3's). Compared from the first reference recorded under version 6 on.
   */
  public static final java.util.List<String> CATALOG6_PREFIXES =
      java.util.List.of("settings of every role", "grantee ", "members of publication ");

  /**
   * What a description says of prodguard's own routine that is exactly as prodguard installs it.
   */
  public static final String AS_INSTALLED = "as prodguard installs it";

  /**
   * The object a catalog-4 aspect describes ({@code columns of table public.t} describes {@code
   * table public.t}, {@code definer of event e} describes {@code event e}, {@code ignored index i
   * on table t} describes {@code table t index i}); empty for any other object.
   */
  public java.util.Optional<String> subject() {
    for (String p :
        java.util.List.of(
            "columns of ",
            "owner of ",
            "server of ",
            "definition of ",
            "parameters of ",
            "definer of ",
            "partitioning of ",
            "options of ",
            "collations of ")) {
      if (name.startsWith(p)) {
        return java.util.Optional.of(name.substring(p.length()));
      }
    }
    if (name.startsWith("sequence options ")) {
      return java.util.Optional.of("table " + name.substring("sequence options ".length()));
    }
    int on = name.lastIndexOf(" on table ");
    if (name.startsWith("ignored index ") && on > 0) {
      return java.util.Optional.of(
          "table "
              + name.substring(on + " on table ".length())
              + " index "
              + name.substring("ignored index ".length(), on));
    }
    return java.util.Optional.empty();
  }

  /**
   * Whether this catalog-4 object is compared against a reference recorded by an earlier catalog:
   * only what is never legitimate (a trigger, rule or policy on prodguard's own tables, prodguard's
   * own routine not as prodguard installs it). Every other kind added in version 4 describes
   * objects a reviewed deploy may have made before the upgrade (every table has a column order), so
   * it is compared from the first reference recorded under version 4 on: otherwise every unchanged
   * schema would show as drift after the upgrade.
   */
  public boolean comparedAgainstOlderCatalog() {
    if (catalogVersion() < 4) {
      return true;
    }
    if (catalogVersion() >= 5) {
      return false;
    }
    return name.startsWith("prodguard table ")
        || ((name.startsWith("prodguard function ") || name.startsWith("prodguard procedure "))
            && !definition.startsWith(AS_INSTALLED));
  }

  /** The object kinds catalog version 2 added: compared only against version-2 references. */
  public boolean addedInCatalog2() {
    return catalogVersion() == 2;
  }

  /**
   * The catalog version that first listed objects of this kind: 1 for tables, columns, indexes,
   * constraints, routines, triggers, enums and domains.
   */
  public int catalogVersion() {
    if (name.equals(CATALOG_VERSION)) {
      return 2;
    }
    for (String p : CATALOG6_PREFIXES) {
      if (name.startsWith(p)) {
        return 6;
      }
    }
    for (String p : CATALOG5_PREFIXES) {
      if (name.startsWith(p)) {
        return 5;
      }
    }
    for (String p : CATALOG4_PREFIXES) {
      if (name.startsWith(p)) {
        return 4;
      }
    }
    if (name.startsWith("composite type ")
        || name.endsWith(" internal triggers")
        || name.endsWith(" inherits")
        || name.endsWith(" options")
        || (name.startsWith("view ") && name.contains(" column "))
        || name.endsWith(" replica identity")
        || name.startsWith("publication ")
        || name.startsWith("operator ")
        || name.startsWith("sequence ")
        || name.startsWith("settings ")
        || name.startsWith("text search configuration ")
        || name.startsWith("default privileges ")
        || name.startsWith("event trigger ")
        || name.startsWith("event ")
        || name.endsWith(" owner")) {
      return 3;
    }
    if (name.contains(" rule ")
        || name.endsWith(" row security")
        || name.contains(" policy ")
        || name.endsWith(" storage")) {
      return 2;
    }
    return 1;
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
