package dev.prodguard.cli;

import dev.prodguard.findings.OutputFormat;
import java.util.EnumSet;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --format}, the one declaration every reporting command mixes in. A command offers text and
 * json; a command whose resource bundle has {@value #VALUES_KEY} offers those values (lint and
 * scan: {@value #FINDINGS_BUNDLE}), and the bundle's {@code prodguard.format} is its help text.
 */
public final class FormatOption {
  /** The bundle of the finding reports: text, json, sarif and junit. */
  static final String FINDINGS_BUNDLE = "dev.prodguard.cli.FindingsFormats";

  static final String VALUES_KEY = "prodguard.format.values";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  private OutputFormat format = OutputFormat.text;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      descriptionKey = "prodguard.format",
      description = "text or json")
  void format(String value) {
    Set<OutputFormat> offered = offered();
    OutputFormat chosen = null;
    for (OutputFormat f : offered) {
      if (f.name().equals(value)) {
        chosen = f;
      }
    }
    if (chosen == null) {
      throw new ParameterException(
          mixee.commandLine(),
          "Invalid value for option '--format': expected one of "
              + offered
              + " (case-sensitive) but was '"
              + value
              + "'");
    }
    format = chosen;
  }

  OutputFormat get() {
    return format;
  }

  boolean json() {
    return format == OutputFormat.json;
  }

  /** The values this command offers, in {@link OutputFormat}'s order. */
  Set<OutputFormat> offered() {
    ResourceBundle bundle = mixee == null ? null : mixee.resourceBundle();
    if (bundle == null || !bundle.containsKey(VALUES_KEY)) {
      return OutputFormat.TEXT_JSON;
    }
    Set<String> names =
        Set.of(bundle.getString(VALUES_KEY).split(",")).stream()
            .map(String::strip)
            .collect(Collectors.toSet());
    EnumSet<OutputFormat> out = EnumSet.noneOf(OutputFormat.class);
    for (OutputFormat f : OutputFormat.values()) {
      if (names.contains(f.name())) {
        out.add(f);
      }
    }
    return out;
  }
}
