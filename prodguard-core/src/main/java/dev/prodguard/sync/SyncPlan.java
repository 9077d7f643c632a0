package dev.prodguard.sync;

import dev.prodguard.jdbc.DatabaseMetadata;
import java.util.List;

/** The whole plan of a sync run, per table, with the identities it was computed against. */
public record SyncPlan(
    String from,
    String to,
    DatabaseMetadata source,
    DatabaseMetadata target,
    String contractSha256,
    List<TablePlan> tables) {

  public SyncPlan {
    tables = List.copyOf(tables);
  }

  public long inserts() {
    return tables.stream().mapToLong(TablePlan::inserts).sum();
  }

  public long updates() {
    return tables.stream().mapToLong(TablePlan::updates).sum();
  }

  public long deletes() {
    return tables.stream().mapToLong(TablePlan::deletes).sum();
  }

  public long changes() {
    return inserts() + updates() + deletes();
  }

  public TablePlan table(String name) {
    return tables.stream()
        .filter(t -> t.table().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no table " + name + " in the plan"));
  }
}
