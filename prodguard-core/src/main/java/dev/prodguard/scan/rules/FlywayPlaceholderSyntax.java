package dev.prodguard.scan.rules;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.List;

/**
 * An application's (or a hand-run's) Flyway placeholder syntax other than prodguard's, in every
 * spelling the settings reader knows ({@code spring.flyway.placeholder-prefix}, {@code
 * flyway.placeholderSuffix}, {@code FLYWAY_PLACEHOLDER_SEPARATOR}, {@code
 * .placeholderPrefix("#[")}, TOML's {@code [flyway]}, the Gradle plugin's {@code flyway {
 * placeholderPrefix = "@@" }}; a value that is not a literal is {@code
 * flyway-setting-not-literal}'s): prefix and suffix against {@code migrations.placeholder-prefix}
 * and {@code -suffix} in prodguard.yml ({@code ${} and {@code }} by default), the separator against
 * Flyway's {@code :}, which prodguard never changes. That Flyway runs the callbacks of the
 * locations on every migrate and replaces other text in them than lint judged: a {@code #[n]} that
 * prodguard read as text, or a {@code ${flyway:timestamp}} that a separator {@code #} makes an
 * ordinary placeholder the application may set (lint's {@code callback-placeholder} judges
 * callbacks with prodguard's syntax and Flyway's default {@code ${ }}). Values ({@code
 * spring.flyway.placeholders.*}) are not compared: a callback may hold no placeholder at all, and
 * migrations run with prodguard's.
 */
public final class FlywayPlaceholderSyntax implements Rule {
  public static final String ID = "flyway-placeholder-syntax";

  /** Flyway's {@code placeholderSeparator}, which prodguard leaves at Flyway's default. */
  static final String SEPARATOR = ":";

  /** An entry of the placeholder values map ({@code placeholders.n}, {@code placeholders[n]}). */
  private static final java.util.regex.Pattern PLACEHOLDER_ENTRY =
      java.util.regex.Pattern.compile("placeholders[._\\[\"']");

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.ERROR;
  }

  @Override
  public String summary() {
    return "an application's Flyway placeholder prefix, suffix or separator other than"
        + " prodguard's";
  }

  @Override
  public String why() {
    return "Flyway runs the callbacks of the migration locations on every migrate (an"
        + " application's start-up, a hand-run): with another placeholder syntax it replaces"
        + " other text in them than prodguard's lint judged, with values prodguard never sees"
        + " (G4).";
  }

  @Override
  public String recipe() {
    return "Leave the application's placeholder prefix, suffix and separator unset (Flyway's ${,"
        + " } and :), or set the same prefix and suffix in prodguard.yml"
        + " (migrations.placeholder-prefix, migrations.placeholder-suffix).";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    return file.kind() != FileKind.DOC
        && file.kind() != FileKind.SQL
        && file.codeLower().contains("flyway");
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    ProdguardConfig.Placeholders ours =
        context
            .config()
            .map(ProdguardConfig::placeholders)
            .orElse(ProdguardConfig.Placeholders.NONE);
    for (Setting s : file.settings()) {
      String name = FlywayUnsafeSetting.flywaySetting(s);
      // a key without "flyway" counts only as a builder call (.placeholderPrefix("#[")): a
      // "placeholder-prefix", "..." pair in code is too common a phrase (an error message)
      if (name == null
          || !s.normalizedKey().contains("flyway") && s.origin() != Setting.Origin.FLUENT
          // spring.flyway.placeholders.placeholder-prefix is a placeholder of that name
          || PLACEHOLDER_ENTRY.matcher(s.key().toLowerCase(java.util.Locale.ROOT)).find()) {
        continue;
      }
      String expected =
          name.endsWith("placeholderprefix")
              ? ours.prefix()
              : name.endsWith("placeholdersuffix")
                  ? ours.suffix()
                  : name.endsWith("placeholderseparator") ? SEPARATOR : null;
      if (expected == null) {
        continue;
      }
      String value = literal(s.value());
      if (value.equals(expected)) {
        continue;
      }
      out.add(
          finding(
              file,
              s.line(),
              s.column(),
              s.key()
                  + "="
                  + s.value()
                  + " differs from prodguard's "
                  + expected
                  + (name.endsWith("placeholderseparator")
                      ? " (Flyway's built-ins are ${flyway:name} only with it)"
                      : " (prodguard.yml)"),
              context.testDatabases().throwaway(file, context)));
    }
  }

  /** The value without the quotes around it, case kept. */
  private static String literal(String value) {
    String v = value.trim();
    if (v.length() >= 2
        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }
}
