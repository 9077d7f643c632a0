package dev.prodguard.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.Hashes;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * prodguard's database objects are SQL resources whose released versions never change: a database
 * that recorded version N in prodguard_schema never runs V N again, so an edit there would reach
 * only new installations. This pins every resource's SHA-256; a change fails here until it is a new
 * version (and its digest is pinned) or, for the install scripts that run every time, the pin is
 * updated on purpose.
 */
@DisplayName("database objects: versioned SQL resources, pinned")
class DatabaseObjectsDigestTest {
  private static final String PINS = "/dev/prodguard/support/database-objects.sha256";

  @Test
  @DisplayName("every SQL resource has the digest pinned for it, and every pin has its resource")
  void digestsArePinned() throws Exception {
    Map<String, String> actual = new TreeMap<>();
    for (String db : SqlResources.DATABASES) {
      Path dir = root().resolve(db);
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(f -> f.toString().endsWith(".sql")).toList()) {
          String name = db + "/" + dir.relativize(f).toString().replace('\\', '/');
          actual.put(name, sha256(Files.readAllBytes(f)));
        }
      }
    }
    Map<String, String> pinned = new TreeMap<>();
    String text =
        new String(
            DatabaseObjectsDigestTest.class.getResourceAsStream(PINS).readAllBytes(),
            StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String[] parts = line.trim().split("\\s+");
        pinned.put(parts[1], parts[0]);
      }
    }

    assertThat(actual)
        .as(
            "SQL resources and their pinned SHA-256 (prodguard-jdbc/src/test/resources%s): a"
                + " released V<n>.sql never changes; add V<n+1>.sql and pin it",
            PINS)
        .isEqualTo(pinned);
  }

  @Test
  @DisplayName(
      "each feature has the same versions on every database, each file parses into statements,"
          + " and the newest version is the highest file")
  void versionsMatchAcrossDatabases() {
    for (String feature : DatabaseObjects.FEATURES) {
      int latest = DatabaseObjects.latest(feature);
      assertThat(latest).as(feature).isPositive();
      for (String db : SqlResources.DATABASES) {
        SqlResources sql = new SqlResources(db);
        for (int v = 1; v <= latest; v++) {
          // throws when a database lacks a version the other has, or a file does not parse
          sql.statements(feature, v);
        }
        assertThat(sql.statements(feature, latest + 1)).isEmpty();
      }
    }
    assertThat(new SqlResources("postgresql").statements("pipeline", 1)).hasSize(3);
    assertThat(new SqlResources("mariadb").statements("audit", 2)).isEmpty();
  }

  @Test
  @DisplayName("a statement ends at a line holding only ';'; leading comment lines are left out")
  void parsing() {
    assertThat(SqlResources.parse("-- head\nSELECT 1\n;\n\n-- two\nSELECT\n  2;\n;\n", "t"))
        .containsExactly("SELECT 1", "SELECT\n  2;");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SqlResources.parse("SELECT 1\n", "t")))
        .hasMessageContaining("lacks its ';' line");
  }

  /**
   * The folder holding {@code postgresql/} and {@code mariadb/} resources, found through a file in
   * it: a package folder of the same name among the test classes would shadow the folder itself.
   */
  private static Path root() throws URISyntaxException {
    return Path.of(
            SqlResources.class
                .getResource("/dev/prodguard/support/postgresql/guards/V1.sql")
                .toURI())
        .getParent()
        .getParent()
        .getParent();
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(Hashes.sha256().digest(bytes));
  }
}
