package dev.prodguard.lint.rules;

import dev.prodguard.lint.Severity;
import dev.prodguard.sql.Operation;

/**
 * One analysis rule: an id that the contract can name, a default severity (a protected
 * environment's contract raises forbidden rules to errors), why it matters and a safer recipe.
 */
public interface Rule {
  String id();

  Severity defaultSeverity();

  /** Why this is dangerous, in one sentence. */
  String summary();

  /** The safer way to get the same result. */
  String recipe();

  /** A message for this occurrence, or null when the operation does not break the rule. */
  String check(Operation op, RuleContext context);
}
