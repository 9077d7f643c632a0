package dev.prodguard.lint.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.RuleInfo;
import dev.prodguard.findings.Severity;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.ScriptText;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A callback of the migration tool (Flyway: any SQL callback event, {@code afterMigrate.sql},
 * {@code beforeEachMigrate__x.sql}, {@code afterConnect.sql}, ...) in which the tool replaces a
 * placeholder ({@link ScriptText#replaced}, as the engine reads the file: its placeholder prefix
 * and suffix, and Flyway's default {@code ${ }} too, which an application's Flyway setting no
 * prefix uses whatever prodguard.yml configures; its script configuration's {@code
 * placeholderReplacement}). A callback is not only run by prodguard's deploy: Flyway finds it in
 * the locations on every migrate, so an application's start-up migration ({@code
 * spring.flyway.placeholders.*}) or a Flyway migrate run by hand ({@code -placeholders.*}) runs it
 * with its own values, which {@code migrations.placeholders} in prodguard.yml does not decide: a
 * value such as {@code 1; DELETE FROM users WHERE true; SELECT 1} runs SQL that lint never saw,
 * inside a string literal too (the value may hold a quote). Only the placeholders whose value the
 * file and the tool alone fix ({@link ScriptText.Replaced#settled}) are left. Versioned and
 * repeatable migrations only run through prodguard's deploy (G6 refuses a hand-run with anything
 * pending), with prodguard's values, and are not judged here. An error on protected environments;
 * no contract entry covers it (a callback is no migration).
 */
public final class CallbackPlaceholderRule {
  public static final RuleInfo INFO =
      RuleInfo.of(
          "callback-placeholder",
          Severity.ERROR,
          "G4",
          "A callback holds a placeholder: whatever runs Flyway gives it its value, not"
              + " prodguard.yml.",
          "Flyway runs the callbacks of the migration locations on every migrate, not only in"
              + " prodguard's deploy: an application's start-up migration, a Flyway migrate run by"
              + " hand. Each replaces the callback's placeholders with its own values"
              + " (spring.flyway.placeholders.*, -placeholders.*), so the SQL a callback runs there"
              + " is not what lint judged with migrations.placeholders: a value can carry a"
              + " statement of its own, inside a string literal too. Both prodguard.yml's"
              + " placeholder syntax and Flyway's default ${...} count (a Flyway that sets no"
              + " prefix replaces ${n}). Only ${flyway:timestamp} and"
              + " ${flyway:filename}, whose value Flyway alone fixes, are left.",
          "Write the value into the callback literally; or, if the text is not meant as a"
              + " placeholder, add <callback>.sql.conf holding placeholderReplacement=false.");

  private CallbackPlaceholderRule() {}

  /**
   * One finding for a callback holding any placeholder whose value is not settled, at the first
   * one, naming each distinct one; empty when there is none.
   */
  public static Optional<Finding> check(MigrationSource f, ScriptText text) {
    List<ScriptText.Replaced> open = text.replaced().stream().filter(r -> !r.settled()).toList();
    if (open.isEmpty()) {
      return Optional.empty();
    }
    ScriptText.Replaced first = open.get(0);
    Set<String> names = new LinkedHashSet<>();
    open.forEach(r -> names.add(r.written()));
    String name = f.file().fileName();
    return Optional.of(
        new Finding(
            INFO.id(),
            Severity.ERROR,
            new Location(f.shown(), first.line(), first.column()),
            null,
            name
                + " is a Flyway callback, and Flyway replaces "
                + (names.size() == 1 ? "placeholder " : "placeholders ")
                + String.join(", ", names)
                + " in it with the value of whatever runs it: an application's start-up migration"
                + " (spring.flyway.placeholders.*) or a Flyway migrate run by hand (-placeholders.*)"
                + " runs this callback too, with its own values, not prodguard.yml's"
                + " (migrations.placeholders); a value can carry SQL of its own, inside a string"
                + " literal too, so what runs there is not what prodguard judged (G4)",
            first.written(),
            "Write the value into "
                + name
                + " literally; or, if the text is not meant as a placeholder, add "
                + name
                + ".conf holding placeholderReplacement=false.",
            INFO.guarantee(),
            null));
  }
}
