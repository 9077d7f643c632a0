package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flyway setting prodguard must know (history table, locations, schemas, baseline, callbacks,
 * Java migrations, resolvers, naming, placeholder syntax, init SQL, safety switches) configured in
 * code with a value prodguard cannot read: {@code configuration.table(tableName)}, {@code
 * .locations(props.get("x"))}. The settings reader only understands literals, so before this rule
 * such a call was silently ignored (alf.io chooses its history table at run time). Fail closed: the
 * call is a finding.
 *
 * <p>Only Flyway's own fluent configuration counts, decided by what the file shows: the file must
 * import or name {@code org.flywaydb} (or {@code FluentConfiguration}), and the call must be part
 * of a chain whose receiver is {@code Flyway.configure(...)}, {@code new FluentConfiguration(...)},
 * or a variable or parameter the file declares as a {@code FluentConfiguration} or assigns from one
 * of those two (also the parameter of a {@code FlywayConfigurationCustomizer} lambda in a file that
 * names that interface). A {@code .table(x)} of another library (jOOQ, a query builder) on any
 * other receiver is not Flyway's and stays silent.
 */
public final class FlywaySettingNotLiteral implements Rule {
  public static final String ID = "flyway-setting-not-literal";

  /** Fluent methods of Flyway's configuration whose value decides what prodguard guards. */
  // one string: a list of quoted names would read as key/value pairs to the settings reader
  static final Set<String> SETTINGS =
      Set.of(
          ("table locations schemas defaultSchema createSchemas "
                  + "baselineVersion baselineOnMigrate callbacks skipDefaultCallbacks javaMigrations "
                  + "javaMigrationClassProvider resolvers skipDefaultResolvers resourceProvider sqlMigrationPrefix "
                  + "sqlMigrationSeparator sqlMigrationSuffixes repeatableSqlMigrationPrefix baselineMigrationPrefix cleanDisabled "
                  + "cleanOnValidationError validateOnMigrate outOfOrder ignoreMigrationPatterns configuration "
                  + "placeholderPrefix placeholderSuffix placeholderSeparator placeholderReplacement "
                  + "callbackLocations initSql")
              .split(" "));

  /** {@code Flyway.configure(} and {@code new FluentConfiguration(}: a chain starts here. */
  private static final Pattern ROOT =
      Pattern.compile("\\bFlyway\\s*\\.\\s*configure\\s*\\(|\\bnew\\s+FluentConfiguration\\s*\\(");

  /** {@code FluentConfiguration name} (a declaration or a parameter). */
  private static final Pattern TYPED =
      Pattern.compile("\\bFluentConfiguration\\s*>?\\s+([A-Za-z_]\\w*)\\b(?!\\s*\\()");

  /** {@code name = Flyway.configure(} / {@code name = new FluentConfiguration(}. */
  private static final Pattern ASSIGNED =
      Pattern.compile(
          "\\b([A-Za-z_]\\w*)\\s*(?::\\s*FluentConfiguration\\s*)?=\\s*"
              + "(?:Flyway\\s*\\.\\s*configure|new\\s+FluentConfiguration|FluentConfiguration)\\s*\\(");

  /** {@code c ->} / {@code (c) ->} / {@code { c ->} (a lambda's parameter). */
  private static final Pattern LAMBDA_PARAM =
      Pattern.compile("(?:\\(\\s*|\\{\\s*|(?<![\\w.]))([A-Za-z_]\\w*)\\s*\\)?\\s*->");

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
    return "a Flyway setting prodguard must know (table, locations, schemas, baseline, callbacks,"
        + " Java migrations, resolvers, naming, placeholder syntax, init SQL, safety switches) set"
        + " in code from a value that is"
        + " not a literal";
  }

  @Override
  public String why() {
    return "prodguard reads Flyway's configuration from the repository; a value computed at run"
        + " time (a variable, a method call, a property lookup) cannot be read, so the"
        + " application's Flyway may use another history table, other migrations or callbacks"
        + " than the ones prodguard verifies, guards and deploys (G5, G6).";
  }

  @Override
  public String recipe() {
    return "write the value as a literal in the call (.table(\"flyway_schema_history\")), or"
        + " leave the call out and set it in prodguard.yml (migrations.table,"
        + " migrations.locations, migrations.java, schemas) so prodguard and the application use"
        + " the same one; a project that moved its history table migrates to"
        + " flyway_schema_history once, or sets migrations.table to the table it uses.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    if (file.kind() != FileKind.JAVA
        && file.kind() != FileKind.KOTLIN
        && file.kind() != FileKind.GROOVY) {
      return false;
    }
    String code = file.code();
    return code.contains("org.flywaydb") || code.contains("FluentConfiguration");
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    String code = file.code();
    Set<Integer> chainStarts = new LinkedHashSet<>();
    Matcher root = ROOT.matcher(code);
    while (root.find()) {
      // the chain goes on after configure(...)'s closing parenthesis
      int close = closing(code, root.end() - 1);
      if (close > 0) {
        chainStarts.add(close + 1);
      }
    }
    Set<String> receivers = new LinkedHashSet<>();
    collect(TYPED, code, receivers);
    collect(ASSIGNED, code, receivers);
    if (code.contains("FlywayConfigurationCustomizer")) {
      collect(LAMBDA_PARAM, code, receivers);
    }
    for (String r : receivers) {
      Matcher m = Pattern.compile("(?<![\\w.])" + Pattern.quote(r) + "(?=\\s*\\.)").matcher(code);
      while (m.find()) {
        chainStarts.add(m.end());
      }
    }
    Set<Integer> reported = new LinkedHashSet<>();
    for (int start : chainStarts) {
      if (inString(code, start)) {
        // source code in a string literal (a test writing a project) is not this file's Flyway
        continue;
      }
      int at = start;
      while (true) {
        int dot = skipSpace(code, at);
        if (dot >= code.length() || code.charAt(dot) != '.') {
          break;
        }
        int nameStart = skipSpace(code, dot + 1);
        int nameEnd = nameStart;
        while (nameEnd < code.length() && Character.isJavaIdentifierPart(code.charAt(nameEnd))) {
          nameEnd++;
        }
        int open = skipSpace(code, nameEnd);
        if (nameEnd == nameStart || open >= code.length() || code.charAt(open) != '(') {
          break;
        }
        int close = closing(code, open);
        if (close < 0) {
          break;
        }
        String name = code.substring(nameStart, nameEnd);
        String args = code.substring(open + 1, close);
        if (SETTINGS.contains(name) && !literal(args) && reported.add(nameStart)) {
          out.add(
              finding(
                  file,
                  file.line(nameStart),
                  file.column(nameStart),
                  "Flyway's "
                      + name
                      + " is set from "
                      + head(args)
                      + ", a value prodguard cannot read",
                  context.testDatabases().throwaway(file, context)));
        }
        at = close + 1;
      }
    }
  }

  private static void collect(Pattern p, String code, Set<String> out) {
    Matcher m = p.matcher(code);
    while (m.find()) {
      out.add(m.group(1));
    }
  }

  private static String head(String args) {
    String a = args.strip().replaceAll("\\s+", " ");
    return a.isEmpty() ? "no value" : a.length() > 60 ? a.substring(0, 57) + "..." : a;
  }

  /** String literals without interpolation, true/false, numbers, MigrationVersion literals. */
  private static final Pattern LITERAL_ARG =
      Pattern.compile(
          "\"(?:[^\"\\\\$]|\\\\.)*\"|'(?:[^'\\\\$]|\\\\.)*'|true|false|-?\\d+(?:\\.\\d+)?[LlFfDd]?"
              + "|MigrationVersion\\s*\\.\\s*(?:LATEST|EMPTY"
              + "|fromVersion\\s*\\(\\s*\"[^\"\\\\$]*\"\\s*\\))");

  /** Whether every argument of a call is a literal prodguard reads (no arguments: not one). */
  static boolean literal(String args) {
    String a = args.strip();
    if (a.isEmpty()) {
      return false;
    }
    // split on top-level commas only; a literal argument never holds a parenthesis or comma
    // outside its quotes except fromVersion(...)
    String rest = LITERAL_ARG.matcher(a).replaceAll("");
    return rest.replaceAll("[\\s,]", "").isEmpty();
  }

  /**
   * Whether {@code offset} is inside a double-quoted string on its line (an odd number of unescaped
   * quotes before it); Java text blocks are not told apart.
   */
  static boolean inString(String code, int offset) {
    int lineStart = code.lastIndexOf('\n', offset - 1) + 1;
    boolean in = false;
    for (int i = lineStart; i < offset; i++) {
      char c = code.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        in = !in;
      }
    }
    return in;
  }

  private static int skipSpace(String code, int at) {
    while (at < code.length() && Character.isWhitespace(code.charAt(at))) {
      at++;
    }
    return at;
  }

  /** The offset of the parenthesis closing the one at {@code open}, skipping strings; or -1. */
  static int closing(String code, int open) {
    int depth = 0;
    for (int i = open; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < code.length() && code.charAt(j) != c && code.charAt(j) != '\n') {
          j += code.charAt(j) == '\\' ? 2 : 1;
        }
        i = j;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        if (--depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }
}
