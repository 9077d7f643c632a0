package dev.prodguard.sql;

import java.util.Locale;

/**
 * The names of prodguard's own database objects (DESIGN section 7: {@code database_metadata}, the
 * {@code prodguard_*} tables, functions, triggers and event trigger) and of Flyway's history table,
 * plus the one setting that switches their triggers off ({@code session_replication_role}). No
 * migration may touch them, whatever the contract says (G2, G6, G7, G10). Names compare
 * case-insensitively, quoted or not: a look-alike is refused too.
 */
public final class ProdguardObjects {
  public static final String METADATA_TABLE = "database_metadata";
  public static final String PREFIX = "prodguard_";
  public static final String FLYWAY_HISTORY = "flyway_schema_history";

  /**
   * Flyway 3/4's default history table, which projects of that age keep ({@code migrations.table:
   * schema_version}): reserved like the current default.
   */
  public static final String FLYWAY_LEGACY_HISTORY = "schema_version";

  public static final String REPLICATION_ROLE = "session_replication_role";

  /** Flyway's placeholder for the name of its history table. */
  public static final String FLYWAY_TABLE_PLACEHOLDER = "${flyway:table}";

  private ProdguardObjects() {}

  /**
   * True when {@code name} (an identifier, possibly schema-qualified) is one of prodguard's objects
   * or {@code session_replication_role}.
   */
  public static boolean reserved(String name) {
    if (name == null) {
      return false;
    }
    String n = fold(name);
    int dot = n.lastIndexOf('.');
    String last = dot < 0 ? n : n.substring(dot + 1);
    return last.equals(METADATA_TABLE)
        || last.equals(FLYWAY_TABLE_PLACEHOLDER)
        || last.equals(FLYWAY_HISTORY)
        || last.equals(FLYWAY_LEGACY_HISTORY)
        || last.equals(REPLICATION_ROLE)
        || last.startsWith(PREFIX);
  }

  /**
   * A name as MariaDB compares routine, event and column names: case- and accent-insensitively
   * ({@code PRÖDGUARD_ASSERT} drops {@code prodguard_assert}), lower-case with the accents of
   * letters removed. A look-alike is refused too (fail closed).
   */
  static String fold(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i < n.length(); i++) {
      if (n.charAt(i) >= 0x80) {
        return java.text.Normalizer.normalize(n, java.text.Normalizer.Form.NFD)
            .replaceAll("\\p{M}+", "");
      }
    }
    return n;
  }

  /** One character folded as {@link #fold}: lower-case, without its accent. */
  private static char foldChar(char c) {
    if (c < 0x80) {
      return Character.toLowerCase(c);
    }
    String d = java.text.Normalizer.normalize(String.valueOf(c), java.text.Normalizer.Form.NFD);
    return Character.toLowerCase(d.charAt(0));
  }

  /**
   * A system catalog, written as a target: a relation of PostgreSQL's {@code pg_catalog} (also
   * unqualified: {@code pg_catalog} is searched first), {@code information_schema}, {@code
   * pg_toast}, or MariaDB's {@code mysql}, {@code information_schema}, {@code performance_schema},
   * {@code sys}. Writing one (e.g. {@code UPDATE pg_trigger SET tgenabled = 'D'}) switches
   * prodguard's guards off beneath every check.
   */
  public static boolean systemCatalog(String name, SqlSyntax syntax) {
    if (name == null) {
      return false;
    }
    String n = fold(name);
    int dot = n.indexOf('.');
    String first = dot < 0 ? null : n.substring(0, dot);
    if (syntax == SqlSyntax.POSTGRESQL) {
      if (first == null) {
        return n.startsWith("pg_"); // pg_catalog is searched before the search path
      }
      int last = n.lastIndexOf('.');
      String schema = n.substring(n.lastIndexOf('.', last - 1) + 1, last);
      return schema.equals("pg_catalog")
          || schema.equals("information_schema")
          || schema.startsWith("pg_toast");
    }
    return first != null
        && (first.equals("mysql")
            || first.equals("information_schema")
            || first.equals("performance_schema")
            || first.equals("sys"));
  }

  /**
   * The first reserved name written anywhere in {@code text[from, to)} (an identifier, a string
   * literal, a routine body), as the run of identifier characters around it, lower-case; null when
   * there is none. Only underscores are looked at, and nothing is allocated until a name matches.
   */
  static String mentionedIn(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == '$'
          && to - i >= FLYWAY_TABLE_PLACEHOLDER.length()
          && text.regionMatches(
              true, i, FLYWAY_TABLE_PLACEHOLDER, 0, FLYWAY_TABLE_PLACEHOLDER.length())) {
        return FLYWAY_TABLE_PLACEHOLDER;
      }
      if (text.charAt(i) == '_' && matchesAround(text, i, from, to)) {
        int start = i;
        while (start > from && Splitter.isIdentPart(text.charAt(start - 1))) {
          start--;
        }
        int end = i + 1;
        while (end < to && Splitter.isIdentPart(text.charAt(end))) {
          end++;
        }
        return text.substring(start, end).toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  /**
   * Whether one of the reserved names is written around the underscore at {@code i} within {@code
   * text[from, to)}: {@link #mentionedIn} finds a name exactly where this holds.
   */
  static boolean nameAround(String text, int i, int from, int to) {
    return matchesAround(text, i, from, to);
  }

  private static final String[] NAMES = {PREFIX, METADATA_TABLE, FLYWAY_HISTORY, REPLICATION_ROLE};

  /** Whether {@code name} (lower-case ASCII) is written at {@code s}, case and accents aside. */
  private static boolean foldedMatch(String text, int s, String name) {
    for (int k = 0; k < name.length(); k++) {
      char c = text.charAt(s + k);
      if ((c < 0x80 ? Character.toLowerCase(c) : foldChar(c)) != name.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Whether one of the names has an underscore at {@code i}. */
  private static boolean matchesAround(String text, int i, int from, int to) {
    for (int k = 0; k < AROUND_NAME.length; k++) {
      String n = AROUND_NAME[k];
      int s = i - AROUND_UNDERSCORE[k];
      if (s >= from && s + n.length() <= to && foldedMatch(text, s, n)) {
        return true;
      }
    }
    return false;
  }

  /** For each underscore of each of {@link #NAMES}: the name (computed once, not per character). */
  private static final String[] AROUND_NAME;

  /** The offset of that underscore in {@link #AROUND_NAME}'s name, in the same order. */
  private static final int[] AROUND_UNDERSCORE;

  static {
    java.util.List<String> names = new java.util.ArrayList<>();
    java.util.List<Integer> offsets = new java.util.ArrayList<>();
    for (String n : NAMES) {
      for (int u = n.indexOf('_'); u >= 0; u = n.indexOf('_', u + 1)) {
        names.add(n);
        offsets.add(u);
      }
    }
    AROUND_NAME = names.toArray(new String[0]);
    AROUND_UNDERSCORE = offsets.stream().mapToInt(Integer::intValue).toArray();
  }
}
