package dev.prodguard.sync;

import java.util.List;

/**
 * One table a sync run may write, as the contract allows it (possibly narrowed by {@code
 * --column}): key columns, the other columns carried, whether deletes are allowed, the ceiling.
 */
public record SyncSpec(
    String table, List<String> key, List<String> columns, boolean deleteAllowed, long maxRows) {
  public SyncSpec {
    key = List.copyOf(key);
    columns = List.copyOf(columns);
  }
}
