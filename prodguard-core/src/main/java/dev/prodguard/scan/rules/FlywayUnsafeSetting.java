package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Flyway settings that loosen safety, in every spelling Flyway and Spring Boot accept: {@code
 * flyway.cleanDisabled}, {@code spring.flyway.clean-disabled}, {@code FLYWAY_CLEAN_DISABLED},
 * {@code SPRING_FLYWAY_CLEAN_DISABLED}, {@code -cleanDisabled=}, {@code <cleanDisabled>}, {@code
 * .cleanDisabled(false)}, Gradle's {@code cleanDisabled = false}, TOML's {@code [flyway]} table.
 * Keys are compared without case and punctuation. A key without "flyway" in it (a fluent call, a
 * Gradle block, a plugin configuration) counts when the file mentions Flyway.
 */
public final class FlywayUnsafeSetting implements Rule {
  public static final String ID = "flyway-unsafe-setting";

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
    return "Flyway settings that loosen safety (clean enabled, validation off, out-of-order,"
        + " baseline-on-migrate, ignored migrations, callbacks skipped or moved, another history"
        + " table, SQL suffixes or naming than prodguard's)";
  }

  @Override
  public String why() {
    return "Each of these lets Flyway destroy data or apply a history nobody verified: clean"
        + " drops every object, disabled validation and ignore patterns hide edited or missing"
        + " migrations, and skipped or relocated callbacks drop prodguard's "
        + ProdguardIntegrity.CALLBACK
        + " check.";
  }

  @Override
  public String recipe() {
    return "Keep Flyway's safe defaults (cleanDisabled=true, validateOnMigrate=true, outOfOrder"
        + " and baselineOnMigrate false, no ignore patterns, default callbacks, Flyway's default"
        + " history table, SQL suffix .sql and naming); reset test databases by recreating them,"
        + " not with clean.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    return file.kind() != FileKind.DOC
        && file.kind() != FileKind.SQL
        && file.codeLower().contains("flyway");
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    // Spring Boot (and Quarkus, Micronaut) read on/yes/1 as true in their own files; Maven, Gradle
    // and code read every boolean but "true" as false
    boolean springFile =
        file.kind() == FileKind.PROPERTIES
            || file.kind() == FileKind.YAML
            || file.kind() == FileKind.DOTENV
            || file.kind() == FileKind.JSON;
    // the entries of a list setting spelt one key each (spring.flyway.locations[0], [1], a YAML
    // sequence, <locations><location>) are judged together: the list is the value
    java.util.Map<String, String> lists = new java.util.LinkedHashMap<>();
    for (Setting s : file.settings()) {
      if (s.indexed()) {
        lists.merge(
            s.profile() + "\u0000" + s.unindexed(),
            s.effectiveValueCaseKept(),
            (a, b) -> a + "," + b);
      }
    }
    java.util.Set<String> leftOut = new java.util.HashSet<>();
    for (Setting s : file.settings()) {
      String name = flywaySetting(s);
      if (name == null) {
        continue;
      }
      String v = s.effectiveValue();
      String cased =
          s.indexed()
              ? lists.get(s.profile() + "\u0000" + s.unindexed())
              : s.effectiveValueCaseKept();
      String own = s.effectiveValueCaseKept();
      String problem =
          switch (name) {
            case "cleandisabled" -> s.mayReadFalse(springFile) ? "enables Flyway clean" : null;
            case "cleanonvalidationerror" ->
                s.mayReadTrue() ? "cleans the database when validation fails" : null;
            case "validateonmigrate" ->
                s.mayReadFalse(springFile) ? "turns off validation before migrate" : null;
            case "outoforder" -> s.mayReadTrue() ? "applies migrations out of order" : null;
            case "baselineonmigrate" ->
                s.mayReadTrue() ? "baselines a non-empty schema silently on migrate" : null;
            case "ignoremigrationpatterns" ->
                v.isBlank() || v.equals("*:future") ? null : "ignores migrations matching " + v;
            case "ignoremissingmigrations", "ignoreignoredmigrations" ->
                s.mayReadTrue() ? "ignores migrations that validation should report" : null;
            case "cleanatstart", "cleanschema" ->
                s.mayReadTrue() ? "cleans the database (drops every object) at start-up" : null;
            case "skipdefaultcallbacks" ->
                s.mayReadTrue()
                    ? "skips the SQL callbacks, prodguard's " + ProdguardIntegrity.CALLBACK
                    : null;
            case "callbacklocations" ->
                !covers(cased, context.callbackLocation())
                    ? "moves callbacks away from "
                        + context.callbackLocation()
                        + ", where prodguard's "
                        + ProdguardIntegrity.CALLBACK
                        + " lives"
                    : context.config().isEmpty() || v.contains("${")
                        ? null
                        : outsideLocations(own, context)
                            .map(
                                e ->
                                    "adds "
                                        + e
                                        + ", which prodguard.yml's migrations.locations does not"
                                        + " hold: an application configured so runs the callbacks"
                                        + " there on every migrate without prodguard judging them")
                            .orElse(null);
            case "locations" ->
                // only where prodguard manages the repository (it has a callback to leave out); a
                // placeholder without a default is set elsewhere and cannot be judged here
                context.config().isEmpty() || v.contains("${")
                    ? null
                    : !covers(cased, context.callbackLocation())
                        ? "leaves out "
                            + context.callbackLocation()
                            + ", where prodguard's "
                            + ProdguardIntegrity.CALLBACK
                            + " lives, so an application configured so runs Flyway without it"
                        : outsideLocations(own, context)
                            .map(
                                e ->
                                    "adds "
                                        + e
                                        + ", which prodguard.yml's migrations.locations does not"
                                        + " hold: an application configured so runs the"
                                        + " migrations and callbacks there (a callback on every"
                                        + " migrate, even with nothing pending) without prodguard"
                                        + " judging, hashing or deploying them")
                            .orElse(null);
            case "initsql", "initsqls" ->
                v.isBlank()
                    ? null
                    : "runs SQL on every connection Flyway opens, before any migration and"
                        + " even with nothing pending, which prodguard never judges";
            case "table" ->
                v.isBlank() || v.contains("${") || v.equalsIgnoreCase(historyTable(context))
                    ? null
                    : "moves Flyway's schema history to "
                        + v
                        + ": prodguard reads and guards "
                        + historyTable(context)
                        + " (migrations.table; G6's history triggers, status, verify, drift), so"
                        + " an application configured so migrates against a history prodguard"
                        + " never sees (set migrations.table: "
                        + v
                        + " in prodguard.yml if that is the project's history)";
            case "sqlmigrationsuffixes" ->
                !suffixes(v).contains(".sql")
                    ? "leaves .sql out of Flyway's SQL suffixes: Flyway then ignores prodguard's "
                        + ProdguardIntegrity.CALLBACK
                        + ", so G6's check inside the database silently never runs"
                    : suffixes(v).stream().allMatch(".sql"::equals)
                        ? null
                        : "adds SQL suffixes other than .sql ("
                            + String.join(
                                ", ", suffixes(v).stream().filter(x -> !x.equals(".sql")).toList())
                            + "): the application's Flyway then runs files prodguard never reads"
                            + " nor judges (an afterMigrate__x.pgsql on every start-up)";
            case "sqlmigrationprefix",
                "sqlmigrationseparator",
                "baselinemigrationprefix",
                "repeatablesqlmigrationprefix" ->
                v.isBlank() || caseKept(s).equals(NAMING.get(name))
                    ? null
                    : "changes Flyway's migration naming ("
                        + NAMING.get(name)
                        + " is prodguard's): the application's Flyway then runs other files than"
                        + " the ones prodguard verified and deploys";
            default -> null;
          };
      if (problem != null
          && s.indexed()
          && (problem.startsWith("leaves out") || problem.startsWith("moves callbacks"))
          && !leftOut.add(s.profile() + "\u0000" + s.unindexed())) {
        // the list leaves the callback's folder out: said once, at its first entry
        problem = null;
      }
      if (problem != null) {
        Finding f =
            finding(
                file,
                s.line(),
                s.column(),
                s.key() + "=" + s.value() + " " + problem,
                context.testDatabases().throwaway(file, context));
        if ((name.equals("locations") || name.equals("callbacklocations"))
            && !problem.startsWith("adds ")) {
          // the one fix for this finding, not the rule's general list of safe defaults
          f =
              new Finding(
                  f.rule(),
                  f.severity(),
                  f.location(),
                  f.migration(),
                  f.message()
                      .replace(" Instead: " + recipe(), " Instead: " + addLocation(s, context)),
                  f.excerpt(),
                  f.recipe(),
                  f.guarantee(),
                  f.coveredBy());
        }
        if (problem.startsWith("adds ") || name.startsWith("initsql")) {
          String fix =
              name.startsWith("initsql")
                  ? "remove it; SQL the database needs belongs in a migration that prodguard"
                      + " judges and deploys (or in the database's own settings, ALTER ROLE ..."
                      + " SET, reviewed outside the application)."
                  : "keep the application's Flyway locations to prodguard.yml's"
                      + " migrations.locations, or add the location to migrations.locations (one"
                      + " migration set; a second set needs a schema of its own:"
                      + " docs/configuration.md).";
          f =
              new Finding(
                  f.rule(),
                  f.severity(),
                  f.location(),
                  f.migration(),
                  f.message().replace(" Instead: " + recipe(), " Instead: " + fix),
                  f.excerpt(),
                  f.recipe(),
                  f.guarantee(),
                  f.coveredBy());
        }
        out.add(f);
      }
    }
  }

  /**
   * The first entry of a {@code locations} value that none of prodguard.yml's migrations.locations
   * holds: not the location itself, a folder inside it, or the same folder spelt from elsewhere. A
   * folder above a location (Flyway scans it whole, other folders too), a wildcard and another
   * folder are outside (fail closed).
   */
  static Optional<String> outsideLocations(String value, ScanContext context) {
    List<String> ours = new ArrayList<>();
    for (String location : context.config().orElseThrow().migrationLocations()) {
      String l = bare(location);
      ours.add(l);
      ours.add(classpathPart(l));
    }
    for (String entry : value.split("[,\\s\"'\\[\\]]+")) {
      String e = bare(entry);
      if (e.isEmpty()) {
        continue;
      }
      boolean held = false;
      for (String l : ours) {
        if (!e.contains("*")
            && !e.contains("?")
            && (e.equals(l)
                || e.startsWith(l + "/")
                || e.endsWith("/" + l)
                || e.contains("/" + l + "/"))) {
          held = true;
          break;
        }
      }
      if (!held) {
        return Optional.of(entry.trim());
      }
    }
    return Optional.empty();
  }

  /**
   * The fix of a {@code locations} or {@code callbackLocations} finding: add the folder of
   * prodguard's callback, spelt as the setting spells its locations ({@code classpath:db/migration}
   * beside {@code classpath:} entries, a folder under {@code src/main/resources} as the classpath
   * location it is, else {@code filesystem:}).
   */
  static String addLocation(Setting s, ScanContext context) {
    String folder = context.callbackLocation();
    String location = flywayLocation(folder, s.value());
    String value = caseKept(s);
    return "add "
        + location
        + " (the folder of prodguard's "
        + ProdguardIntegrity.CALLBACK
        + ", "
        + folder
        + ") to "
        + s.key()
        + (value.matches("[^\\[\\]{}()\"']*")
            ? ", e.g. " + s.key() + "=" + (value.isBlank() ? "" : value + ",") + location
            : "")
        + "; Flyway finds SQL callbacks only in the locations it is given.";
  }

  /** {@code folder} (a prodguard.yml location) as a Flyway location beside {@code value}. */
  static String flywayLocation(String folder, String value) {
    if (folder.startsWith("classpath:") || folder.startsWith("filesystem:")) {
      return folder;
    }
    String f = folder.replace('\\', '/');
    int resources = f.indexOf("src/main/resources/");
    if (resources >= 0) {
      return "classpath:" + f.substring(resources + "src/main/resources/".length());
    }
    return (value.contains("classpath:") ? "classpath:" : "filesystem:") + f;
  }

  /** The schema history table prodguard runs Flyway with (Flyway's default). */
  static final String HISTORY_TABLE = "flyway_schema_history";

  /** The history table prodguard.yml names ({@code migrations.table}), else Flyway's default. */
  private static String historyTable(ScanContext context) {
    return context.config().map(c -> c.schemas().table()).orElse(HISTORY_TABLE);
  }

  /** Flyway's naming as prodguard runs it: Flyway's defaults. */
  private static final java.util.Map<String, String> NAMING =
      java.util.Map.of(
          "sqlmigrationprefix", "V",
          "sqlmigrationseparator", "__",
          "baselinemigrationprefix", "B",
          "repeatablesqlmigrationprefix", "R");

  /** The value as written, unquoted, its case kept (Flyway's prefixes are case-sensitive). */
  private static String caseKept(Setting s) {
    String v = s.value().trim();
    if (v.length() >= 2
        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** A suffixes value ({@code .sql,.pgsql}, {@code [".sql"]}) as lower-case entries. */
  private static List<String> suffixes(String value) {
    return java.util.Arrays.stream(value.split("[,\\s\"'\\[\\]]+"))
        .map(e -> e.trim().toLowerCase(Locale.ROOT))
        .filter(e -> !e.isEmpty())
        .toList();
  }

  /**
   * The settings this rule judges, normalized; longer names first, so that {@code
   * callbacklocations} is not read as {@code locations}.
   */
  private static final List<String> SETTINGS =
      List.of(
          "repeatablesqlmigrationprefix",
          "baselinemigrationprefix",
          "sqlmigrationseparator",
          "sqlmigrationsuffixes",
          "sqlmigrationprefix",
          "cleanonvalidationerror",
          "ignoremigrationpatterns",
          "ignoremissingmigrations",
          "ignoreignoredmigrations",
          "skipdefaultcallbacks",
          "callbacklocations",
          "validateonmigrate",
          "baselineonmigrate",
          "cleandisabled",
          "cleanatstart",
          "cleanschema",
          "outoforder",
          "locations",
          "initsqls",
          "initsql",
          "table");

  /**
   * The Flyway setting a key names (normalized, e.g. "cleandisabled"), or null. After the last
   * "flyway" of the key, the setting is its end: Spring's {@code spring.flyway.clean-disabled},
   * Quarkus' {@code quarkus.flyway.clean-disabled} and {@code quarkus.flyway."users".out-of-order}
   * (a named datasource), Micronaut's {@code flyway.datasources.default.clean-disabled} and their
   * environment-variable spellings ({@code FLYWAY_DATASOURCES_DEFAULT_CLEAN_DISABLED}). A key
   * without "flyway" counts by its last segment (a builder call, a Gradle block).
   */
  static String flywaySetting(Setting s) {
    String norm = s.normalizedKey();
    int i = norm.lastIndexOf("flyway");
    if (i < 0 && s.key().toLowerCase(Locale.ROOT).startsWith("environments.")) {
      // flyway.toml's [environments.prod]: the environment's own Flyway settings
      int dot = s.key().indexOf('.', "environments.".length());
      String rest = dot < 0 ? "" : Setting.normalize(s.key().substring(dot + 1));
      for (String name : SETTINGS) {
        if (rest.equals(name)) {
          return name;
        }
      }
      return null;
    }
    if (i < 0) {
      String last = s.lastSegment();
      // "locations" and "table" are common words: without "flyway" in the key, only a builder
      // call (.table("x") in a file that mentions Flyway) is Flyway's
      return (last.equals("locations") || last.equals("table"))
              && s.origin() != Setting.Origin.FLUENT
          ? null
          : last;
    }
    String rest = norm.substring(i + "flyway".length());
    for (String name : SETTINGS) {
      if (rest.endsWith(name)) {
        // spring.flyway.placeholders.table is a placeholder named "table", not the setting
        return name.equals("table") && rest.contains("placeholder") ? null : name;
      }
    }
    return rest;
  }

  /**
   * Whether a locations or callbackLocations value includes the location of prodguard's callback:
   * the location itself, a folder above it (Flyway scans locations recursively), or the same folder
   * spelt from elsewhere ({@code classpath:db/migration} for {@code
   * src/main/resources/db/migration}, an absolute {@code filesystem:} path ending in it).
   */
  static boolean covers(String value, String location) {
    String loc = bare(location);
    String onClasspath = classpathPart(loc);
    for (String entry : value.split("[,\\s\"'\\[\\]]+")) {
      String e = bare(entry);
      if (e.isEmpty()) {
        continue;
      }
      for (String l : onClasspath.equals(loc) ? List.of(loc) : List.of(loc, onClasspath)) {
        if (e.equals(l) || l.startsWith(e + "/") || e.endsWith("/" + l)) {
          return true;
        }
      }
    }
    return value.isBlank();
  }

  /** {@code db/migration} for {@code src/main/resources/db/migration} (or any module's). */
  private static String classpathPart(String loc) {
    int i = loc.indexOf("src/main/resources/");
    return i < 0 ? loc : loc.substring(i + "src/main/resources/".length());
  }

  /**
   * The location without its {@code classpath:} or {@code filesystem:} prefix and outer slashes,
   * its case kept: a class path and a Linux file system tell {@code db/MIGRATION} from {@code
   * db/migration} (another folder), so a location is held only spelt with the same case.
   */
  private static String bare(String location) {
    String l = location.trim();
    for (String prefix : List.of("classpath:", "filesystem:")) {
      if (l.toLowerCase(Locale.ROOT).startsWith(prefix)) {
        l = l.substring(prefix.length());
      }
    }
    while (l.startsWith("/") || l.startsWith("./")) {
      l = l.startsWith("/") ? l.substring(1) : l.substring(2);
    }
    while (l.endsWith("/")) {
      l = l.substring(0, l.length() - 1);
    }
    return l;
  }
}
