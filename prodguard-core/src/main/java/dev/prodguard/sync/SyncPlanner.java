package dev.prodguard.sync;

import dev.prodguard.jdbc.DatabaseMetadata;
import dev.prodguard.support.sync.SyncDialect;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans a sync: streams both sides of every table in key order from read-only snapshots and
 * merge-joins them. Heap use is one row per side plus the display sample, whatever the table size.
 */
final class SyncPlanner {
  private SyncPlanner() {}

  static SyncPlan plan(
      SyncDialect d,
      SyncShapes.Side source,
      DatabaseMetadata sourceMetadata,
      SyncShapes.Side target,
      DatabaseMetadata targetMetadata,
      List<SyncSpec> specs,
      String contractSha256,
      int sampleSize)
      throws SQLException {
    List<TablePlan> tables = new ArrayList<>();
    try (Snapshot s = Snapshot.begin(source.connection());
        Snapshot t = Snapshot.begin(target.connection())) {
      for (SyncSpec spec : specs) {
        TableShape shape = SyncShapes.describe(d, spec, source, target);
        tables.add(planTable(d, spec, shape, source, target, sampleSize));
      }
    }
    return new SyncPlan(
        source.environment(),
        target.environment(),
        sourceMetadata,
        targetMetadata,
        contractSha256,
        tables);
  }

  private static TablePlan planTable(
      SyncDialect d,
      SyncSpec spec,
      TableShape shape,
      SyncShapes.Side source,
      SyncShapes.Side target,
      int sampleSize)
      throws SQLException {
    try (RowStream src =
            RowStream.open(source.connection(), d, shape, source.environment(), false);
        RowStream tgt =
            RowStream.open(target.connection(), d, shape, target.environment(), false)) {
      PlanCollector collector = new PlanCollector(shape, sampleSize);
      TableDiff.run(shape, src, tgt, collector);
      return collector.plan(spec, src, tgt);
    } catch (IOException e) {
      throw new IllegalStateException(e); // the collector does no I/O
    }
  }
}
