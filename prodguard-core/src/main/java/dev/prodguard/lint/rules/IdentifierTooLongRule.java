package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.SqlSyntax;
import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL keeps the first 63 bytes of a longer name (NAMEDATALEN - 1) and carries on with a
 * notice: the object gets another name than the migration says, two long names can become one, and
 * a later statement with the full name reaches the truncated object. MariaDB refuses names over 64
 * characters, so nothing is needed there.
 */
public final class IdentifierTooLongRule extends BaseRule {
  /** PostgreSQL's NAMEDATALEN - 1, in bytes. */
  static final int MAX_BYTES = 63;

  public IdentifierTooLongRule() {
    super(
        "identifier-too-long",
        Severity.WARNING,
        "PostgreSQL truncates names longer than 63 bytes: the object is created or found under a shorter name than the migration says.",
        "Use a name of at most 63 bytes (e.g. abbreviate index and constraint names).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    if (context.syntax() != SqlSyntax.POSTGRESQL) {
      return null;
    }
    String name = longPart(op.target());
    if (name == null) {
      name = longPart(op.column());
    }
    return name == null
        ? null
        : "the name "
            + name
            + " is "
            + name.getBytes(StandardCharsets.UTF_8).length
            + " bytes: PostgreSQL uses its first "
            + MAX_BYTES;
  }

  private static String longPart(String name) {
    if (name == null || name.length() * 3 <= MAX_BYTES) {
      return null; // at most 3 UTF-8 bytes per UTF-16 unit
    }
    for (String part : name.split("\\.")) {
      if (part.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
        return part;
      }
    }
    return null;
  }
}
