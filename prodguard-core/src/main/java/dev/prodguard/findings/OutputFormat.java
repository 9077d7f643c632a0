package dev.prodguard.findings;

import java.util.EnumSet;
import java.util.Set;

/**
 * The values of {@code --format}: every reporting command has text and json; the finding reports
 * (lint, scan) also sarif and junit.
 */
public enum OutputFormat {
  text,
  json,
  sarif,
  junit;

  /** What every reporting command offers. */
  public static final Set<OutputFormat> TEXT_JSON = EnumSet.of(text, json);
}
