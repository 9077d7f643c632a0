package dev.prodguard.sync;

/**
 * One row change. Values are {@code String} (the type's text form), {@code byte[]} (binary columns)
 * or null (SQL NULL), in the order of {@link TableShape#columns()}.
 *
 * @param key the key as text
 * @param before the target row before the change (null for an insert)
 * @param after the row after the change (null for a delete)
 */
public record Change(Op op, String[] key, Object[] before, Object[] after) {

  public enum Op {
    INSERT,
    UPDATE,
    DELETE;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The same change undone: what a revert applies. */
  public Change inverse() {
    Op inv =
        switch (op) {
          case INSERT -> Op.DELETE;
          case DELETE -> Op.INSERT;
          case UPDATE -> Op.UPDATE;
        };
    return new Change(inv, key, after, before);
  }

  /** Whether column {@code i} differs between before and after (always true for insert/delete). */
  public boolean changed(int i) {
    return before == null || after == null || !Values.same(before[i], after[i]);
  }
}
