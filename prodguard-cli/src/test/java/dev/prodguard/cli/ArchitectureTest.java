package dev.prodguard.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.prodguard.db.DatabaseKind;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layers of DESIGN section 8, enforced on the main classes of every module the CLI is built
 * from (prodguard-jdbc, prodguard-core, prodguard-flyway, prodguard-cli). A layer uses only the
 * layers below it; top-level packages form no cycle; the per-database packages are reached only
 * through {@code DatabaseSupport}.
 */
@DisplayName("Architecture: layers without cycles, one place per database")
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the other modules' main classes also when they come as jars (under 'verify'), never
            // their test jars; only dev.prodguard is imported
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.prodguard");
  }

  @Test
  @DisplayName("each layer depends only on the layers below it")
  void layers() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .withOptionalLayers(true)
        .layer("floor")
        .definedBy("dev.prodguard.db..")
        .layer("per database")
        .definedBy("dev.prodguard.support..")
        .layer("models")
        .definedBy(
            "dev.prodguard.findings..",
            "dev.prodguard.contract..",
            "dev.prodguard.config..",
            "dev.prodguard.sql..",
            "dev.prodguard.migration..")
        .layer("capabilities")
        .definedBy(
            "dev.prodguard.jdbc..",
            "dev.prodguard.ci..",
            "dev.prodguard.environment..",
            "dev.prodguard.audit..",
            "dev.prodguard.backup..",
            "dev.prodguard.guard..",
            "dev.prodguard.lint..",
            "dev.prodguard.scan..")
        .layer("use cases")
        .definedBy(
            "dev.prodguard.pipeline..",
            "dev.prodguard.sync..",
            "dev.prodguard.setup..",
            "dev.prodguard.trace..")
        .layer("many targets")
        .definedBy("dev.prodguard.fleet..")
        .layer("engines")
        .definedBy("dev.prodguard.flyway..")
        .layer("entry points")
        .definedBy(
            "dev.prodguard.cli..",
            "dev.prodguard.demo..",
            "dev.prodguard.maven..",
            "dev.prodguard.spring..")
        .whereLayer("entry points")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("engines")
        .mayOnlyBeAccessedByLayers("entry points")
        .whereLayer("many targets")
        .mayOnlyBeAccessedByLayers("entry points")
        .whereLayer("use cases")
        .mayOnlyBeAccessedByLayers("many targets", "entry points")
        .whereLayer("capabilities")
        .mayOnlyBeAccessedByLayers("use cases", "many targets", "engines", "entry points")
        .whereLayer("models")
        .mayOnlyBeAccessedByLayers(
            "capabilities", "use cases", "many targets", "engines", "entry points")
        .whereLayer("per database")
        .mayOnlyBeAccessedByLayers(
            "models", "capabilities", "use cases", "many targets", "engines", "entry points")
        .check(classes);
  }

  @Test
  @DisplayName("the findings model uses only the floor: lint, scan and trace can all share it")
  void findingsOnlyOnTheFloor() {
    noClasses()
        .that()
        .resideInAPackage("dev.prodguard.findings..")
        .should()
        .dependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "are prodguard classes outside findings and db",
                c ->
                    c.getPackageName().startsWith("dev.prodguard.")
                        && !c.getPackageName().startsWith("dev.prodguard.findings")
                        && !c.getPackageName().startsWith("dev.prodguard.db")))
        .check(classes);
  }

  @Test
  @DisplayName("top-level packages form no cycle")
  void noCycles() {
    slices().matching("dev.prodguard.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  @DisplayName("PostgreSQL and MariaDB specifics are reached only through DatabaseSupport")
  void onePlacePerDatabase() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.prodguard.support..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.prodguard.support.postgresql..", "dev.prodguard.support.mariadb..")
        .check(classes);
  }

  /**
   * Classes that may still name a {@code DatabaseKind} constant outside {@code support} and {@code
   * db}, each for a reason that is not a database difference prodguard owns: {@code SqlSyntax} maps
   * the kind to its own lexer dialect (the SQL model is its own change), {@code Linter} keeps its
   * PostgreSQL default (the lint package is its own change), and Flyway's engine maps the kind to
   * Flyway's per-database parser types, which support cannot reach.
   */
  private static final List<String> KIND_CONSTANTS_ALLOWED =
      List.of(
          "dev.prodguard.sql.SqlSyntax",
          "dev.prodguard.lint.Linter",
          "dev.prodguard.flyway.FlywayStatements");

  @Test
  @DisplayName(
      "no branching on the database outside support: no class elsewhere names"
          + " DatabaseKind.POSTGRESQL or DatabaseKind.MARIADB (switches included)")
  void noDatabaseBranchingOutsideSupport() {
    DescribedPredicate<JavaClass> allowed =
        DescribedPredicate.describe(
            "allowed to name a DatabaseKind constant",
            c ->
                KIND_CONSTANTS_ALLOWED.stream()
                    .anyMatch(a -> c.getName().equals(a) || c.getName().startsWith(a + "$")));
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.prodguard.support..", "dev.prodguard.db..")
        .and(DescribedPredicate.not(allowed))
        .should()
        .accessField(DatabaseKind.class, "POSTGRESQL")
        .orShould()
        .accessField(DatabaseKind.class, "MARIADB")
        .because(
            "PostgreSQL and MySQL/MariaDB differ in one place: ask the database's DatabaseSupport"
                + " facet instead of testing its kind (DESIGN section 8)")
        .check(classes);
  }
}
