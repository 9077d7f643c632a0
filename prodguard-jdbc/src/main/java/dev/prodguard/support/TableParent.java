package dev.prodguard.support;

import java.util.Locale;

/**
 * A table that is a partition or an inheritance child of another, as the server's catalog records
 * it (PostgreSQL: {@code pg_inherits}): its rows are rows of the parent (a read, {@code DELETE} or
 * {@code UPDATE} of the parent reaches them), so a partition of a protected table is protected too
 * (G4). Names are in lower case.
 */
public record TableParent(String schema, String table, String parentSchema, String parent) {

  public TableParent {
    schema = schema == null ? "" : schema.toLowerCase(Locale.ROOT);
    table = table.toLowerCase(Locale.ROOT);
    parentSchema = parentSchema == null ? "" : parentSchema.toLowerCase(Locale.ROOT);
    parent = parent.toLowerCase(Locale.ROOT);
  }
}
