package dev.prodguard.support.sync;

import java.math.BigDecimal;

/**
 * How key values compare in Java, matching the ORDER BY the dialect sends: the merge join is only
 * correct when both agree, and {@code sync.RowStream} refuses any row that arrives out of this
 * order.
 */
public enum KeyKind {
  INTEGER {
    @Override
    public int compare(String a, String b) {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
  },
  DECIMAL {
    @Override
    public int compare(String a, String b) {
      return new BigDecimal(a).compareTo(new BigDecimal(b));
    }
  },
  /** Binary order of the UTF-8 bytes, i.e. code point order. */
  TEXT {
    @Override
    public int compare(String a, String b) {
      int i = 0;
      int j = 0;
      while (i < a.length() && j < b.length()) {
        int ca = a.codePointAt(i);
        int cb = b.codePointAt(j);
        if (ca != cb) {
          return Integer.compare(ca, cb);
        }
        i += Character.charCount(ca);
        j += Character.charCount(cb);
      }
      return Boolean.compare(i < a.length(), j < b.length());
    }
  };

  /**
   * @throws NumberFormatException when a value is not a number of this kind (e.g. NaN)
   */
  public abstract int compare(String a, String b);
}
