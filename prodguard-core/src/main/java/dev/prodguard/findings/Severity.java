package dev.prodguard.findings;

import java.util.Locale;

/**
 * How bad a finding is; only uncovered errors fail {@code lint}, {@code verify} and {@code scan}.
 */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  /** Lower-case name, as text, JSON and JUnit print it. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The SARIF level: {@code error}, {@code warning} or {@code note}. */
  public String sarifLevel() {
    return this == INFO ? "note" : id();
  }
}
