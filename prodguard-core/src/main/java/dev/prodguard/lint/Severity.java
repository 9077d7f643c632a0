package dev.prodguard.lint;

/** How bad a finding is; only uncovered errors fail {@code lint} and {@code verify}. */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
