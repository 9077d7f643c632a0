package dev.prodguard.sync;

import java.util.List;
import java.util.Map;

/**
 * What sync would do to one table: counts, how many updates touch each column, a bounded sample of
 * the changes for display, and digests of both sides as read (the apply re-check compares them).
 */
public record TablePlan(
    SyncSpec spec,
    TableShape shape,
    long sourceRows,
    long targetRows,
    long inserts,
    long updates,
    long deletes,
    Map<String, Long> columnUpdates,
    List<Change> sample,
    String sourceDigest,
    String targetDigest) {

  public TablePlan {
    columnUpdates =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columnUpdates));
    sample = List.copyOf(sample);
  }

  public String table() {
    return spec.table();
  }

  public long changes() {
    return inserts + updates + deletes;
  }

  /** More changes exist than the sample shows. */
  public boolean truncated() {
    return changes() > sample.size();
  }
}
