package dev.prodguard.findings;

/** What a report says about a rule: its id, default severity, guarantee and texts. */
public interface RuleInfo {
  /** Stable id, named in the contract and in every output format. */
  String id();

  Severity defaultSeverity();

  /** The guarantee (DESIGN section 2) the rule serves, e.g. {@code G4}. */
  String guarantee();

  /** What the rule finds, one sentence (SARIF short description). */
  String summary();

  /** Why it matters (SARIF full description); the summary where that already says why. */
  default String why() {
    return summary();
  }

  /** The safer way to get the same result. */
  String recipe();

  /** More on what it finds, for the documentation's rule table (markdown); empty when none. */
  default String details() {
    return "";
  }

  /** A rule described by its texts alone (a rule that no analysis class implements). */
  static RuleInfo of(
      String id,
      Severity defaultSeverity,
      String guarantee,
      String summary,
      String why,
      String recipe) {
    return new Described(id, defaultSeverity, guarantee, summary, why, recipe);
  }

  /** The plain implementation of {@link #of}. */
  record Described(
      String id,
      Severity defaultSeverity,
      String guarantee,
      String summary,
      String why,
      String recipe)
      implements RuleInfo {}
}
