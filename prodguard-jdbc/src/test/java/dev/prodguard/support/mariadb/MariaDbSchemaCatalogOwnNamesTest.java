package dev.prodguard.support.mariadb;

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
 * Drift leaves out prodguard's own MySQL/MariaDB routines and triggers by exact name: the list is
 * exactly what prodguard's MariaDB SQL creates, so drift neither reports prodguard's objects nor
 * hides a hand-made {@code prodguard_fix} trigger (the prefix pattern did).
 */
@DisplayName("G7 drift: prodguard's own MariaDB routines and triggers, by exact name")
class MariaDbSchemaCatalogOwnNamesTest {
  private static final Pattern CREATED =
      Pattern.compile(
          "(?i)CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:DEFINER\\s*=\\s*\\S+\\s+)?"
              + "(?:FUNCTION|PROCEDURE|TRIGGER|EVENT)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
              + "`?(prodguard_\\w+)");

  @Test
  void theListIsExactlyWhatIsCreated() throws Exception {
    Set<String> created = new TreeSet<>();
    for (Path dir :
        new Path[] {
          Path.of("src/main/resources/dev/prodguard/support/mariadb"),
          Path.of("src/main/java/dev/prodguard/support/mariadb")
        }) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          if (f.getFileName().toString().equals("MariaDbSchemaCatalog.java")) {
            continue;
          }
          Matcher m = CREATED.matcher(Files.readString(f));
          while (m.find()) {
            created.add(m.group(1));
          }
        }
      }
    }
    assertThat(new TreeSet<>(MariaDbSchemaCatalog.OWN_NAMES)).isEqualTo(created);
  }

  @Test
  void ownTriggersAndRoutineBodiesAreKnownExactly() {
    // the audit table's two append-only triggers; the history table's three guards are matched
    // on whichever table migrations.table names (isOwnTrigger), not by a fixed name
    assertThat(MariaDbSchemaCatalog4.OWN_TRIGGERS).hasSize(2);
    assertThat(MariaDbSchemaCatalog4.isOwnTrigger())
        .contains("prodguard_history_no_", "installed_rank")
        .doesNotContain("flyway_schema_history");
    assertThat(MariaDbSchemaCatalog4.OWN_TRIGGERS)
        .allSatisfy(
            t -> assertThat(t).matches("prodguard_\\w+\\|\\w+\\|BEFORE\\|\\w+\\|[0-9a-f]{64}"));
    for (String n : MariaDbSchemaCatalog.OWN_NAMES) {
      if (!n.contains("_no_")) {
        assertThat(MariaDbSchemaCatalog4.KNOWN_BODIES).as(n).containsKey(n);
      }
    }
    // guards V1 and V4 each released a body of the check
    assertThat(MariaDbSchemaCatalog4.KNOWN_BODIES.get("prodguard_guard_check")).hasSize(2);
  }
}
