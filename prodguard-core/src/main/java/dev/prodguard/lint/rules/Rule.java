package dev.prodguard.lint.rules;

import dev.prodguard.findings.RuleInfo;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.SqlSyntax;

/**
 * One analysis rule: an id that the contract can name, a default severity (a protected
 * environment's contract raises forbidden rules to errors), why it matters and a safer recipe.
 */
public interface Rule extends RuleInfo {

  @Override
  default String guarantee() {
    return Rules.GUARANTEE;
  }

  /** A message for this occurrence, or null when the operation does not break the rule. */
  String check(Operation op, RuleContext context);

  /** The one fix for this occurrence ({@code op}); by default the rule's {@link #recipe()}. */
  default String recipe(Operation op) {
    return recipe();
  }

  /**
   * The one fix for this occurrence on the server {@code syntax} speaks to; by default {@link
   * #recipe(Operation)}. A rule whose fix differs per database overrides this.
   */
  default String recipe(Operation op, SqlSyntax syntax) {
    return recipe(op);
  }
}
