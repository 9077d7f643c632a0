package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.RepoPaths;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials committed to the repository: a URL with an inline password (userinfo or a {@code
 * password=} parameter) for a host that is not the local machine, in any configuration, env, script
 * or main source file; and a literal password, secret or token under a key, file or profile named
 * like production or staging. Test files are exempt from the first check unless they are
 * production-like themselves. Hosts reserved for documentation ({@code example.com}, {@code .test})
 * are samples; in minified web code ({@link ScanFile#isMinifiedWebCodeAt}) only database URLs are
 * reported. Findings never print the secret.
 */
public final class CommittedCredentials implements Rule {
  public static final String ID = "committed-credentials";

  private static final Pattern URL =
      Pattern.compile("(?i)\\b(?:jdbc:)?[a-z][a-z0-9+.-]*://[^\\s\"'<>`]+");
  private static final Pattern USERINFO =
      Pattern.compile("^[^/]*//([^/@?#]*)@(\\[[^\\]]*\\]|[^/:?#;,]*)");
  private static final Pattern HOST =
      Pattern.compile("^[^/]*//(?:[^/@?#]*@)?(\\[[^\\]]*\\]|[^/:?#;,]*)");
  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("(?i)[?&;](?:password|pwd|sslpassword)=([^&;#]*)");
  private static final List<String> SECRET_KEYS =
      List.of(
          "password",
          "passwd",
          "pwd",
          "secret",
          "token",
          "apikey",
          "secretkey",
          "accesskey",
          "privatekey",
          "credentials",
          "clientsecret");
  private static final Pattern PLACEHOLDER =
      Pattern.compile(
          "(?i)^(?:|\\$.*|%.*|\\{\\{.*|<.*>|\\*+|x+|\\.\\.\\.|enc\\(.*|vault:.*|secret:.*"
              + "|file:.*|env:.*|true|false|null|none|changeme|change-me|redacted)$");

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
    return "Production credentials or URLs with passwords committed in config or env files";
  }

  @Override
  public String why() {
    return "A committed credential is readable by everyone with the repository, forever (git"
        + " history keeps it), and lets any laptop reach the database without the pipeline.";
  }

  @Override
  public String recipe() {
    return "Rotate the credential, remove it from the file, and read it from the environment"
        + " (${DB_PASSWORD}, a CI secret or a secret manager) at run time.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    return file.kind() != FileKind.DOC && file.kind() != FileKind.SQL;
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    boolean hasUrl = file.code().indexOf("://") >= 0;
    boolean config = !file.kind().isJvmSource(); // in code only URLs count
    if (!hasUrl && !config) {
      return;
    }
    boolean prodFile =
        RepoPaths.isProdLike(file.path()) || RepoPaths.isProdLike(file.fileProfile().orElse(null));
    if (hasUrl && (!file.isTest() || prodFile)) {
      urls(file, out);
    }
    if (!config) {
      return;
    }
    for (Setting s : file.settings()) {
      String last = s.lastSegment();
      if (SECRET_KEYS.stream().noneMatch(last::endsWith)
          || isPlaceholder(s.value())
          || isCiPermission(s)) {
        continue;
      }
      if (prodFile || RepoPaths.isProdLike(s.profile()) || RepoPaths.isProdLike(s.key())) {
        out.add(
            finding(
                file,
                s.line(),
                s.column(),
                "a literal value for " + s.key() + " in production-like configuration"));
      }
    }
  }

  private void urls(ScanFile file, List<Finding> out) {
    String code = file.code();
    Matcher m = URL.matcher(code);
    while (m.find()) {
      String url = m.group();
      String password = null;
      Matcher ui = USERINFO.matcher(url);
      if (ui.find()) {
        String userinfo = ui.group(1);
        int colon = userinfo.indexOf(':');
        if (colon >= 0) {
          password = userinfo.substring(colon + 1);
        }
      }
      if (password == null || isPlaceholder(password)) {
        Matcher p = PASSWORD_PARAM.matcher(url);
        password = p.find() ? p.group(1) : null;
      }
      if (password == null || isPlaceholder(password)) {
        continue;
      }
      Matcher h = HOST.matcher(url);
      String host = h.find() ? h.group(1).toLowerCase(Locale.ROOT) : "";
      if (isLocal(host)
          || isReservedForDocumentation(host)
          || host.startsWith("$")
          || host.startsWith("{")) {
        continue;
      }
      if (file.isMinifiedWebCodeAt(m.start()) && !isDatabaseUrl(url)) {
        continue; // a library's sample URL in minified web code; a database URL is reported
      }
      out.add(
          finding(
              file,
              m.start(),
              "a URL with an inline password for host " + (host.isEmpty() ? "?" : host)));
    }
  }

  /**
   * A CI job's permission scope ({@code permissions: id-token: write} in GitHub Actions, which OIDC
   * needs) names a right, not a secret.
   */
  static boolean isCiPermission(Setting s) {
    String key = s.key().toLowerCase(Locale.ROOT);
    String v = s.value().trim().toLowerCase(Locale.ROOT);
    return (key.startsWith("permissions.") || key.contains(".permissions."))
        && (v.equals("read") || v.equals("write") || v.equals("none"));
  }

  static boolean isPlaceholder(String value) {
    String v = value.trim();
    return PLACEHOLDER.matcher(v).matches() || v.contains("${") || v.contains("{{");
  }

  /** A database connection URL by its scheme (JDBC, PostgreSQL, MySQL or MariaDB). */
  static boolean isDatabaseUrl(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    return u.startsWith("jdbc:")
        || u.startsWith("postgres://")
        || u.startsWith("postgresql://")
        || u.startsWith("mysql://")
        || u.startsWith("mariadb://");
  }

  static boolean isLocal(String host) {
    String h = host.replace("[", "").replace("]", "");
    return h.isEmpty()
        || h.equals("localhost")
        || h.endsWith(".localhost")
        || h.startsWith("127.")
        || h.equals("::1")
        || h.equals("0.0.0.0")
        || isReservedForDocumentation(h);
  }

  /**
   * The names RFC 2606 and RFC 6761 reserve for documentation and testing ({@code example.com},
   * {@code db.example.org}, {@code *.example}, {@code *.test}, {@code *.invalid}): no database
   * answers there, so a password in such a URL is an example, as in a vendored library's doc
   * comment {@code http://user:password@example.com:8080/} (issue 15).
   */
  static boolean isReservedForDocumentation(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    String h = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    for (String domain : List.of("example.com", "example.net", "example.org")) {
      if (h.equals(domain) || h.endsWith("." + domain)) {
        return true;
      }
    }
    return h.endsWith(".example")
        || h.endsWith(".test")
        || h.endsWith(".invalid")
        || h.equals("example")
        || h.equals("test")
        || h.equals("invalid");
  }
}
