package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flyway Java migration (a class extending {@code BaseJavaMigration} or implementing {@code
 * JavaMigration}) outside the folders {@code migrations.java} names (without {@code prodguard.yml}:
 * outside {@code src/main/java/db/migration} and {@code src/main/kotlin/db/migration} of any
 * module, Flyway's default). prodguard reads only the Java migrations in those folders (pending
 * ones are refused, G4); one elsewhere that the application's Flyway finds on its classpath runs
 * outside prodguard's view. Abstract classes are not migrations Flyway runs.
 */
public final class JavaMigrationOutsideFolders implements Rule {
  public static final String ID = "java-migration-outside-folders";

  /**
   * {@code class X extends BaseJavaMigration} / {@code implements JavaMigration} / Kotlin's {@code
   * : BaseJavaMigration()}.
   */
  private static final Pattern MIGRATION_CLASS =
      Pattern.compile(
          "((?:\\b(?:abstract|open|public|final|internal|private|protected)\\s+)*)"
              + "\\b(?:class|object)\\s+([A-Za-z_]\\w*)[^{;]*?"
              + "(?:\\bextends\\b|\\bimplements\\b|:)[^{;]*?"
              + "\\b(?:org\\.flywaydb\\.core\\.api\\.migration\\.)?(BaseJavaMigration|JavaMigration)\\b");

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
    return "a Flyway Java migration class outside the folders migrations.java names";
  }

  @Override
  public String why() {
    return "prodguard sees only the Java migrations in migrations.java's folders (G4 refuses a"
        + " pending one, G5/G6 account for them); the application's Flyway finds this class on"
        + " its classpath and runs it outside prodguard's view, unverified and unguarded.";
  }

  @Override
  public String recipe() {
    return "list the class's folder in prodguard.yml's migrations.java (and its location in"
        + " migrations.locations), or move the class into a folder migrations.java names.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    return (file.kind() == FileKind.JAVA
            || file.kind() == FileKind.KOTLIN
            || file.kind() == FileKind.GROOVY)
        && file.code().contains("JavaMigration");
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    Matcher m = MIGRATION_CLASS.matcher(file.code());
    while (m.find()) {
      if (m.group(1).contains("abstract")
          || covered(file.path(), context)
          || FlywaySettingNotLiteral.inString(file.code(), m.start(2))) {
        continue;
      }
      String folder =
          file.path().contains("/") ? file.path().substring(0, file.path().lastIndexOf('/')) : ".";
      out.add(
          finding(
              file,
              file.line(m.start(2)),
              file.column(m.start(2)),
              "Flyway Java migration "
                  + m.group(2)
                  + " ("
                  + m.group(3)
                  + ") is in "
                  + folder
                  + ", which "
                  + context
                      .config()
                      .map(
                          c ->
                              c.javaMigrations().isEmpty()
                                  ? "is not listed: migrations.java names no folder"
                                  : "is not under migrations.java ("
                                      + String.join(
                                          ", ",
                                          c.javaMigrations().stream()
                                              .map(p -> relative(context, p))
                                              .toList())
                                      + ")")
                      .orElse(
                          "is not Flyway's default db/migration and there is no prodguard.yml"
                              + " naming it"),
              context.testDatabases().throwaway(file, context)));
    }
  }

  private static String relative(ScanContext context, Path p) {
    Path root = context.root().toAbsolutePath().normalize();
    Path a = p.toAbsolutePath().normalize();
    return a.startsWith(root) ? root.relativize(a).toString().replace('\\', '/') : a.toString();
  }

  /** Whether the file is inside a folder whose Java migrations prodguard reads. */
  static boolean covered(String path, ScanContext context) {
    if (context.config().isEmpty()) {
      return path.startsWith("src/main/java/db/migration/")
          || path.startsWith("src/main/kotlin/db/migration/")
          || path.contains("/src/main/java/db/migration/")
          || path.contains("/src/main/kotlin/db/migration/");
    }
    Path file = context.root().resolve(path).toAbsolutePath().normalize();
    return context.config().get().javaMigrations().stream()
        .map(p -> p.toAbsolutePath().normalize())
        .anyMatch(file::startsWith);
  }
}
