package dev.prodguard.scan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which test code cannot reach a protected database: a test source set ({@code backend/src/test/})
 * that provisions its own throwaway databases (Testcontainers, an embedded PostgreSQL,
 * H2/HSQLDB/Derby, Spring's embedded database), read from the set's own sources and resources, and
 * a file in it that names no database of its own: no protected URL variable or host, no
 * conventionally named production variable, no environment lookup, no URL of a host that is not
 * local. Findings of Flyway calls and settings there are lowered to warnings with this reason;
 * everything else stays an error (issue 15: a real service's DAO tests calling {@code
 * flyway.clean()} on their Testcontainers database are not a way into production, its main code's
 * {@code baselineOnMigrate=true} is).
 */
public final class TestDatabases {
  private static final Pattern THROWAWAY =
      Pattern.compile(
          "org\\.testcontainers|@Testcontainers\\b|\\b(?:PostgreSQL|MySQL|MariaDB)Container\\b"
              + "|jdbc:tc:|jdbc:h2:|jdbc:hsqldb:|jdbc:derby:|\\bEmbeddedPostgres\\b"
              + "|@AutoConfigureEmbeddedDatabase\\b|\\bEmbeddedDatabaseBuilder\\b"
              + "|io\\.zonky\\.test");

  /** What in a test file could name a database that is not its own throwaway one. */
  private static final Pattern OUTSIDE =
      Pattern.compile(
          "(?i)\\bgetenv\\s*\\(|\\bSystem\\.getProperty\\s*\\(\\s*\"[^\"]*(?:url|host)"
              + "|(?:jdbc:)?(?:postgresql|postgres|mysql|mariadb)://(?!(?:[^/@\\s\"']*@)?"
              + "(?:localhost|127\\.0\\.0\\.1|\\[::1]|\\$\\{))");

  private static final long MAX_EVIDENCE_FILE = 1024 * 1024;

  private final Path root;
  private final Set<String> files;
  private final Map<String, Optional<String>> bySet = new ConcurrentHashMap<>();

  public TestDatabases(Path root, Set<String> files) {
    this.root = root;
    this.files = files;
  }

  /**
   * Why {@code file} cannot reach a protected database, e.g. "its test source set provisions
   * throwaway databases (Testcontainers in backend/src/test/java/.../Containers.java)"; empty when
   * it is not test code, its set provisions none, or the file itself names a database.
   */
  public Optional<String> throwaway(ScanFile file, ScanContext context) {
    String set = sourceSet(file.path());
    if (set == null || namesADatabase(file, context)) {
      return Optional.empty();
    }
    return bySet
        .computeIfAbsent(set, this::evidence)
        .map(where -> "test code whose source set provisions throwaway databases (" + where + ")");
  }

  private boolean namesADatabase(ScanFile file, ScanContext context) {
    String code = file.code();
    if (OUTSIDE.matcher(code).find()
        || ScanContext.CONVENTIONAL_PRODUCTION_URL.matcher(code).find()) {
      return true;
    }
    for (String v : context.protectedVariables()) {
      if (code.contains(v)) {
        return true;
      }
    }
    String lower = file.codeLower();
    return context.protectedEnvironments().stream()
        .flatMap(e -> e.hosts().stream())
        .map(h -> h.replace("*", "").toLowerCase(Locale.ROOT))
        .anyMatch(h -> !h.isBlank() && lower.contains(h));
  }

  /** {@code backend/src/test/} for a file under it; null when the file is not in a test set. */
  static String sourceSet(String path) {
    if (!RepoPaths.isTest(path)) {
      return null;
    }
    String[] seg = path.split("/");
    for (int i = 0; i + 2 < seg.length; i++) {
      if (seg[i].equals("src")) {
        return String.join("/", List.of(seg).subList(0, i + 2)) + "/";
      }
    }
    return seg.length > 1 ? seg[0] + "/" : null;
  }

  private Optional<String> evidence(String set) {
    return files.stream()
        .filter(f -> f.startsWith(set))
        .filter(TestDatabases::mayProvision)
        .sorted(Comparator.naturalOrder())
        .map(f -> found(f).map(what -> what + " in " + f))
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static boolean mayProvision(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(".java")
        || p.endsWith(".kt")
        || p.endsWith(".groovy")
        || p.endsWith(".properties")
        || p.endsWith(".yml")
        || p.endsWith(".yaml")
        || p.endsWith(".xml");
  }

  private Optional<String> found(String path) {
    Path f = root.resolve(path);
    try {
      if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) > MAX_EVIDENCE_FILE) {
        return Optional.empty();
      }
      Matcher m = THROWAWAY.matcher(Files.readString(f, StandardCharsets.UTF_8));
      return m.find() ? Optional.of(label(m.group())) : Optional.empty();
    } catch (IOException | java.io.UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static String label(String match) {
    String m = match.toLowerCase(Locale.ROOT);
    if (m.contains("testcontainers") || m.contains("container") || m.startsWith("jdbc:tc")) {
      return "Testcontainers";
    }
    if (m.contains("h2")) {
      return "H2";
    }
    if (m.contains("hsqldb")) {
      return "HSQLDB";
    }
    if (m.contains("derby")) {
      return "Derby";
    }
    return "an embedded database";
  }
}
