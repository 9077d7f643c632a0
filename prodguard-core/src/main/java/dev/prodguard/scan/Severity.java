package dev.prodguard.scan;

/** How bad a finding is; error-level findings make {@code prodguard scan} exit 1. */
public enum Severity {
  ERROR("error"),
  WARNING("warning");

  private final String label;

  Severity(String label) {
    this.label = label;
  }

  /** Lower-case name, also the SARIF level. */
  public String label() {
    return label;
  }
}
