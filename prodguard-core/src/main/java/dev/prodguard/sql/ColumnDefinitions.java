package dev.prodguard.sql;

import java.util.Arrays;
import java.util.List;

/**
 * Compares two MariaDB column definitions as the classifier records them (tokens joined by NUL,
 * words upper-case): whether redefining a column from one to the other keeps every stored value and
 * needs no table copy. True for the same definition, and for an {@code ENUM} or {@code SET} whose
 * new values are only appended at the end, with the same attributes and the same storage size
 * (MariaDB changes such a column in place: its storage is the index of each value, 1 or 2 bytes for
 * an ENUM of up to 255 or 65,535 values, 1, 2, 3, 4 or 8 bytes for a SET of up to 8, 16, 24, 32 or
 * 64). Anything else (values inserted, removed or reordered, another type, another attribute) is a
 * type change.
 */
final class ColumnDefinitions {
  private ColumnDefinitions() {}

  static boolean keepsValues(String before, String after) {
    if (before.equals(after)) {
      return true;
    }
    List<String> b = Arrays.asList(before.split("\0", -1));
    List<String> a = Arrays.asList(after.split("\0", -1));
    if (b.size() < 3 || a.size() < 3 || !b.get(0).equals(a.get(0)) || !"(".equals(b.get(1))) {
      return false;
    }
    String type = b.get(0);
    if (!type.equals("ENUM") && !type.equals("SET") || !"(".equals(a.get(1))) {
      return false;
    }
    int bClose = b.indexOf(")");
    int aClose = a.indexOf(")");
    if (bClose < 0 || aClose < 0) {
      return false;
    }
    List<String> bValues = b.subList(2, bClose);
    List<String> aValues = a.subList(2, aClose);
    // the old list, then a comma and more values; the attributes after the list unchanged
    if (aValues.size() <= bValues.size()
        || !aValues.subList(0, bValues.size()).equals(bValues)
        || !",".equals(aValues.get(bValues.size()))
        || !b.subList(bClose + 1, b.size()).equals(a.subList(aClose + 1, a.size()))) {
      return false;
    }
    for (String v : aValues) {
      if (!v.equals(",") && !v.startsWith("'")) {
        return false; // only plain string literals: a charset introducer or expression is unknown
      }
    }
    int bCount = (bValues.size() + 1) / 2;
    int aCount = (aValues.size() + 1) / 2;
    return type.equals("ENUM")
        ? enumBytes(bCount) == enumBytes(aCount)
        : setBytes(bCount) == setBytes(aCount);
  }

  private static int enumBytes(int values) {
    return values <= 255 ? 1 : 2;
  }

  private static int setBytes(int values) {
    int bytes = (values + 7) / 8;
    return bytes > 4 ? 8 : bytes;
  }
}
