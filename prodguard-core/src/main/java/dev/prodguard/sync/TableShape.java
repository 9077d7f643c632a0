package dev.prodguard.sync;

import java.util.List;

/**
 * A sync table as both databases have it: key columns with their comparison kinds and ORDER BY
 * expressions, and the other columns carried.
 */
public record TableShape(
    String table,
    List<Column> keys,
    List<KeyKind> keyKinds,
    List<String> orderBy,
    List<Column> columns) {
  public TableShape {
    keys = List.copyOf(keys);
    keyKinds = List.copyOf(keyKinds);
    orderBy = List.copyOf(orderBy);
    columns = List.copyOf(columns);
  }

  public List<String> keyNames() {
    return keys.stream().map(Column::name).toList();
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** Compares two keys column by column. */
  int compareKeys(String[] a, String[] b) {
    for (int i = 0; i < a.length; i++) {
      int c = keyKinds.get(i).compare(a[i], b[i]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
