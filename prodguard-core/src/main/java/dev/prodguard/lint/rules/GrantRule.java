package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * Privilege and role changes in migrations widen who can read or change production data, outside
 * access review.
 */
public final class GrantRule extends BaseRule {
  public GrantRule() {
    super(
        "grant",
        Severity.WARNING,
        "Privilege and role changes in migrations widen who can read or change production data, outside access review.",
        "Manage roles and grants in the reviewed access-management process (infrastructure code), not in application migrations.");
  }

  /** {@code OWNER TO role}: the role gets every privilege on the object. */
  private static final java.util.regex.Pattern OWNER_TO =
      java.util.regex.Pattern.compile("(?is)\\bOWNER\\s+TO\\s+(\"[^\"]+\"|[\\w$]+)");

  /** {@code CREATE SCHEMA ... AUTHORIZATION role}: the role owns the schema. */
  private static final java.util.regex.Pattern AUTHORIZATION =
      java.util.regex.Pattern.compile("(?is)\\bAUTHORIZATION\\s+(\"[^\"]+\"|[\\w$]+)");

  @Override
  public String check(Operation op, RuleContext context) {
    if (op.kind() != OpKind.GRANT && !op.has(Operation.Flag.IN_BODY)) {
      String handed = owner(op);
      if (handed != null) {
        return handed;
      }
    }
    return op.kind() == OpKind.GRANT
        ? (op.detail() != null
            ? op.detail()
            : "GRANT" + (op.target() == null ? "" : " on " + op.target()))
        : null;
  }

  /**
   * A statement that makes a role the owner of an object ({@code ALTER ... OWNER TO role}, {@code
   * CREATE SCHEMA ... AUTHORIZATION role}) hands that role every privilege on it, like a GRANT.
   * Judged once per statement, on its first operation.
   */
  private static String owner(Operation op) {
    if (op.statement() == null) {
      return null;
    }
    boolean schema = op.kind() == OpKind.CREATE_SCHEMA;
    boolean alter =
        switch (op.kind()) {
          case ALTER_TABLE_OTHER, ALTER_OTHER, ALTER_FUNCTION -> true;
          default -> false;
        };
    dev.prodguard.sql.SqlStatement st = op.statement();
    if (!(schema
        ? written(st.source().text(), st.start(), st.end(), "authorization")
        : alter && written(st.source().text(), st.start(), st.end(), "owner"))) {
      return null; // the expression below cannot match without the word
    }
    String sql = st.text();
    java.util.regex.Matcher m =
        schema ? AUTHORIZATION.matcher(sql) : alter ? OWNER_TO.matcher(sql) : null;
    if (m == null || !m.find()) {
      return null;
    }
    return (schema ? "CREATE SCHEMA ... AUTHORIZATION " : "OWNER TO ")
        + m.group(1)
        + " makes that role the owner, with every privilege on "
        + (op.target() == null ? "the object" : op.target());
  }

  /**
   * Whether {@code word} (lower-case ASCII letters) is written in {@code sql[from, to)} in any
   * ASCII case, as the expressions above (case-insensitive without {@code UNICODE_CASE}) read it.
   */
  static boolean written(String sql, int from, int to, String word) {
    int n = word.length();
    for (int i = from; i + n <= to; i++) {
      int k = 0;
      while (k < n && (sql.charAt(i + k) | 0x20) == word.charAt(k)) {
        k++;
      }
      if (k == n) {
        return true;
      }
    }
    return false;
  }
}
