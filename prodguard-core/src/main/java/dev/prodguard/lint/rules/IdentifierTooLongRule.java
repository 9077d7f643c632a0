package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.SqlSyntax;
import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL keeps the first 63 bytes of a longer name (NAMEDATALEN - 1, never cutting a character
 * in two) and carries on with a notice: the object gets another name than the migration says, a
 * later statement with the full name reaches the truncated object, and two long names of one
 * migration set can become one (an error: the second object's creation then fails, or the
 * statements reach one object where the migrations mean two; the Linter raises those). MariaDB
 * refuses a name over 64 characters: the statement fails at deploy (an error, also raised by the
 * Linter).
 */
public final class IdentifierTooLongRule extends BaseRule {
  /** PostgreSQL's NAMEDATALEN - 1, in bytes. */
  static final int MAX_BYTES = 63;

  /** MariaDB's limit for table, column, index and constraint names, in characters. */
  static final int MARIADB_MAX_CHARS = 64;

  public IdentifierTooLongRule() {
    super(
        "identifier-too-long",
        Severity.WARNING,
        "PostgreSQL truncates names longer than 63 bytes: the object is created or found under a shorter name than the migration says.",
        "Use a name of at most 63 bytes (e.g. abbreviate index and constraint names).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    String name = longName(op, context.syntax());
    if (name == null) {
      return null;
    }
    if (context.syntax() != SqlSyntax.POSTGRESQL) {
      return "the name "
          + name
          + " is "
          + unquoted(name).codePointCount(0, unquoted(name).length())
          + " characters: MariaDB refuses names over "
          + MARIADB_MAX_CHARS
          + ", so the statement fails at deploy";
    }
    return "the name "
        + name
        + " is "
        + unquoted(name).getBytes(StandardCharsets.UTF_8).length
        + " bytes: PostgreSQL uses its first "
        + MAX_BYTES
        + ", so it becomes "
        + truncated(name);
  }

  /** The part of the operation's target or column name that is too long for {@code syntax}. */
  public static String longName(Operation op, SqlSyntax syntax) {
    String name = longPart(op.target(), syntax);
    return name != null ? name : longPart(op.column(), syntax);
  }

  /**
   * The name PostgreSQL makes of {@code name}: its first 63 bytes in UTF-8, cut before a character
   * that would not fit whole (as the server's {@code pg_mbcliplen}).
   */
  public static String truncated(String name) {
    String n = unquoted(name);
    StringBuilder out = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < n.length(); ) {
      int cp = n.codePointAt(i);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_BYTES) {
        break;
      }
      out.appendCodePoint(cp);
      bytes += size;
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  private static String unquoted(String part) {
    if (part.length() >= 2
        && ((part.startsWith("\"") && part.endsWith("\""))
            || (part.startsWith("`") && part.endsWith("`")))) {
      return part.substring(1, part.length() - 1);
    }
    return part;
  }

  private static String longPart(String name, SqlSyntax syntax) {
    if (name == null || shortEnough(name, syntax)) {
      return null;
    }
    for (String part : name.split("\\.")) {
      String n = unquoted(part);
      boolean tooLong =
          syntax == SqlSyntax.POSTGRESQL
              ? n.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES
              : n.codePointCount(0, n.length()) > MARIADB_MAX_CHARS;
      if (tooLong) {
        return part;
      }
    }
    return null;
  }

  /**
   * Whether no part of {@code name} can be too long, judged without splitting or encoding it (most
   * names): a part is never longer than the name, a UTF-8 character never longer than three bytes
   * per UTF-16 unit (one byte when ASCII), and a name has no more code points than UTF-16 units.
   */
  private static boolean shortEnough(String name, SqlSyntax syntax) {
    int n = name.length();
    if (syntax != SqlSyntax.POSTGRESQL) {
      return n <= MARIADB_MAX_CHARS;
    }
    if (n <= MAX_BYTES / 3) {
      return true;
    }
    if (n > MAX_BYTES) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (name.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
