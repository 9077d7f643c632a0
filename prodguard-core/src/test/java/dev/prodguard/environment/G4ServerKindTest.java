package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.config.ServerKind;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.Configs;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lint and verify judge by the server of the resolved URL, never by unresolved ${...} text. */
@DisplayName("G4: the server whose rules judge an environment's migrations")
class G4ServerKindTest {
  @TempDir Path dir;

  static final String MARIADB_URL = "jdbc:mariadb://db.prod.internal:3306/shop";

  ProdguardConfig config(String database) {
    return Configs.load(
        dir,
        "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n"
            + (database == null ? "" : "    database: " + database + "\n"));
  }

  @Test
  @DisplayName("G4: a resolved URL decides; the database: key only where it cannot be resolved")
  void resolvedUrlDecides() {
    assertThat(
            ServerKind.of(
                config(null).environment("prod"), Map.of("PROD_DATABASE_URL", MARIADB_URL)))
        .contains(DatabaseKind.MARIADB);
    assertThat(ServerKind.of(config("mysql").environment("prod"), Map.of()))
        .contains(DatabaseKind.MARIADB);
    assertThat(ServerKind.of(config(null).environment("prod"), Map.of())).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: a resolved URL that contradicts database: is a configuration error, in verify too")
  void contradiction() {
    ProdguardConfig c = config("postgresql");
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> ServerKind.of(c.environment("prod"), Map.of("PROD_DATABASE_URL", MARIADB_URL)));
    assertThat(e.key()).isEqualTo("environments.prod.database");
    assertThat(e.getMessage()).contains("says database: postgresql", "leads to MySQL/MariaDB");
    RunContext ci = RunContext.of(Map.of("CI", "true", "PROD_DATABASE_URL", MARIADB_URL));
    assertThat(
            catchThrowableOfType(
                ConfigException.class,
                () -> Target.prepare(c, "prod", ci, Target.Access.READ, "check prod")))
        .hasMessageContaining("says database: postgresql");
  }

  @Test
  @DisplayName("G4: database: takes postgresql, mariadb or mysql, and must match a literal URL")
  void strictKey() {
    assertThat(catchThrowableOfType(ConfigException.class, () -> config("oracle")).getMessage())
        .contains("'postgresql' or 'mariadb'");
    ConfigException literal =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                Configs.load(
                    dir,
                    "environments:\n  dev:\n    url: jdbc:postgresql://h/db\n    database: mariadb\n"));
    assertThat(literal.key()).isEqualTo("environments.dev.database");
    assertThat(literal.line()).isEqualTo(4);
  }
}
