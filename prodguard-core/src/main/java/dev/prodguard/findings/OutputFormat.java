package dev.prodguard.findings;

import java.util.EnumSet;
import java.util.Set;

/** The values of {@code --format}: every reporting command has text and json. */
public enum OutputFormat {
  text,
  json,
  sarif,
  junit;

  /** What every reporting command offers. */
  public static final Set<OutputFormat> TEXT_JSON = EnumSet.of(text, json);

  /** What the finding reports ({@code lint}, {@code scan}) offer. */
  public static final Set<OutputFormat> FINDINGS = EnumSet.allOf(OutputFormat.class);
}
