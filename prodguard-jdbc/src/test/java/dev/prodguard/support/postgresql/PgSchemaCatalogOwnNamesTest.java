package dev.prodguard.support.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Drift leaves out prodguard's own routines and triggers exactly (routines by name and argument
 * types, triggers by name, table and definition): every routine and trigger prodguard's PostgreSQL
 * SQL creates is in those lists, and every routine's released bodies are known, so the description
 * neither reports prodguard's objects as drift nor hides a hand-made {@code prodguard_*} one.
 */
@DisplayName("G7 drift: prodguard's own PostgreSQL routines and triggers, exactly")
class PgSchemaCatalogOwnNamesTest {
  private static final Pattern CREATED =
      Pattern.compile(
          "(?i)CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:CONSTRAINT\\s+|EVENT\\s+)?"
              + "(?:FUNCTION|PROCEDURE|TRIGGER)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
              + "(?:\\w+\\.)?(prodguard_\\w+)");

  @Test
  void everyCreatedNameIsListed() throws Exception {
    Set<String> created = new TreeSet<>();
    Path root = Path.of("src/main/resources/dev/prodguard/support/postgresql");
    Path java = Path.of("src/main/java/dev/prodguard/support/postgresql");
    for (Path dir : new Path[] {root, java}) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Matcher m = CREATED.matcher(Files.readString(f));
          while (m.find()) {
            created.add(m.group(1));
          }
        }
      }
    }
    assertThat(created).isNotEmpty();
    Set<String> listed = new TreeSet<>();
    PgOwnObjects.FUNCTIONS.forEach(f -> listed.add(f.substring(0, f.indexOf('('))));
    PgOwnObjects.TRIGGERS.forEach(t -> listed.add(t.name()));
    listed.add("prodguard_ddl_guard_drop");
    listed.add("prodguard_ddl_guard_end");
    listed.add(
        "prodguard_truncate_guard"); // the TRUNCATE guard's trigger: isOwnTrigger's own clause
    assertThat(listed).isEqualTo(created);
    // every routine is described by whether its body is one prodguard released
    for (String f : PgOwnObjects.FUNCTIONS) {
      assertThat(PgOwnObjects.KNOWN_BODIES).containsKey(f.substring(0, f.indexOf('(')));
    }
    assertThat(PgOwnObjects.KNOWN_BODIES.get("prodguard_guard_check")).hasSize(2);
  }
}
