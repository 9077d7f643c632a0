package dev.prodguard.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a repository-relative path says about a file: test code, CI configuration, profile. */
public final class RepoPaths {
  private static final Set<String> TEST_SOURCE_SETS =
      Set.of("test", "tests", "it", "testfixtures", "integrationtest", "integration-test");
  private static final Pattern PROFILE_FILE =
      Pattern.compile("(?:application|bootstrap)-([A-Za-z0-9_,.-]+)\\.(?:properties|ya?ml)");
  private static final Pattern PROD_TOKEN =
      Pattern.compile("(?:prod|production|prd|staging|stg|preprod)\\d*");
  private static final Pattern WORD_SPLIT = Pattern.compile("[^A-Za-z0-9]+");
  private static final Pattern CAMEL =
      Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");

  private RepoPaths() {}

  /**
   * Test code and test resources: {@code src/test/**}, other test source sets ({@code src/it},
   * {@code src/integrationTest}, {@code src/testFixtures}, any {@code src/*Test}) and top-level
   * {@code test/} or {@code tests/} folders.
   */
  public static boolean isTest(String path) {
    String[] seg = path.split("/");
    if (seg.length > 1) {
      String top = seg[0].toLowerCase(Locale.ROOT);
      if (top.equals("test") || top.equals("tests")) {
        return true;
      }
    }
    for (int i = 0; i + 2 < seg.length; i++) {
      if (seg[i].equals("src")) {
        String set = seg[i + 1];
        String lower = set.toLowerCase(Locale.ROOT);
        if (TEST_SOURCE_SETS.contains(lower) || set.endsWith("Test") || set.endsWith("Tests")) {
          return true;
        }
      }
    }
    return false;
  }

  /** CI configuration: the files a CI system reads to know what to run. */
  public static boolean isCiConfig(String path) {
    String p = path;
    String name = p.substring(p.lastIndexOf('/') + 1);
    return p.startsWith(".github/workflows/")
        || p.startsWith(".github/actions/")
        || p.equals(".gitlab-ci.yml")
        || p.equals(".gitlab-ci.yaml")
        || p.startsWith(".gitlab/ci/")
        || p.startsWith(".circleci/")
        || p.startsWith(".buildkite/")
        || p.startsWith(".woodpecker/")
        || p.equals(".woodpecker.yml")
        || p.equals(".travis.yml")
        || p.equals(".drone.yml")
        || p.equals("bitbucket-pipelines.yml")
        || p.equals("azure-pipelines.yml")
        || p.startsWith(".azure-pipelines/")
        || p.startsWith(".tekton/")
        || name.equals("Jenkinsfile");
  }

  /**
   * A file served to browsers by its name: JavaScript, a stylesheet, or a source map ({@code
   * app.js.map}). Its code runs in a browser, not in a pipeline or an application server, unless
   * something runs it as a script (see {@link ScanFile#isMinifiedWebCodeAt}).
   */
  public static boolean isWebAsset(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return name.endsWith(".js")
        || name.endsWith(".mjs")
        || name.endsWith(".cjs")
        || name.endsWith(".css")
        || name.endsWith(".map");
  }

  /** The Spring profile a file is for ({@code application-prod.yml} -> prod), if any. */
  public static Optional<String> fileProfile(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    Matcher m = PROFILE_FILE.matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Words of an identifier or path: split at punctuation and camelCase, lower-cased. */
  public static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    for (String part : WORD_SPLIT.split(s)) {
      if (part.isEmpty()) {
        continue;
      }
      for (String w : CAMEL.split(part)) {
        if (!w.isEmpty()) {
          out.add(w.toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  /** True when any word of {@code s} names production or staging (prod, production, stg...). */
  public static boolean isProdLike(String s) {
    if (s == null) {
      return false;
    }
    for (String w : words(s)) {
      if (PROD_TOKEN.matcher(w).matches()) {
        return true;
      }
    }
    return false;
  }
}
