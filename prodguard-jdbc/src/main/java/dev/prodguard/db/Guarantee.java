package dev.prodguard.db;

/** The product's guarantees (DESIGN section 2); every refusal names the one it enforces. */
public enum Guarantee {
  G1("CI-only mutation"),
  G2("environment fingerprint"),
  G3("early URL refusal"),
  G4("frozen mutation contract"),
  G5("no bypasses"),
  G6("direct migration blocked"),
  G7("order-locked pipeline"),
  G8("one deploy at a time"),
  G9("verified backup before deploy"),
  G10("tamper-evident audit");

  private final String title;

  Guarantee(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }

  /** "G2 environment fingerprint". */
  public String label() {
    return name() + " " + title;
  }
}
