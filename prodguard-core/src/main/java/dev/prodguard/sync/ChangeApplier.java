package dev.prodguard.sync;

import dev.prodguard.support.sync.SyncDialect;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes spilled changes and records each in the change log, inside the caller's transaction.
 * Deletes first (last table first, so children go before their parents), then updates, then inserts
 * (first table first): the order that least trips unique and foreign keys.
 */
final class ChangeApplier {
  private ChangeApplier() {}

  /** Counts per table: insert, update, delete. */
  static Map<String, long[]> writeAll(
      Connection c,
      SyncDialect d,
      List<TableShape> shapes,
      Spill spill,
      ChangeLog.Recorder log,
      String environment,
      String action,
      boolean invert)
      throws SQLException, IOException {
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (TableShape s : shapes) {
      counts.putIfAbsent(s.table(), new long[3]);
    }
    List<Integer> forward = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      forward.add(i);
    }
    List<Integer> backward = new ArrayList<>(forward);
    Collections.reverse(backward);
    write(
        c, d, shapes, spill, log, environment, action, invert, Change.Op.DELETE, backward, counts);
    write(c, d, shapes, spill, log, environment, action, invert, Change.Op.UPDATE, forward, counts);
    write(c, d, shapes, spill, log, environment, action, invert, Change.Op.INSERT, forward, counts);
    log.flush();
    return counts;
  }

  private static void write(
      Connection c,
      SyncDialect d,
      List<TableShape> shapes,
      Spill spill,
      ChangeLog.Recorder log,
      String environment,
      String action,
      boolean invert,
      Change.Op op,
      List<Integer> order,
      Map<String, long[]> counts)
      throws SQLException, IOException {
    for (int i : order) {
      TableShape shape = shapes.get(i);
      long[] n = counts.get(shape.table());
      try (Spill.Reader in = spill.reader(i, shape);
          ChangeWriter w = new ChangeWriter(c, d, shape, environment, action, invert)) {
        for (Change ch = in.next(); ch != null; ch = in.next()) {
          Change eff = invert ? ch.inverse() : ch;
          if (eff.op() != op) {
            continue;
          }
          if (!invert && op == Change.Op.DELETE) {
            // keep the whole row, not only the carried columns: a revert re-inserts it exactly
            Object[] whole = w.read(shape.full(), eff.key());
            w.write(eff);
            log.record(shape.full(), new Change(Change.Op.DELETE, eff.key(), whole, null));
          } else {
            w.write(eff);
            log.record(shape, eff);
          }
          n[op == Change.Op.INSERT ? 0 : op == Change.Op.UPDATE ? 1 : 2]++;
        }
        w.flush();
      }
    }
  }
}
