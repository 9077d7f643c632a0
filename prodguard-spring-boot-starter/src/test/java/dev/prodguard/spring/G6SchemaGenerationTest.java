package dev.prodguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Every way a Spring Boot application changes its schema at start-up by itself is refused on a
 * protected environment (G6), in every spelling Spring's relaxed binding reads; the safe values
 * pass. The real application contexts are in prodguard-spring-boot-tests (G6ProtectedStartUpIT).
 */
@DisplayName("G6: schema generation at the start-up of a protected environment")
class G6SchemaGenerationTest {

  @ParameterizedTest(name = "{0}={1} refused")
  @CsvSource({
    "spring.jpa.hibernate.ddl-auto, create-drop",
    "spring.jpa.hibernate.ddl-auto, CREATE",
    "spring.jpa.hibernate.ddl-auto, update",
    "spring.jpa.hibernate.ddl-auto, create-only",
    "spring.jpa.hibernate.ddl-auto, drop",
    "spring.jpa.hibernate.ddlAuto, update",
    "SPRING_JPA_HIBERNATE_DDL_AUTO, create",
    "spring.jpa.properties.hibernate.hbm2ddl.auto, update",
    "spring.jpa.properties.jakarta.persistence.schema-generation.database.action, drop-and-create",
    "spring.jpa.properties.javax.persistence.schema-generation.database.action, create",
    "spring.jpa.generate-ddl, true",
    "spring.sql.init.mode, always",
    // Spring Boot's conversion reads on/yes/1 as true, and binds an enum ignoring case and
    // punctuation (attacker 22, finding 11)
    "spring.jpa.generate-ddl, on",
    "spring.jpa.generate-ddl, YES",
    "spring.jpa.generate-ddl, 1",
    "spring.sql.init.mode, ALWAYS",
    "spring.sql.init.mode, al_ways",
    "spring.sql.init.mode, a-l-w-a-y-s",
    "SPRING_SQL_INIT_MODE, Always-",
  })
  void refused(String key, String value) {
    GuardRefusal r =
        catchThrowableOfType(
            GuardRefusal.class, () -> SchemaGeneration.refuseOnProtected(env(key, value), "prod"));
    assertThat(r).isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G6);
    assertThat(r.what()).contains("protected environment 'prod'");
    assertThat(r.fix()).contains("prodguard promote prod");
  }

  @ParameterizedTest(name = "{0}={1} passes")
  @CsvSource({
    "spring.jpa.hibernate.ddl-auto, none",
    "spring.jpa.hibernate.ddl-auto, validate",
    "spring.jpa.properties.hibernate.hbm2ddl.auto, VALIDATE",
    "spring.jpa.properties.jakarta.persistence.schema-generation.database.action, none",
    "spring.jpa.generate-ddl, false",
    "spring.jpa.generate-ddl, off",
    "spring.jpa.generate-ddl, NO",
    "spring.jpa.generate-ddl, 0",
    "spring.sql.init.mode, never",
    "spring.sql.init.mode, embedded",
  })
  void passes(String key, String value) {
    assertThatCode(() -> SchemaGeneration.refuseOnProtected(env(key, value), "prod"))
        .doesNotThrowAnyException();
  }

  private static StandardEnvironment env(String key, String value) {
    StandardEnvironment env = new StandardEnvironment();
    Map<String, Object> source = Map.of(key, value);
    env.getPropertySources()
        .addFirst(
            key.equals(key.toUpperCase(java.util.Locale.ROOT))
                // as the OS environment reaches a Spring Boot application
                ? new SystemEnvironmentPropertySource("systemEnvironment", source)
                : new MapPropertySource("test", source));
    return env;
  }
}
