package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.scan.rules.FlywayUnsafeSetting;
import dev.prodguard.scan.rules.SchemaGeneration;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A safety switch is judged on every spelling its reader accepts (attacker 22, findings 04 and 11):
 * Spring Boot reads {@code on}, {@code yes}, {@code 1} as true and {@code off}, {@code no}, {@code
 * 0} as false, binds an enum ignoring case and punctuation, and Java properties decode {@code
 * \\uXXXX} escapes; Maven reads every boolean but {@code true} as false.
 */
@DisplayName("G5: unsafe settings are found in every spelling their reader accepts")
class G5BooleanSpellingsTest {
  @TempDir Path dir;

  @Test
  @DisplayName("G5: Spring Boot's on/off/yes/no/1/0 spellings of Flyway's safety switches")
  void springBooleanSpellings() throws Exception {
    ScanReport r =
        new Repo(dir)
            .file(
                "src/main/resources/application-prod.yml",
                """
                spring:
                  flyway:
                    clean-disabled: off
                    validate-on-migrate: no
                    baseline-on-migrate: yes
                    out-of-order: on
                """)
            .file(
                "src/main/resources/application.properties",
                "spring.flyway.clean-disabled=0\nspring.flyway.out-of-order=1\n")
            .commit()
            .scan();

    assertThat(Repo.positions(r, FlywayUnsafeSetting.ID))
        .containsExactlyInAnyOrder(
            "src/main/resources/application-prod.yml:3:5",
            "src/main/resources/application-prod.yml:4:5",
            "src/main/resources/application-prod.yml:5:5",
            "src/main/resources/application-prod.yml:6:5",
            "src/main/resources/application.properties:1:1",
            "src/main/resources/application.properties:2:1");
  }

  @Test
  @DisplayName("G5: Spring's true spellings keep a switch on; in a Maven pom only 'true' does")
  void readerDecidesWhatIsTrue() throws Exception {
    ScanReport r =
        new Repo(dir)
            .file(
                "src/main/resources/application.yml",
                """
                spring:
                  flyway:
                    clean-disabled: yes
                    validate-on-migrate: on
                    out-of-order: off
                """)
            .file(
                "pom.xml",
                """
                <project>
                  <build><plugins><plugin>
                    <groupId>org.flywaydb</groupId>
                    <artifactId>flyway-maven-plugin</artifactId>
                    <configuration>
                      <cleanDisabled>yes</cleanDisabled>
                    </configuration>
                  </plugin></plugins></build>
                </project>
                """)
            .commit()
            .scan();

    // Maven's Boolean.valueOf("yes") is false: clean is enabled there, not in the Spring file
    assertThat(Repo.positions(r, FlywayUnsafeSetting.ID)).containsExactly("pom.xml:6:8");
  }

  @Test
  @DisplayName("G5: a .properties value or key written with \\u escapes is read decoded")
  void propertiesUnicodeEscapes() throws Exception {
    ScanReport r =
        new Repo(dir)
            .file(
                "src/main/resources/application.properties",
                "spring.flyway.clean-disabled=\\u0066alse\n"
                    + "spring.jpa.hibernate.ddl\\u002dauto=create-drop\n")
            .commit()
            .scan();

    assertThat(Repo.positions(r, FlywayUnsafeSetting.ID))
        .containsExactly("src/main/resources/application.properties:1:1");
    assertThat(Repo.positions(r, SchemaGeneration.ID))
        .containsExactly("src/main/resources/application.properties:2:1");
  }

  @Test
  @DisplayName("G5: generate-ddl=on and sql.init.mode=always in any spelling Spring binds")
  void schemaGenerationSpellings() throws Exception {
    ScanReport r =
        new Repo(dir)
            .file(
                "src/main/resources/application.properties",
                "spring.jpa.generate-ddl=on\n"
                    + "spring.sql.init.mode=always\n"
                    + "spring.datasource.initialization-mode=al_ways\n"
                    + "spring.jpa.open-in-view=on\n")
            .file("src/test/resources/application.properties", "spring.sql.init.mode=always\n")
            .commit()
            .scan();

    assertThat(Repo.positions(r, SchemaGeneration.ID))
        .containsExactlyInAnyOrder(
            "src/main/resources/application.properties:1:1",
            "src/main/resources/application.properties:2:1",
            "src/main/resources/application.properties:3:1");
  }
}
