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
  public static final String REPLICATION_ROLE = "session_replication_role";

  private ProdguardObjects() {}

  /**
   * True when {@code name} (an identifier, possibly schema-qualified) is one of prodguard's objects
   * or {@code session_replication_role}.
   */
  public static boolean reserved(String name) {
    if (name == null) {
      return false;
    }
    String n = name.toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    String last = dot < 0 ? n : n.substring(dot + 1);
    return last.equals(METADATA_TABLE)
        || last.equals(FLYWAY_HISTORY)
        || last.equals(REPLICATION_ROLE)
        || last.startsWith(PREFIX);
  }

  /**
   * The first reserved name written anywhere in {@code text[from, to)} (an identifier, a string
   * literal, a routine body), as the run of identifier characters around it, lower-case; null when
   * there is none. Only underscores are looked at, and nothing is allocated until a name matches.
   */
  static String mentionedIn(String text, int from, int to) {
    for (int i = from; i < to; i++) {
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

  private static final String[] NAMES = {PREFIX, METADATA_TABLE, FLYWAY_HISTORY, REPLICATION_ROLE};

  /** Whether one of the names has an underscore at {@code i}. */
  private static boolean matchesAround(String text, int i, int from, int to) {
    for (String n : NAMES) {
      for (int u = n.indexOf('_'); u >= 0; u = n.indexOf('_', u + 1)) {
        int s = i - u;
        if (s >= from && s + n.length() <= to && text.regionMatches(true, s, n, 0, n.length())) {
          return true;
        }
      }
    }
    return false;
  }
}
