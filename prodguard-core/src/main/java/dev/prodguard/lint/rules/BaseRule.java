package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;

/** Id, severity and texts of a rule; subclasses implement {@link #check}. */
abstract class BaseRule implements Rule {
  private final String id;
  private final Severity severity;
  private final String summary;
  private final String recipe;

  BaseRule(String id, Severity severity, String summary, String recipe) {
    this.id = id;
    this.severity = severity;
    this.summary = summary;
    this.recipe = recipe;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Severity defaultSeverity() {
    return severity;
  }

  @Override
  public String summary() {
    return summary;
  }

  @Override
  public String recipe() {
    return recipe;
  }

  static String on(String target) {
    return target == null ? "" : " " + target;
  }
}
