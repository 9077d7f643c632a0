package dev.prodguard.scan.rules;

import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.db.HostPattern;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A protected environment's URL variable ({@code PROD_DATABASE_URL}, or its {@code deploy-url}'s),
 * or a literal URL whose host matches a protected environment's {@code hosts}, in a file that is
 * not one of the contract's {@code mutation-scripts} (documentation aside: naming the variable is
 * not using it): the original specification's "new mutation script" check. The protected
 * environments come from {@code prodguard.yml}; without it nothing is known to be protected and the
 * rule has nothing to look for.
 */
public final class ProtectedUrlReference implements Rule {
  public static final String ID = "protected-url-reference";

  private static final Pattern DB_URL =
      Pattern.compile(
          "(?i)\\b(?:jdbc:)?(?:postgresql|postgres|mysql|mariadb)://(?:[^@/\\s\"'<>]*@)?"
              + "(\\[[^\\]\\s]+\\]|[^/:?#\\s\"'<>,;]+)");

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
    return "A protected environment's URL variable or host referenced outside mutation-scripts";
  }

  @Override
  public String why() {
    return "Every file that can reach a protected database is a way to change it; the contract"
        + " lists the few that may (the pipeline), and a new one must not appear unreviewed.";
  }

  @Override
  public String recipe() {
    return "Go through the pipeline ('prodguard promote ENV' in CI) instead of reading the"
        + " production URL here; if this file is a new mutation script, add it to the"
        + " contract's mutation-scripts so the change is reviewed.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    return !context.protectedEnvironments().isEmpty()
        && file.kind() != FileKind.DOC
        && !context.isMutationScript(file.path())
        && !context.isProdguardFile(file.path());
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    String code = file.code();
    for (EnvironmentConfig env : context.protectedEnvironments()) {
      for (String v : env.urlVariables()) {
        int i = code.indexOf(v);
        int lastLine = -1;
        while (i >= 0) {
          int after = i + v.length();
          boolean whole =
              (i == 0 || !DirectMigrationCall.isIdent(code.charAt(i - 1)))
                  && (after >= code.length() || !DirectMigrationCall.isIdent(code.charAt(after)));
          int line = file.line(i);
          if (whole && line != lastLine) {
            lastLine = line;
            out.add(
                finding(
                    file,
                    i,
                    "references "
                        + v
                        + ", the URL of protected environment '"
                        + env.name()
                        + "', but is not one of the contract's mutation-scripts"));
          }
          i = code.indexOf(v, i + 1);
        }
      }
    }
    List<HostPattern> hosts = context.protectedHosts();
    if (hosts.isEmpty() || code.indexOf("://") < 0) {
      return;
    }
    Matcher m = DB_URL.matcher(code);
    while (m.find()) {
      String host = m.group(1).replace("[", "").replace("]", "");
      for (EnvironmentConfig env : context.protectedEnvironments()) {
        if (env.hosts().stream().map(HostPattern::new).anyMatch(h -> h.matches(host))) {
          out.add(
              finding(
                  file,
                  m.start(),
                  "names host "
                      + host
                      + " of protected environment '"
                      + env.name()
                      + "' but is not one of the contract's mutation-scripts"));
          break;
        }
      }
    }
  }
}
