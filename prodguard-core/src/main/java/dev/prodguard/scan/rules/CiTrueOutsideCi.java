package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code CI=true} (or {@code CI: true}, {@code GITHUB_ACTIONS=true}, {@code GITLAB_CI=true})
 * hard-coded outside the files a CI system reads: in Makefiles, shell scripts, {@code package.json}
 * scripts, env files, Dockerfiles, compose files, build files and main code. Test code (src/test)
 * may set it in a child process's environment to prove the guards hold.
 */
public final class CiTrueOutsideCi implements Rule {
  public static final String ID = "ci-true-outside-ci";

  private static final Set<String> NAMES =
      Set.of("CI", "GITHUB_ACTIONS", "GITLAB_CI", "CONTINUOUS_INTEGRATION");
  private static final Set<String> TRUE = Set.of("true", "1", "yes", "on");
  private static final Pattern LITERAL =
      Pattern.compile(
          "\"(CI|GITHUB_ACTIONS|GITLAB_CI|CONTINUOUS_INTEGRATION)=(?i:(true|1|yes|on))\"");

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
    return "CI=true (or CI: true) set outside CI configuration";
  }

  @Override
  public String why() {
    return "Tools, prodguard's ci.mode env included, take CI=true as 'this is the pipeline';"
        + " set by hand in a script or Makefile it turns a laptop into a pretend CI runner.";
  }

  @Override
  public String recipe() {
    return "Let the CI system set CI itself (it always does); for production use ci.mode: oidc,"
        + " which a laptop cannot forge.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    FileKind k = file.kind();
    if (k == FileKind.DOC || k == FileKind.SQL || file.isCiConfig()) {
      return false;
    }
    return !(file.isTest() && (k == FileKind.JAVA || k == FileKind.KOTLIN || k == FileKind.GROOVY))
        && (file.code().contains("CI") || file.code().contains("CONTINUOUS_INTEGRATION"));
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    boolean code = file.kind().isJvmSource() && file.kind() != FileKind.GRADLE;
    if (code) {
      // in code, prose ("the CI=true claim") is no assignment: only a whole literal counts
      Matcher m = LITERAL.matcher(file.code());
      while (m.find()) {
        out.add(
            finding(
                file,
                m.start(1),
                m.group(1) + "=" + m.group(2) + " is set outside CI configuration"));
      }
    }
    for (Setting s : file.settings()) {
      if (code && s.origin() == Setting.Origin.INLINE) {
        continue;
      }
      String key = s.key();
      String last = key.substring(key.lastIndexOf('.') + 1);
      if (NAMES.contains(last) && TRUE.contains(s.effectiveValue())) {
        out.add(
            finding(
                file,
                s.line(),
                s.column(),
                last + "=" + s.value() + " is set outside CI configuration"));
      }
    }
  }
}
