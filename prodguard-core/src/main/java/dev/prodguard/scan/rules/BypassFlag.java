package dev.prodguard.scan.rules;

import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Finding;
import dev.prodguard.scan.RepoPaths;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Severity;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of variables, properties and flags that switch a guard off: a bypass word (skip, bypass,
 * allow, force, disable, unsafe, or no- directly before a guard word) together with a guard word
 * (CI, guard, safety, check, fingerprint, backup, verify, prodguard, migration, contract) in one
 * identifier, in code, scripts, env files, configuration and CI files. Words are compared whole, so
 * {@code ALLOW_ORIGINS} or {@code skipTests} do not match.
 */
public final class BypassFlag implements Rule {
  public static final String ID = "bypass-flag";

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*");
  private static final Pattern HINT = Pattern.compile("skip|bypass|allow|force|disable|unsafe|no");

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
  private static final Pattern NO_FLAG =
      Pattern.compile("(?i)(?:^|[._-])no[._-]([a-z0-9]+)");
  private static final List<String> PREFIXES =
      List.of("skip", "bypass", "allow", "force", "disable", "unsafe", "no");

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Severity severity() {
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
  public String instead() {
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
    Matcher m = TOKEN.matcher(code);
    while (m.find()) {
      String token = m.group();
      if (!HINT.matcher(token.toLowerCase(java.util.Locale.ROOT)).find()) {
        continue;
      }
      int start = m.start();
      if (start > 0
          && code.charAt(start - 1) == '-'
          && token.length() > 2
          && token.charAt(0) == 'D'
          && Character.isLowerCase(token.charAt(1))) {
        token = token.substring(1); // -Dname=value: the property is "name"
        start++;
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
  }

  private void report(ScanFile file, int offset, String name, List<Finding> out) {
    String why = bypass(name);
    if (why != null) {
      out.add(
          finding(file, offset, "'" + name + "' is named like a bypass of a guard (" + why + ")"));
    }
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
