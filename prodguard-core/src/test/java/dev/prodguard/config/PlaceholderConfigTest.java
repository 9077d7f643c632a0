package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.migration.Placeholders;
import dev.prodguard.testing.Configs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: {@code migrations.placeholders} (Flyway's placeholders, values may read {@code
 * ${VAR}}), {@code placeholder-prefix} and {@code -suffix}; a {@code placeholders:} key was an
 * unknown-key error before.
 */
@DisplayName("Configuration: migrations.placeholders, read strictly and bound into the set (G7)")
class PlaceholderConfigTest {
  @TempDir Path dir;

  static final String BASE = "environments:\n  dev:\n    url: postgresql://h/db\nmigrations:\n";

  ProdguardConfig load(String migrations) {
    return Configs.load(dir, BASE + migrations);
  }

  ConfigException error(String migrations) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> load(migrations));
    assertThat(t).isInstanceOf(ConfigException.class);
    return (ConfigException) t;
  }

  @Test
  @DisplayName("placeholders load with literal and ${VAR} values, prefix and suffix")
  void loads() {
    ProdguardConfig c =
        load(
            "  locations: [db/migration]\n"
                + "  placeholders:\n"
                + "    prefix: app\n"
                + "    count: 5\n"
                + "    customer: ${CUSTOMER}\n"
                + "  placeholder-prefix: '#['\n"
                + "  placeholder-suffix: ']'\n");
    assertThat(c.placeholders().prefix()).isEqualTo("#[");
    assertThat(c.placeholders().suffix()).isEqualTo("]");
    Placeholders resolved = Placeholders.resolve(c.placeholders(), Map.of("CUSTOMER", "acme"));
    assertThat(resolved.known())
        .containsExactly(
            Map.entry("prefix", "app"), Map.entry("count", "5"), Map.entry("customer", "acme"));
    Placeholders unset = Placeholders.resolve(c.placeholders(), Map.of());
    assertThat(unset.unknown()).containsOnlyKeys("customer");
    assertThatThrownBy(unset::requireKnown)
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.line()).isEqualTo(9);
              assertThat(e.key()).isEqualTo("migrations.placeholders.customer");
              assertThat(e.getMessage()).contains("CUSTOMER is not set");
            });
    assertThat(load("  locations: [db/migration]\n").placeholders())
        .isEqualTo(ProdguardConfig.Placeholders.NONE);
  }

  @Test
  @DisplayName("unknown keys stay errors; Flyway's own names and case-only twins are refused")
  void strict() {
    assertThat(error("  placeholder: { a: b }\n").key()).isEqualTo("migrations.placeholder");
    assertThat(error("  placeholders:\n    'flyway:user': me\n").getMessage()).contains("flyway:");
    assertThat(error("  placeholders:\n    Prefix: a\n    prefix: b\n").getMessage())
        .contains("case-insensitive");
    assertThat(error("  placeholders:\n    a: { b: c }\n").key())
        .isEqualTo("migrations.placeholders.a");
    assertThat(error("  placeholder-prefix: ''\n").key())
        .isEqualTo("migrations.placeholder-prefix");
  }

  @Test
  @DisplayName("G7: a changed placeholder value changes the migration set's SHA-256")
  void boundIntoTheSet() {
    MigrationFile f = new MigrationFile("V2__x.sql", "db/migration", "SELECT '${a}';".getBytes());
    PendingMigration p = new PendingMigration(Optional.of("2"), "x", f);
    MigrationFiles files = MigrationFiles.of(List.of(f));
    String none = MigrationSet.of(List.of(p), List.of(), files).sha256();
    String one =
        MigrationSet.of(
                List.of(p), List.of(), files.with(Placeholders.of("${", "}", Map.of("a", "1"))))
            .sha256();
    String two =
        MigrationSet.of(
                List.of(p), List.of(), files.with(Placeholders.of("${", "}", Map.of("a", "2"))))
            .sha256();
    assertThat(none).isNotEqualTo(one);
    assertThat(one).isNotEqualTo(two);
    assertThat(MigrationSet.of(List.of(p), List.of(), files.with(Placeholders.NONE)).sha256())
        .as("a project without placeholders keeps its hash")
        .isEqualTo(none);
  }
}
