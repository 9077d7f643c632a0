package dev.prodguard.sync;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/** Row values: text ({@code String}), bytes ({@code byte[]}) or SQL NULL ({@code null}). */
final class Values {
  private static final int SHOWN_CHARS = 60;
  private static final int SHOWN_BYTES = 16;

  private Values() {}

  /** Equal as stored: NULL equals only NULL, and NULL is not the empty string. */
  static boolean same(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    return a.equals(b);
  }

  static boolean sameRow(Object[] a, Object[] b) {
    for (int i = 0; i < a.length; i++) {
      if (!same(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }

  /** Feeds a row into a digest, unambiguously (tagged and length-prefixed values). */
  static void digest(MessageDigest md, String[] key, Object[] values) {
    for (String k : key) {
      put(md, k);
    }
    for (Object v : values) {
      put(md, v);
    }
  }

  private static void put(MessageDigest md, Object v) {
    ByteBuffer head = ByteBuffer.allocate(5);
    if (v == null) {
      md.update((byte) 0);
      return;
    }
    byte[] bytes;
    if (v instanceof byte[] b) {
      head.put((byte) 2);
      bytes = b;
    } else {
      head.put((byte) 1);
      bytes = ((String) v).getBytes(StandardCharsets.UTF_8);
    }
    head.putInt(bytes.length);
    md.update(head.array());
    md.update(bytes);
  }

  /** A short, unambiguous rendering for the text plan: 'text', NULL, \x0102.. (n bytes). */
  static String show(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof byte[] b) {
      String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, SHOWN_BYTES));
      return "\\x" + hex + (b.length > SHOWN_BYTES ? ".. (" + b.length + " bytes)" : "");
    }
    String s = (String) v;
    String cut = s.length() > SHOWN_CHARS ? s.substring(0, SHOWN_CHARS) + ".." : s;
    return "'" + cut.replace("'", "''").replace("\n", "\\n").replace("\r", "\\r") + "'";
  }
}
