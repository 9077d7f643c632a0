package dev.prodguard.scan.rules;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A file named as Flyway names a SQL migration or callback ({@code V2__x.sql}, {@code R__x.sql},
 * {@code afterMigrate.sql}; the suffix in any case, as Flyway matches it) in a {@code db/migration}
 * folder that none of {@code prodguard.yml}'s {@code migrations.locations} holds: an application
 * whose Flyway reads {@code classpath:db/migration} (Flyway's and Spring Boot's default) runs every
 * such file of every module and jar on its class path, and prodguard never judged it (attacker
 * 27/03: another module's {@code afterMigrate.sql} updated a protected table on every start-up). A
 * copy, to the byte, of the file of the same name in a location (prodguard's callback in the
 * application's resources) runs what prodguard judged there: not reported; nor is a {@code
 * beforeEachMigrate.sql} that only calls {@code prodguard_assert_deploy()} (comments aside),
 * prodguard's G6 callback, which {@code prodguard-integrity} checks where the application's Flyway
 * reads it. Only with a {@code prodguard.yml}: without one there are no locations to compare with.
 */
public final class SqlMigrationOutsideLocations implements Rule {
  public static final String ID = "sql-migration-outside-locations";

  /**
   * A Flyway callback event's name ({@code afterMigrate}, {@code beforeEachMigrateStatement},
   * {@code createSchema}); a callback file is the event, optionally {@code __} and a description
   * ({@code afterMigrate__refresh_views.sql}), then the suffix.
   */
  private static final String CALLBACK_EVENT = "(?:(?:before|after)[A-Za-z]+|createSchema)";

  /**
   * The suffixes Flyway runs from a location: SQL, and the scripts it runs as script migrations and
   * callbacks ({@link dev.prodguard.migration.MigrationFiles#SCRIPT_SUFFIXES}).
   */
  private static final String SUFFIX = "\\.(?:sql|sh|bash|py|ps1|cmd|bat)";

  /** Flyway's script names: versioned, undo, baseline, repeatable, and callbacks by event. */
  private static final Pattern FLYWAY_NAME =
      Pattern.compile(
          "(?i)(?:[VUB][0-9][^/]*__[^/]*|R__[^/]*|" + CALLBACK_EVENT + "(?:__[^/]*)?)" + SUFFIX);

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
    return "a Flyway migration or callback (SQL or script), or a symbolic link, in a db/migration"
        + " folder outside migrations.locations";
  }

  @Override
  public String why() {
    return "An application's Flyway reading classpath:db/migration runs the migrations and"
        + " callbacks of every module and jar on its class path; prodguard judges, hashes and"
        + " guards only the folders migrations.locations names, so this file would run unjudged"
        + " (a callback on every migrate, even with nothing pending). Files that arrive inside"
        + " dependency jars are not in the repository and cannot be scanned: keep such"
        + " dependencies' Flyway resources out of the application's locations.";
  }

  @Override
  public String recipe() {
    return "if the application that runs it migrates the database this configuration guards, add"
        + " the file's folder to its migrations.locations (so prodguard judges it); if the folder"
        + " belongs to another database or application (another backend of a multi-backend"
        + " project, whose files would mix two SQL dialects in one migration set), guard it with a"
        + " prodguard configuration of its own (e.g. prodguard-mysql.yml whose migrations.locations"
        + " names it, run as 'prodguard -c prodguard-mysql.yml ...') and cover this finding with a"
        + " reviewed scan-exceptions entry whose reason names that configuration; otherwise move or"
        + " rename it so that no application's Flyway location holds it.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    String path = file.path();
    int slash = path.lastIndexOf('/');
    String name = path.substring(slash + 1);
    return context.config().isPresent()
        && (FLYWAY_NAME.matcher(name).matches()
            || dev.prodguard.migration.MigrationFiles.isScript(name))
        && ("/" + path.toLowerCase(Locale.ROOT)).contains("/db/migration/");
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    ProdguardConfig config = context.config().orElseThrow();
    Path abs = context.root().resolve(file.path()).toAbsolutePath().normalize();
    Optional<String> text = GuardArtifactFiles.read(abs);
    if (abs.getFileName().toString().equals(ProdguardIntegrity.CALLBACK)
        && text.filter(dev.prodguard.support.AssertCallSql::onlyCalls).isPresent()) {
      return; // prodguard's G6 callback where the application's Flyway reads it: the integrity
      // rule's
    }
    for (String location : config.migrationLocations()) {
      try {
        Path folder = config.locationFolder(location).toAbsolutePath().normalize();
        // in a location; or a copy, to the byte, of the file of that name in one (prodguard's
        // callback in the application's resources, when the locations are elsewhere)
        if (abs.startsWith(folder)
            || (text.isPresent()
                && text.equals(GuardArtifactFiles.read(folder.resolve(abs.getFileName()))))) {
          return;
        }
      } catch (ConfigException e) {
        // a location prodguard cannot read is prodguard-integrity's finding
      }
    }
    String folder = file.path().substring(0, Math.max(0, file.path().lastIndexOf('/')));
    out.add(
        finding(
            file,
            1,
            1,
            file.path()
                + " is named as a Flyway "
                + (dev.prodguard.migration.MigrationFiles.isScript(file.path())
                    ? "script (shell, Python, PowerShell or batch), which Flyway runs as a script"
                        + " migration or callback; prodguard cannot judge a script: write SQL,"
                    : file.path().matches("(?i)(?:.*/)?" + CALLBACK_EVENT + "(?:__[^/]*)?" + SUFFIX)
                        ? "callback"
                        : "migration")
                + " and sits in a db/migration folder, which migrations.locations ("
                + String.join(", ", config.migrationLocations())
                + ") does not hold"
                + otherConfiguration(abs, context)
                    .map(
                        other ->
                            " (the repository's "
                                + other
                                + " names it in its migrations.locations: if that configuration"
                                + " guards the application that runs it, this finding is covered"
                                + " by a reviewed entry such as { path: \""
                                + folder
                                + "/*\", rule: "
                                + ID
                                + ", reason: \"guarded by "
                                + other
                                + "\" })")
                    .orElse(""),
            context.testDatabases().throwaway(file, context)));
  }

  /**
   * A symbolic link in a {@code db/migration} folder or in a location: the scan does not follow it,
   * the application's Flyway does, and runs the files behind it (attacker 13/F5: {@code
   * db/migration/sub} linking to a folder holding {@code afterMigrate__d.sql}).
   */
  @Override
  public void checkRepository(ScanContext context, List<Finding> out) {
    if (context.config().isEmpty()) {
      return;
    }
    ProdguardConfig config = context.config().orElseThrow();
    Path root = context.root().toAbsolutePath().normalize();
    List<Path> folders = new java.util.ArrayList<>();
    for (String location : config.migrationLocations()) {
      try {
        folders.add(config.locationFolder(location).toAbsolutePath().normalize());
      } catch (ConfigException e) {
        // a location prodguard cannot read is prodguard-integrity's finding
      }
    }
    for (String path : context.files()) {
      Path abs = root.resolve(path).normalize();
      if (path.equals("pom.xml") || path.endsWith("/pom.xml")) {
        mavenResources(path, abs, config, folders, out);
        continue;
      }
      boolean migrationFolder =
          ("/" + path.toLowerCase(Locale.ROOT)).contains("/db/migration/")
              || folders.stream().anyMatch(abs::startsWith);
      if (migrationFolder && java.nio.file.Files.isSymbolicLink(abs)) {
        out.add(
            finding(
                path,
                1,
                1,
                "",
                message(
                    path
                        + " is a symbolic link in a Flyway migration folder: the application's"
                        + " Flyway follows it and runs the files behind it, which prodguard does"
                        + " not read; replace the link with the files themselves")));
      }
    }
  }

  private static final Pattern RESOURCE =
      Pattern.compile("(?s)<(testResource|resource)>(.*?)</\\1>");
  private static final Pattern DIRECTORY = Pattern.compile("(?s)<directory>(.*?)</directory>");
  private static final Pattern TARGET_PATH = Pattern.compile("(?s)<targetPath>(.*?)</targetPath>");

  /**
   * A Maven {@code <resource>} whose {@code <targetPath>} puts its files at a Flyway location path
   * ({@code db/migration}, or a {@code classpath:} location of {@code migrations.locations}), or
   * above one with the folder below it, from a {@code <directory>} that no location holds (attacker
   * 13/F7: {@code sql/cb} copied to {@code db/migration}, its {@code afterMigrate__x.sql} run on
   * every start-up). A directory prodguard cannot resolve (a property) is reported too.
   */
  private void mavenResources(
      String path, Path pom, ProdguardConfig config, List<Path> folders, List<Finding> out) {
    Optional<String> text = GuardArtifactFiles.read(pom);
    if (text.isEmpty()) {
      return;
    }
    java.util.Set<String> flywayPaths = new java.util.LinkedHashSet<>(List.of("db/migration"));
    for (String location : config.migrationLocations()) {
      if (location.startsWith("classpath:")) {
        flywayPaths.add(trimSlashes(location.substring("classpath:".length())));
      }
    }
    java.util.regex.Matcher r = RESOURCE.matcher(text.get());
    while (r.find()) {
      java.util.regex.Matcher t = TARGET_PATH.matcher(r.group(2));
      if (!t.find()) {
        continue; // the class path's root, as the folder's own layout says
      }
      String target =
          trimSlashes(
              t.group(1)
                  .trim()
                  .replace('\\', '/')
                  .replace("${project.build.outputDirectory}", "")
                  .replace("${project.build.testOutputDirectory}", ""));
      java.util.regex.Matcher d = DIRECTORY.matcher(r.group(2));
      String directory =
          d.find()
              ? d.group(1).trim().replace("${project.basedir}", "").replace("${basedir}", "")
              : "";
      for (String flyway : flywayPaths) {
        String below;
        if (target.equalsIgnoreCase(flyway)
            || target.toLowerCase(Locale.ROOT).startsWith(flyway.toLowerCase(Locale.ROOT) + "/")) {
          below = "";
        } else if (target.isEmpty()
            || !flyway.toLowerCase(Locale.ROOT).startsWith(target.toLowerCase(Locale.ROOT) + "/")) {
          continue;
        } else {
          below = flyway.substring(target.length() + 1);
        }
        Path source = null;
        if (!directory.isEmpty() && !directory.contains("${")) {
          source = pom.getParent().resolve(trimSlashes(directory)).resolve(below).normalize();
          if (!below.isEmpty() && !java.nio.file.Files.isDirectory(source)) {
            continue; // nothing of this resource lands in the location
          }
          Path s = source;
          if (folders.stream().anyMatch(s::startsWith)) {
            continue; // a folder prodguard judges
          }
        }
        int offset = r.start(2) + t.start();
        int line = 1 + (int) text.get().substring(0, offset).chars().filter(c -> c == '\n').count();
        out.add(
            finding(
                path,
                line,
                1,
                "<targetPath>" + t.group(1).trim() + "</targetPath>",
                message(
                    path
                        + " copies the resource folder "
                        + (directory.isEmpty() ? "(none named)" : directory)
                        + " to "
                        + target
                        + " on the class path, where a Flyway reading classpath:"
                        + flyway
                        + " runs its migrations and callbacks; migrations.locations ("
                        + String.join(", ", config.migrationLocations())
                        + ") does not hold "
                        + (source == null ? "it (prodguard cannot resolve the folder)" : "it"))));
        break;
      }
    }
  }

  private static String trimSlashes(String s) {
    String t = s.trim();
    while (t.startsWith("/")) {
      t = t.substring(1);
    }
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }

  /**
   * Another prodguard configuration of the repository ({@code prodguard*.yml} or {@code .yaml}, not
   * a contract, not the one in use) whose {@code migrations.locations} holds {@code abs}; one that
   * cannot be read says nothing. Read once for each version of the file.
   */
  private Optional<String> otherConfiguration(Path abs, ScanContext context) {
    for (String path : context.files()) {
      String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
      if (!name.startsWith("prodguard")
          || name.contains("contract")
          || !(name.endsWith(".yml") || name.endsWith(".yaml"))
          || path.equals(context.configPath())) {
        continue;
      }
      Path configFile = context.root().toAbsolutePath().normalize().resolve(path);
      String key;
      try {
        // the file as it is now: a rule outlives one scan (the Maven plugin, tests)
        key =
            configFile
                + "\0"
                + java.nio.file.Files.getLastModifiedTime(configFile).toMillis()
                + "\0"
                + java.nio.file.Files.size(configFile);
      } catch (java.io.IOException e) {
        continue;
      }
      List<Path> folders = others.computeIfAbsent(key, k -> locations(configFile));
      if (folders.stream().anyMatch(abs::startsWith)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  private final java.util.Map<String, List<Path>> others =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static List<Path> locations(Path configFile) {
    try {
      ProdguardConfig other = dev.prodguard.config.ConfigLoader.load(configFile);
      List<Path> out = new java.util.ArrayList<>();
      for (String location : other.migrationLocations()) {
        try {
          out.add(other.locationFolder(location).toAbsolutePath().normalize());
        } catch (ConfigException e) {
          // a location it cannot name is no folder of it
        }
      }
      return out;
    } catch (RuntimeException e) {
      return List.of(); // not a prodguard configuration, or one that cannot be read
    }
  }
}
