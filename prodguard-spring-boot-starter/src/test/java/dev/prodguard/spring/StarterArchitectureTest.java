package dev.prodguard.spring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The starter is an entry point (DESIGN section 8, as prodguard-cli's ArchitectureTest defines the
 * layers): it uses the layers below it and only those whose classes come without core's own
 * dependencies (the floor, per-database support, the config model, and the jdbc, environment and
 * guard capabilities); it never reaches a per-database package; and the classes that name a package
 * Spring Boot 4 moved stay in their generation's package.
 */
@DisplayName("Architecture: the Spring Boot starter is an entry point")
class StarterArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.prodguard.spring");
  }

  @Test
  @DisplayName(
      "the starter uses only db, support, config, jdbc, environment and guard of prodguard")
  void onlyLowerLayersWithoutCoreDependencies() {
    classes()
        .that()
        .resideInAPackage("dev.prodguard.spring..")
        .should()
        .onlyDependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "are not prodguard classes, or are in the layers the starter may use",
                c ->
                    !c.getPackageName().startsWith("dev.prodguard.")
                        || c.getPackageName().startsWith("dev.prodguard.spring")
                        || c.getPackageName().equals("dev.prodguard.db")
                        || c.getPackageName().equals("dev.prodguard.support")
                        || c.getPackageName().equals("dev.prodguard.config")
                        || c.getPackageName().equals("dev.prodguard.jdbc")
                        || c.getPackageName().equals("dev.prodguard.environment")
                        || c.getPackageName().equals("dev.prodguard.guard")))
        .check(classes);
  }

  @Test
  @DisplayName("PostgreSQL and MariaDB specifics are reached only through DatabaseSupport")
  void noPerDatabasePackage() {
    noClasses()
        .that()
        .resideInAPackage("dev.prodguard.spring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.prodguard.support.postgresql..", "dev.prodguard.support.mariadb..")
        .check(classes);
  }

  @Test
  @DisplayName(
      "Spring Boot 3 packages only in spring.boot3, Spring Boot 4 packages only in spring.boot4")
  void generationsApart() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.prodguard.spring.boot3..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework.boot.autoconfigure.flyway..",
            "org.springframework.boot.actuate.health..")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.prodguard.spring.boot4..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework.boot.flyway..", "org.springframework.boot.health..")
        .check(classes);
  }
}
