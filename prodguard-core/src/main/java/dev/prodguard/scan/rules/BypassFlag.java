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
  static final Set<String> GUARD =
      Set.of(
          "ci",
          "guard",
          "guards",
          "prodguard",
          "safety",
          "check",
          "checks",
          "fingerprint",
          "fingerprints",
          "backup",
          "backups",
          "verify",
          "verification",
          "migration",
          "migrations",
          "migrate",
          "contract");
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
    if (file.isTest() && file.kind().isJvmSource() && declaresMethod(code, start, end)) {
      // testCheckTotalTimeout_zeroDisabled_noTimeout(): a test's name describes what it checks,
      // it switches nothing (issue 15)
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
    String why = bypass(name);
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
   * The matching words ("skip + ci"), or null when the name is no bypass. "no" counts before
   * "verify" (NO_VERIFY, noVerify) and as a separate flag word before any guard word (NO_BACKUP,
   * --no-backup), not in a camelCase name that describes a state (noBackup).
   */
  static String bypass(String token) {
    List<String> words = RepoPaths.words(token);
    String bypassWord = null;
    String guardWord = null;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (BYPASS.contains(w) && bypassWord == null) {
        bypassWord = w;
      } else if (w.equals("no") && i + 1 < words.size() && words.get(i + 1).equals("verify")) {
        bypassWord = "no";
      }
      if (GUARD.contains(w) && guardWord == null) {
        guardWord = w;
      }
      for (String p : PREFIXES) {
        if (w.length() > p.length() && w.startsWith(p)) {
          String rest = w.substring(p.length());
          if (p.equals("no") ? rest.equals("verify") : GUARD.contains(rest)) {
            return p + " + " + rest;
          }
        }
      }
    }
    if (bypassWord == null) {
      Matcher no = NO_FLAG.matcher(token);
      while (no.find()) {
        if (GUARD.contains(no.group(1).toLowerCase(java.util.Locale.ROOT))) {
          return "no + " + no.group(1).toLowerCase(java.util.Locale.ROOT);
        }
      }
    }
    return bypassWord != null && guardWord != null ? bypassWord + " + " + guardWord : null;
  }
}
