package dev.prodguard.cli;

/** Output formats of {@code lint} (and other finding reports): SARIF and JUnit for CI. */
public enum LintFormat {
  text,
  json,
  sarif,
  junit
}
