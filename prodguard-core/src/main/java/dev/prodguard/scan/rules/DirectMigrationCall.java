package dev.prodguard.scan.rules;

import dev.prodguard.db.HostPattern;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A migration tool invoked directly, outside the contract's {@code mutation-scripts}: the Flyway
 * CLI, Maven goals and Gradle tasks that change a schema, {@code Flyway...migrate()} and friends in
 * JVM code, a Flyway or Liquibase Maven plugin bound to the build, the Liquibase CLI, and {@code
 * psql}/{@code mysql} fed from a protected environment's URL variable or host.
 */
public final class DirectMigrationCall implements Rule {
  public static final String ID = "direct-migration-call";

  private static final String FLYWAY_COMMANDS = "migrate|clean|repair|baseline|undo";
  private static final String OPTION = "(?:-{1,2}[\\w.:-]+(?:=(?:\"[^\"\\n]*\"|'[^'\\n]*'|\\S*))?)";

  private static final Pattern FLYWAY_CLI =
      Pattern.compile(
          "(?<![\\w.-])flyway(?:\\.cmd|\\.sh)?(?::[\\w.-]+)?(?:[ \\t]+(?:"
              + OPTION
              + "|\\\\\\r?\\n))*[ \\t]+("
              + FLYWAY_COMMANDS
              + ")(?![\\w-])");
  private static final Pattern FLYWAY_ARGS =
      Pattern.compile(
          "[\"']flyway[\"']\\s*,\\s*(?:[\"'][^\"'\\n]*[\"']\\s*,\\s*)*[\"']("
              + FLYWAY_COMMANDS
              + ")[\"']");
  private static final Pattern MAVEN_GOAL =
      Pattern.compile(
          "(?<![\\w-])(?:flyway|flyway-maven-plugin(?::[\\w.-]+)?):("
              + FLYWAY_COMMANDS
              + ")(?![\\w-])"
              + "|(?<![\\w-])(?:liquibase|liquibase-maven-plugin(?::[\\w.-]+)?)"
              + ":(update\\w*|rollback\\w*|dropAll|changelogSync\\w*)(?![\\w-])");
  private static final Pattern GRADLE_TASK =
      Pattern.compile("(?<![\\w-])flyway(Migrate|Clean|Repair|Baseline|Undo)(?![\\w-])");
  private static final Pattern LIQUIBASE_CLI =
      Pattern.compile(
          "(?<![\\w.-])liquibase(?:[ \\t]+"
              + OPTION
              + ")*[ \\t]+(update(?:-count|-to-tag|-testing-rollback)?|updateCount|updateToTag"
              + "|rollback(?:-count|-to-date|-one-changeset)?|rollbackCount|rollbackToDate"
              + "|drop-all|dropAll|changelog-sync\\S*|changelogSync\\S*)(?![\\w-])");
  private static final Pattern JVM_CALL =
      Pattern.compile("\\.\\s*(" + FLYWAY_COMMANDS + ")\\s*\\(\\s*\\)");
  private static final Pattern LIQUIBASE_CALL =
      Pattern.compile("\\.\\s*(update|dropAll|rollback)\\s*\\(");
  private static final Pattern POM_PLUGIN =
      Pattern.compile(
          "<artifactId>\\s*(flyway-maven-plugin|liquibase-maven-plugin)\\s*</artifactId>");
  private static final Pattern POM_GOAL =
      Pattern.compile(
          "<goal>\\s*("
              + FLYWAY_COMMANDS
              + "|update\\w*|rollback\\w*|dropAll|changelogSync\\w*)\\s*</goal>");
  private static final Pattern SQL_CLIENT =
      Pattern.compile("(?<![\\w.-])(psql|mysql|mariadb|pg_restore|mysqlsh)(?![\\w-])");
  private static final Pattern DB_URL =
      Pattern.compile(
          "(?i)\\b(?:jdbc:)?(?:postgresql|postgres|mysql|mariadb)://(?:[^@/\\s\"'<>]*@)?"
              + "(\\[[^\\]\\s]+\\]|[^/:?#\\s\"'<>,;]+)");
  private static final Set<String> JVM = Set.of("JAVA", "KOTLIN", "GROOVY", "GRADLE");

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
    return "Migration tool invoked outside the contract's mutation-scripts";
  }

  @Override
  public String why() {
    return "Only the guarded pipeline (verify, backup, deploy) may change a protected schema;"
        + " a direct call skips the contract check, the backup and the audit, and is how"
        + " a Flyway clean reaches production.";
  }

  @Override
  public String recipe() {
    return "Run migrations through 'prodguard promote ENV' from CI; if this file really is part"
        + " of that pipeline, list it in the contract's mutation-scripts (reviewed).";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    return file.kind() != FileKind.SQL
        && !context.isMutationScript(file.path())
        && !context.isProdguardFile(file.path());
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    String code = file.code();
    String lower = file.codeLower();
    Optional<String> t = context.testDatabases().throwaway(file, context);
    if (lower.contains("flyway")) {
      find(file, FLYWAY_CLI, "runs 'flyway %s' directly", t, out);
      find(file, FLYWAY_ARGS, "starts 'flyway %s' as a process", t, out);
      find(file, MAVEN_GOAL, "runs the migration goal '%s' directly", t, out);
      find(file, GRADLE_TASK, "runs the Gradle task 'flyway%s' directly", t, out);
      if (JVM.contains(file.kind().name())
          && (code.contains("Flyway") || code.contains("org.flywaydb"))) {
        find(file, JVM_CALL, "calls Flyway's %s() directly", t, out);
      }
    }
    if (lower.contains("liquibase")) {
      find(file, LIQUIBASE_CLI, "runs 'liquibase %s' directly", t, out);
      if (!lower.contains("flyway")) {
        find(file, MAVEN_GOAL, "runs the migration goal '%s' directly", t, out);
      }
      if (JVM.contains(file.kind().name()) && code.contains("Liquibase")) {
        find(file, LIQUIBASE_CALL, "calls Liquibase's %s() directly", t, out);
      }
    }
    if (file.kind() == FileKind.MAVEN_POM
        && (lower.contains("flyway") || lower.contains("liquibase"))) {
      pomGoals(file, out);
    }
    sqlClients(file, context, out);
  }

  private void find(
      ScanFile file, Pattern p, String what, Optional<String> throwaway, List<Finding> out) {
    Matcher m = p.matcher(file.code());
    while (m.find()) {
      String cmd = m.group(1) != null ? m.group(1) : m.group(2);
      out.add(
          finding(
              file,
              file.line(m.start()),
              file.column(m.start()),
              String.format(what, cmd),
              throwaway));
    }
  }

  /** A Flyway/Liquibase Maven plugin whose executions bind a mutating goal to the build. */
  private void pomGoals(ScanFile file, List<Finding> out) {
    String code = file.code();
    Matcher plugin = POM_PLUGIN.matcher(code);
    while (plugin.find()) {
      int end = code.indexOf("</plugin>", plugin.end());
      int start = code.lastIndexOf("<plugin>", plugin.start());
      Matcher goal = POM_GOAL.matcher(code);
      goal.region(start < 0 ? plugin.start() : start, end < 0 ? code.length() : end);
      while (goal.find()) {
        out.add(
            finding(
                file,
                goal.start(1),
                plugin.group(1) + " runs '" + goal.group(1) + "' as part of the Maven build"));
      }
    }
  }

  /** psql / mysql on a line that also names a protected URL variable or host. */
  private void sqlClients(ScanFile file, ScanContext context, List<Finding> out) {
    Set<String> vars = context.protectedVariables();
    List<HostPattern> hosts = context.protectedHosts();
    boolean conventional = context.conventionalProductionVariables();
    if (vars.isEmpty() && hosts.isEmpty() && !conventional) {
      return;
    }
    String lower = file.codeLower();
    if (!(lower.contains("psql")
        || lower.contains("mysql")
        || lower.contains("mariadb")
        || lower.contains("pg_restore"))) {
      return;
    }
    Matcher m = SQL_CLIENT.matcher(file.code());
    int lastLine = -1;
    while (m.find()) {
      int line = file.line(m.start());
      if (line == lastLine) {
        continue;
      }
      String text =
          file.code()
              .substring(
                  m.start(), Math.min(file.code().length(), lineEnd(file.code(), m.start())));
      String target = protectedTarget(text, vars, hosts);
      if (target == null && conventional) {
        Matcher c = ScanContext.CONVENTIONAL_PRODUCTION_URL.matcher(text);
        if (c.find()) {
          target =
              "the production URL variable "
                  + c.group(1)
                  + " (a conventional name: no prodguard.yml says which environments are"
                  + " protected)";
        }
      }
      if (target != null) {
        lastLine = line;
        out.add(finding(file, m.start(), "feeds " + target + " to " + m.group(1)));
      }
    }
  }

  private static int lineEnd(String code, int from) {
    int e = code.indexOf('\n', from);
    return e < 0 ? code.length() : e;
  }

  static String protectedTarget(String text, Set<String> vars, List<HostPattern> hosts) {
    for (String v : vars) {
      int i = text.indexOf(v);
      while (i >= 0) {
        boolean before = i == 0 || !isIdent(text.charAt(i - 1));
        int after = i + v.length();
        if (before && (after >= text.length() || !isIdent(text.charAt(after)))) {
          return "the protected URL variable " + v;
        }
        i = text.indexOf(v, i + 1);
      }
    }
    Matcher u = DB_URL.matcher(text);
    while (u.find()) {
      String host = u.group(1).replace("[", "").replace("]", "");
      for (HostPattern h : hosts) {
        if (h.matches(host)) {
          return "a URL of protected host " + host;
        }
      }
    }
    return null;
  }

  static boolean isIdent(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
