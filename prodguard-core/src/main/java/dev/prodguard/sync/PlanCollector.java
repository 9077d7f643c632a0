package dev.prodguard.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts the changes of one table and keeps at most {@code sampleSize} of them for display. */
final class PlanCollector implements ChangeSink {
  private final TableShape shape;
  private final int sampleSize;
  private final long[] columnUpdates;
  private final List<Change> sample = new ArrayList<>();
  private long inserts;
  private long updates;
  private long deletes;

  PlanCollector(TableShape shape, int sampleSize) {
    this.shape = shape;
    this.sampleSize = sampleSize;
    this.columnUpdates = new long[shape.columns().size()];
  }

  @Override
  public void accept(Change c) {
    switch (c.op()) {
      case INSERT -> inserts++;
      case DELETE -> deletes++;
      case UPDATE -> {
        updates++;
        for (int i = 0; i < columnUpdates.length; i++) {
          if (c.changed(i)) {
            columnUpdates[i]++;
          }
        }
      }
    }
    if (sample.size() < sampleSize) {
      sample.add(c);
    }
  }

  TablePlan plan(SyncSpec spec, RowStream source, RowStream target) {
    Map<String, Long> perColumn = new LinkedHashMap<>();
    for (int i = 0; i < columnUpdates.length; i++) {
      perColumn.put(shape.columns().get(i).name(), columnUpdates[i]);
    }
    return new TablePlan(
        spec,
        shape,
        source.rows(),
        target.rows(),
        inserts,
        updates,
        deletes,
        perColumn,
        sample,
        source.digest(),
        target.digest());
  }
}
