package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.RepoPaths;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of variables, properties and flags that switch a guard off: a bypass word (skip, bypass,
 * allow, force, disable, unsafe, or no- directly before a guard word) together with a guard word
 * (CI, guard, safety, check, fingerprint, backup, verify, prodguard, migration, contract) in one
 * identifier, in code, scripts, env files, configuration and CI files. Words are compared whole, so
 * {@code ALLOW_ORIGINS} or {@code skipTests} do not match. In minified web code ({@link
 * ScanFile#isMinifiedWebCodeAt}) only names of prodguard, Flyway, migration or fingerprint switches
 * are reported: the rest is a library's own options.
 */
public final class BypassFlag implements Rule {
  public static final String ID = "bypass-flag";

  static final Set<String> BYPASS =
      Set.of(
          "skip",
          "skips",
          "skipped",
          "skipping",
          "bypass",
          "bypasses",
          "bypassed",
          "bypassing",
          "allow",
          "allows",
          "force",
          "forced",
          "forces",
          "forcing",
          "disable",
          "disables",
          "disabled",
          "disabling",
          "unsafe");

  /**
   * Words that name what prodguard guards: itself, its fingerprints, backups and contract, Flyway
   * and migrations, DDL and the CI pipeline. One of them beside a bypass word makes a bypass in any
   * name ({@code SKIP_MIGRATION_CHECK}, {@code allowProdDdl}, {@code PRODGUARD_SKIP}).
   */
  static final Set<String> GUARD =
      Set.of(
          "ci",
          "prodguard",
          "fingerprint",
          "fingerprints",
          "backup",
          "backups",
          "migration",
          "migrations",
          "migrate",
          "contract",
          "flyway",
          "liquibase",
          "ddl",
          "pipeline");

  /**
   * Words for the database, deploys and gates that applications also use for their own features
   * ({@code allowEmptyDB} in a browser database library, Vaadin's {@code forceProductionBuild}):
   * beside a bypass word they make a bypass when the name says nothing else ({@code force_deploy},
   * {@code SKIP_DB}, {@code DISABLE_DB_SAFETY}, {@code SKIP_HOOKS}).
   */
  static final Set<String> DOMAIN =
      Set.of(
          "db",
          "database",
          "schema",
          "deploy",
          "deployment",
          "gate",
          "gates",
          "hook",
          "hooks",
          "prod",
          "production");

  /**
   * Words of names that describe a guard's subject rather than switch it: prodguard's own {@code
   * flyway-unsafe-setting} rule, a finding or test about it. Flyway's {@code cleanDisabled} (in
   * every spelling) is judged by its value in flyway-unsafe-setting.
   */
  private static final Set<String> DESCRIPTIVE =
      Set.of(
          "setting",
          "settings",
          "rule",
          "rules",
          "finding",
          "findings",
          "warning",
          "warnings",
          "error",
          "errors",
          "exception",
          "exceptions",
          "message",
          "messages",
          "test",
          "tests");

  /**
   * Words that name some check without saying which. Beside a bypass word they make a bypass only
   * when the name says nothing else ({@code SKIP_CHECKS}, {@code app.bypass-guard}, {@code
   * --no-verify}), and, for the everyday words skip, force, allow and disable, only where a
   * pipeline gate lives (scripts, env, build and CI files): {@code forceCheck()} in a web page and
   * {@code skipArtifactAccessCheck} are an application's own features (issue 15).
   */
  static final Set<String> CHECK =
      Set.of(
          "check", "checks", "verify", "verification", "safety", "guard", "guards", "validation");

  /** Words that add nothing to a name: {@code app.skip-checks} says no more than skip-checks. */
  private static final Set<String> FILLER =
      Set.of(
          "app",
          "all",
          "is",
          "should",
          "can",
          "flag",
          "mode",
          "env",
          "enabled",
          "enable",
          "for",
          "now",
          "once",
          "always",
          "temp",
          "temporary",
          "hotfix",
          "emergency",
          "override");

  /** Bypass words that no application feature uses for its own checks. */
  private static final Set<String> STRONG_BYPASS =
      Set.of("bypass", "bypasses", "bypassed", "bypassing", "unsafe", "no");

  /** Third-party settings whose words read like a bypass but do not touch a guard. */
  private static final Set<String> KNOWN_SETTINGS = Set.of("maven.deploy.skip");

  private static final Pattern NO_FLAG = Pattern.compile("(?i)(?:^|[._-])no[._-]([a-z0-9]+)");
  private static final List<String> PREFIXES =
      List.of("skip", "bypass", "allow", "force", "disable", "unsafe", "no");

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
    return "Bypass-named variables, properties and flags that touch a guard";
  }

  @Override
  public String why() {
    return "A switch that turns a guard off is how a 'temporary' exception reaches production:"
        + " whoever sets it skips the check, and nobody reviews when.";
  }

  @Override
  public String recipe() {
    return "Remove the switch and fix the cause the check reports; if the check itself is wrong,"
        + " change the contract (reviewed) rather than adding a way around it.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    return file.kind() != FileKind.DOC && file.kind() != FileKind.SQL;
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    String code = file.code();
    String lower = file.codeLower();
    // only tokens around a bypass word are candidates: find the words in one pass (much
    // cheaper than a regex over every token of every file), then expand to their tokens
    int[] hits = new int[16];
    int n = 0;
    int len = lower.length();
    for (int i = 0; i + 1 < len; i++) {
      String hint =
          switch (lower.charAt(i)) {
            case 's' -> "skip";
            case 'b' -> "bypass";
            case 'a' -> "allow";
            case 'f' -> "force";
            case 'd' -> "disable";
            case 'u' -> "unsafe";
            case 'n' -> "no";
            default -> null;
          };
      if (hint == null || !lower.startsWith(hint, i)) {
        continue;
      }
      if (hint.equals("no") && !(i + 2 < len && (".-_v".indexOf(lower.charAt(i + 2)) >= 0))) {
        continue;
      }
      if (n == hits.length) {
        hits = java.util.Arrays.copyOf(hits, n * 2);
      }
      hits[n++] = i;
      i += hint.length() - 1;
    }
    if (n == 0) {
      return;
    }
    int done = -1;
    for (int k = 0; k < n; k++) {
      int start = hits[k];
      if (start < done) {
        continue;
      }
      while (start > 0 && isTokenChar(code, start - 1)) {
        start--;
      }
      int end = hits[k] + 1;
      while (end < code.length() && isTokenChar(code, end)) {
        end++;
      }
      done = end;
      check(file, code, start, trimSeparators(code, start, end), out);
    }
  }

  private static boolean isTokenChar(String code, int i) {
    char c = code.charAt(i);
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
      return true;
    }
    // '.' and '-' join words (prodguard.skip-fingerprint) when a word character follows
    return (c == '.' || c == '-')
        && i + 1 < code.length()
        && i > 0
        && isWordChar(code.charAt(i + 1))
        && isWordChar(code.charAt(i - 1));
  }

  private static boolean isWordChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
  }

  private static int trimSeparators(String code, int start, int end) {
    while (end > start && (code.charAt(end - 1) == '.' || code.charAt(end - 1) == '-')) {
      end--;
    }
    return end;
  }

  private void check(ScanFile file, String code, int start, int end, List<Finding> out) {
    while (start < end && (code.charAt(start) == '.' || code.charAt(start) == '-')) {
      start++;
    }
    if (start >= end) {
      return;
    }
    String token = code.substring(start, end);
    if (start > 0
        && code.charAt(start - 1) == '-'
        && token.length() > 2
        && token.charAt(0) == 'D'
        && Character.isLowerCase(token.charAt(1))) {
      token = token.substring(1); // -Dname=value: the property is "name"
      start++;
    }
    if (file.isTest() && file.kind().isJvmSource() && namesTestMethod(code, token, start, end)) {
      // testCheckTotalTimeout_zeroDisabled_noTimeout(): a test's name describes what it checks,
      // it switches nothing; nor do its calls or a literal of its name (issue 15)
      return;
    }
    boolean qualifiedName =
        file.kind().isJvmSource()
            && token.indexOf('.') > 0
            && (start == 0 || (code.charAt(start - 1) != '"' && code.charAt(start - 1) != '\''));
    if (qualifiedName) {
      // java.util.List, dev.prodguard.x.Y: each segment is an identifier of its own
      int from = 0;
      for (String segment : token.split("\\.")) {
        report(file, start + from, segment, out);
        from += segment.length() + 1;
      }
    } else {
      report(file, start, token, out);
    }
  }

  /**
   * Whether the name at {@code start..end} is a method declared in this file: the declaration
   * itself, a call of it, or a string literal of its name (a test's display or source name).
   */
  static boolean namesTestMethod(String code, String token, int start, int end) {
    if (declaresMethod(code, start, end)) {
      return true;
    }
    for (int at = code.indexOf(token); at >= 0; at = code.indexOf(token, at + 1)) {
      int to = at + token.length();
      if (at != start
          && (at == 0 || !isWordChar(code.charAt(at - 1)))
          && (to == code.length() || !isWordChar(code.charAt(to)))
          && declaresMethod(code, at, to)) {
        return true;
      }
    }
    return false;
  }

  private static final Set<String> NOT_A_TYPE =
      Set.of("return", "new", "throw", "else", "case", "yield", "await", "assert", "in", "is");

  /**
   * Whether the name at {@code start..end} is declared as a method: an opening parenthesis follows,
   * and a return type, {@code void}, {@code fun} or {@code def} (an identifier, or a generic or
   * array type's closing bracket) precedes it. A call has a '.', an operator or a statement start
   * before it instead.
   */
  static boolean declaresMethod(String code, int start, int end) {
    int after = end;
    while (after < code.length() && Character.isWhitespace(code.charAt(after))) {
      after++;
    }
    if (after >= code.length() || code.charAt(after) != '(') {
      return false;
    }
    int before = start - 1;
    while (before >= 0 && Character.isWhitespace(code.charAt(before))) {
      before--;
    }
    if (before < 0) {
      return false;
    }
    char c = code.charAt(before);
    if (c == '>' || c == ']') {
      return true;
    }
    if (!isWordChar(c)) {
      return false;
    }
    int wordStart = before;
    while (wordStart > 0 && isWordChar(code.charAt(wordStart - 1))) {
      wordStart--;
    }
    return !NOT_A_TYPE.contains(code.substring(wordStart, before + 1));
  }

  private void report(ScanFile file, int offset, String name, List<Finding> out) {
    String why = bypass(name, gateContext(file));
    if (why != null && file.isMinifiedWebCodeAt(offset) && !namesDeployKey(name)) {
      // skipWatchIdCheck, .form-check.disabled in jquery.min.js or bootstrap.min.css: a library's
      // own option, which nothing in a deploy reads; one that names prodguard, Flyway, a
      // migration or the fingerprint is reported wherever it is
      return;
    }
    if (why != null) {
      out.add(
          finding(file, offset, "'" + name + "' is named like a bypass of a guard (" + why + ")"));
    }
  }

  /** Whether an identifier names prodguard, Flyway, a migration or the fingerprint. */
  static boolean namesDeployKey(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    return n.contains("prodguard")
        || n.contains("flyway")
        || n.contains("migrat")
        || n.contains("fingerprint");
  }

  /**
   * The matching words ("skip + ci"), or null when the name is no bypass. A guard word (what
   * prodguard guards, {@link #GUARD}) beside a bypass word always counts; a generic check word
   * ({@link #CHECK}) only when the name holds nothing else and, for skip/force/allow/disable, only
   * in a gate context ({@code gateContext}: scripts, env, build and CI files). "no" counts before
   * "verify" (NO_VERIFY, noVerify) and as a separate flag word (NO_BACKUP, --no-backup), not in a
   * camelCase name that describes a state (noBackup).
   */
  static String bypass(String token, boolean gateContext) {
    if (KNOWN_SETTINGS.contains(token)) {
      return null;
    }
    List<String> words = RepoPaths.words(token);
    if (words.stream().anyMatch(DESCRIPTIVE::contains)
        || words.contains("clean") && words.contains("disabled")) {
      return null;
    }
    String bypassWord = null;
    String guardWord = null;
    String checkWord = null;
    String domainWord = null;
    boolean other = false;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (BYPASS.contains(w)) {
        bypassWord = bypassWord == null ? w : bypassWord;
        continue;
      }
      if (w.equals("no")) {
        if (i + 1 < words.size() && words.get(i + 1).equals("verify") && bypassWord == null) {
          bypassWord = "no";
        }
        continue;
      }
      if (GUARD.contains(w)) {
        guardWord = guardWord == null ? w : guardWord;
        continue;
      }
      if (CHECK.contains(w) || DOMAIN.contains(w)) {
        if (DOMAIN.contains(w) && domainWord == null) {
          domainWord = w;
        }
        checkWord = checkWord == null ? w : checkWord;
        continue;
      }
      boolean glued = false;
      for (String p : PREFIXES) {
        if (w.length() > p.length() && w.startsWith(p)) {
          String rest = w.substring(p.length());
          if (GUARD.contains(rest) && !p.equals("no") || p.equals("no") && rest.equals("verify")) {
            return p + " + " + rest; // skipci, noverify
          }
          if ((CHECK.contains(rest) || DOMAIN.contains(rest)) && !p.equals("no")) {
            domainWord = DOMAIN.contains(rest) && domainWord == null ? rest : domainWord;
            bypassWord = bypassWord == null ? p : bypassWord;
            checkWord = checkWord == null ? rest : checkWord;
            glued = true;
            break;
          }
        }
      }
      if (!glued && !FILLER.contains(w)) {
        other = true;
      }
    }
    if (bypassWord == null) {
      Matcher no = NO_FLAG.matcher(token);
      while (no.find() && bypassWord == null) {
        String w = no.group(1).toLowerCase(java.util.Locale.ROOT);
        if (GUARD.contains(w) || CHECK.contains(w) || w.equals("hooks")) {
          bypassWord = "no";
        }
      }
    }
    if (bypassWord == null) {
      return null;
    }
    if (guardWord != null) {
      return bypassWord + " + " + guardWord;
    }
    if (domainWord != null && !other) {
      return bypassWord + " + " + domainWord;
    }
    if (checkWord != null && !other && (gateContext || STRONG_BYPASS.contains(bypassWord))) {
      return bypassWord + " + " + checkWord;
    }
    return null;
  }

  /** Scripts, env, build and CI files: where a pipeline's gates are switched. */
  static boolean gateContext(ScanFile file) {
    return switch (file.kind()) {
      case SHELL, WINDOWS_SCRIPT, MAKEFILE, DOTENV, DOCKERFILE, MAVEN_POM, GRADLE, PACKAGE_JSON ->
          true;
      default -> file.isCiConfig();
    };
  }
}
