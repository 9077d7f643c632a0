package dev.prodguard.support;

import java.util.Locale;

/**
 * An object a table's rows depend on, as the server's catalog records it (PostgreSQL: {@code
 * pg_trigger}, {@code pg_attribute}/{@code pg_type}, {@code pg_depend}): changing it changes what
 * happens to the table's rows without naming the table. Names are in lower case.
 *
 * @param kind {@code FUNCTION} (a trigger function of the table), {@code TYPE} (an enum, composite
 *     or range type of a column), {@code DOMAIN} (a column's domain) or {@code SEQUENCE} (owned by
 *     the table or used by a column default)
 */
public record TableDependency(
    String kind, String schema, String name, String tableSchema, String table) {

  public TableDependency {
    kind = kind.toUpperCase(Locale.ROOT);
    schema = schema == null ? "" : schema.toLowerCase(Locale.ROOT);
    name = name.toLowerCase(Locale.ROOT);
    tableSchema = tableSchema == null ? "" : tableSchema.toLowerCase(Locale.ROOT);
    table = table.toLowerCase(Locale.ROOT);
  }
}
