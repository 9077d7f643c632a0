package dev.prodguard.sync;

import dev.prodguard.support.sync.Column;
import dev.prodguard.support.sync.KeyKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A sync table as both databases have it: key columns with their comparison kinds and ORDER BY
 * expressions, the columns carried, and the target's other (writable) columns, which a deleted
 * row's before-image keeps so that a revert puts back the whole row.
 */
public record TableShape(
    String table,
    List<Column> keys,
    List<KeyKind> keyKinds,
    List<String> orderBy,
    List<Column> columns,
    List<Column> others) {
  public TableShape {
    keys = List.copyOf(keys);
    keyKinds = List.copyOf(keyKinds);
    orderBy = List.copyOf(orderBy);
    columns = List.copyOf(columns);
    others = List.copyOf(others);
  }

  public List<String> keyNames() {
    return keys.stream().map(Column::name).toList();
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** The same table with every writable column carried: the shape of a whole row. */
  TableShape full() {
    List<Column> all = new ArrayList<>(columns);
    all.addAll(others);
    return new TableShape(table, keys, keyKinds, orderBy, all, List.of());
  }

  /** The whole-row shape limited to {@code names} (the columns a stored image has). */
  TableShape fullRestrictedTo(Set<String> names) {
    TableShape f = full();
    List<Column> cols = f.columns.stream().filter(c -> names.contains(c.name())).toList();
    return new TableShape(table, keys, keyKinds, orderBy, cols, List.of());
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
