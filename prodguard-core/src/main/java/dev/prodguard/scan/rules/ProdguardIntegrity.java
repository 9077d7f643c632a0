package dev.prodguard.scan.rules;

import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.Excerpts;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.read.CodeView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * prodguard's own installation in a prodguard-managed repository (one with {@code prodguard.yml}):
 * the contract exists and is committed; the first migration location holds a committed Flyway
 * callback ({@link #CALLBACK}) that calls {@code prodguard_assert_deploy()} (G6), and no stale
 * {@code beforeMigrate.sql} that calls it on every migrate; every protected environment has a
 * fingerprint (G2). A repository without {@code prodguard.yml} is not managed by prodguard and
 * these checks do not apply (docs/scan.md).
 */
public final class ProdguardIntegrity implements Rule {
  public static final String ID = "prodguard-integrity";

  /**
   * Flyway's callback as prodguard-flyway's {@code CallbackFile} names it (a test there keeps the
   * two equal).
   */
  public static final String CALLBACK = "beforeEachMigrate.sql";

  /** The callback earlier prodguard versions wrote, as {@code LEGACY_CALLBACK}. */
  public static final String LEGACY_CALLBACK = "beforeMigrate.sql";

  private static final Pattern ASSERT_CALL =
      Pattern.compile("(?i)\\bprodguard_assert_deploy\\s*\\(\\s*\\)");

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
    return "prodguard's own safeguards missing or stale: contract, "
        + CALLBACK
        + " callback calling prodguard_assert_deploy() (and no "
        + LEGACY_CALLBACK
        + " calling it),"
        + " fingerprints of protected environments";
  }

  @Override
  public String why() {
    return "Without them the guarantees are switched off silently: no contract means nothing"
        + " to check migrations against, no callback means a hand-run Flyway migrate is not"
        + " stopped by the database, no fingerprint means any database passes as production."
        + " A "
        + LEGACY_CALLBACK
        + " that calls the assert runs on every migrate, also with nothing"
        + " pending, so an application that migrates at start-up cannot start.";
  }

  @Override
  public String recipe() {
    return "Run 'prodguard init-fingerprint ENV --write-config' from CI for each protected"
        + " environment (it writes the fingerprint and the callback, and removes prodguard's old"
        + " "
        + LEGACY_CALLBACK
        + "), and commit prodguard-contract.yml.";
  }

  private static final String CONTRACT_WHY = "nothing checks migrations against a contract (G4)";
  private static final String CONTRACT_FIX =
      "write prodguard-contract.yml (docs/contract.md) and commit it.";
  private static final String CALLBACK_WHY =
      "a hand-run Flyway migrate is not stopped by the database (G6)";
  private static final String CALLBACK_FIX =
      "run 'prodguard init-fingerprint ENV' from CI (it writes the callback) and commit it.";

  /**
   * One problem in a few lines: what is wrong, what that switches off, and its own fix. Several
   * problems of a repository are reported together, so each says only its part of {@link #why()}
   * (issue 15: one screen, not the same paragraph three times).
   */
  private static String short_(String specific, String consequence, String fix) {
    return specific + ": " + consequence + ". Instead: " + fix;
  }

  @Override
  public void checkRepository(ScanContext context, List<Finding> out) {
    if (context.config().isEmpty()) {
      return;
    }
    ProdguardConfig config = context.config().get();
    String configPath = context.configPath();
    Path configFile = config.file();

    if (context.contract().isEmpty()) {
      out.add(
          at(
              configFile,
              configPath,
              keyAt(configFile, "contract", 0),
              short_(
                  "the contract " + context.contractPath() + " is missing",
                  CONTRACT_WHY,
                  CONTRACT_FIX)));
    } else if (context.git() && !context.files().contains(context.contractPath())) {
      out.add(
          at(
              configFile,
              configPath,
              keyAt(configFile, "contract", 0),
              short_(
                  "the contract " + context.contractPath() + " exists but is not committed",
                  CONTRACT_WHY,
                  CONTRACT_FIX)));
    }

    for (EnvironmentConfig env : config.environments().values()) {
      if (env.isProtected() && env.fingerprint().isEmpty()) {
        out.add(
            at(
                configFile,
                configPath,
                keyAt(configFile, env.name().toLowerCase(Locale.ROOT), env.line()),
                short_(
                    "protected environment '" + env.name() + "' has no fingerprint",
                    "any database passes as " + env.name() + " (G2)",
                    "run 'prodguard init-fingerprint "
                        + env.name()
                        + " --write-config' from CI and commit prodguard.yml.")));
      }
    }

    callback(context, config, out);
  }

  private void callback(ScanContext context, ProdguardConfig config, List<Finding> out) {
    String location = config.migrationLocations().get(0);
    for (String path : candidates(context, location, LEGACY_CALLBACK)) {
      String text = read(context.root().resolve(path));
      if (ASSERT_CALL.matcher(CodeView.strip(text, FileKind.SQL)).find()) {
        out.add(
            finding(
                path,
                1,
                1,
                Excerpts.of(firstLine(text)),
                short_(
                    path
                        + " is stale: it calls prodguard_assert_deploy() on every migrate, also"
                        + " with nothing pending",
                    "an application that migrates at start-up cannot start, and "
                        + CALLBACK
                        + " does the job",
                    "run 'prodguard init-fingerprint ENV' (it removes prodguard's own old"
                        + " file), or delete it.")));
      }
    }
    List<String> candidates = candidates(context, location, CALLBACK);
    if (candidates.isEmpty()) {
      out.add(
          at(
              config.file(),
              context.configPath(),
              keyAt(config.file(), "locations", 0),
              short_(
                  CALLBACK
                      + " is missing from the first migration location '"
                      + location
                      + "' (or not committed)",
                  CALLBACK_WHY,
                  CALLBACK_FIX)));
      return;
    }
    for (String path : candidates) {
      String text = read(context.root().resolve(path));
      if (!dev.prodguard.support.AssertCallSql.calls(text)) {
        out.add(
            finding(
                path,
                1,
                1,
                Excerpts.of(firstLine(text)),
                short_(
                    path
                        + " does not call prodguard_assert_deploy() (unconditionally, or in"
                        + " prodguard's own check for its objects)",
                    CALLBACK_WHY,
                    CALLBACK_FIX)));
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Committed files of that name in the location (classpath: under any resources root). */
  private static List<String> candidates(ScanContext context, String location, String name) {
    String l = location.trim();
    boolean classpath = true;
    if (l.startsWith("classpath:")) {
      l = l.substring("classpath:".length());
    } else if (l.startsWith("filesystem:")) {
      l = l.substring("filesystem:".length());
      classpath = false;
    }
    while (l.startsWith("/") || l.startsWith("./")) {
      l = l.substring(l.startsWith("/") ? 1 : 2);
    }
    while (l.endsWith("/")) {
      l = l.substring(0, l.length() - 1);
    }
    String direct = l + "/" + name;
    String inResources = "src/main/resources/" + direct;
    List<String> out = new ArrayList<>();
    for (String f : context.files()) {
      if (f.equals(direct)
          || classpath && (f.equals(inResources) || f.endsWith("/" + inResources))) {
        out.add(f);
      }
    }
    out.sort(null);
    return out;
  }

  private Finding at(Path file, String path, int[] at, String message) {
    return finding(path, at[0], at[1], Excerpts.of(line(file, at[0])), message);
  }

  /** Line and column of the first {@code key:} (optionally the last one before {@code before}). */
  private static int[] keyAt(Path file, String key, int before) {
    int[] found = {1, 1};
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size() && (before <= 0 || i + 1 <= before); i++) {
        String l = lines.get(i);
        String t = l.stripLeading();
        if (t.toLowerCase(Locale.ROOT).startsWith(key + ":")) {
          found = new int[] {i + 1, l.length() - t.length() + 1};
          if (before <= 0) {
            break;
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // the finding still names the file
    }
    return found;
  }

  private static String line(Path file, int line) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    } catch (IOException | java.io.UncheckedIOException e) {
      return "";
    }
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
