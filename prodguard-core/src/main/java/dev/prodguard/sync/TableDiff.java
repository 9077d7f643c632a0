package dev.prodguard.sync;

import java.io.IOException;
import java.sql.SQLException;

/** Merge join of two key-ordered streams into inserts, updates and deletes. */
final class TableDiff {
  private TableDiff() {}

  static void run(TableShape shape, RowStream source, RowStream target, ChangeSink sink)
      throws SQLException, IOException {
    RowStream.Row s = source.next();
    RowStream.Row t = target.next();
    while (s != null || t != null) {
      int c = s == null ? 1 : t == null ? -1 : shape.compareKeys(s.key(), t.key());
      if (c < 0) {
        sink.accept(new Change(Change.Op.INSERT, s.key(), null, s.values()));
        s = source.next();
      } else if (c > 0) {
        sink.accept(new Change(Change.Op.DELETE, t.key(), t.values(), null));
        t = target.next();
      } else {
        if (!Values.sameRow(s.values(), t.values())) {
          // the target's key text addresses the row (numeric keys may differ in scale only)
          sink.accept(new Change(Change.Op.UPDATE, t.key(), t.values(), s.values()));
        }
        s = source.next();
        t = target.next();
      }
    }
  }
}
