package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.RepoPaths;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hibernate/JPA schema generation that drops or rewrites tables ({@code
 * spring.jpa.hibernate.ddl-auto}, {@code hibernate.hbm2ddl.auto}, {@code
 * jakarta|javax.persistence.schema-generation.database.action}, Quarkus' {@code
 * quarkus.hibernate-orm.database.generation}, {@code spring.jpa.generate-ddl=true} in every
 * spelling Spring Boot reads as true), Spring Boot's SQL initialization ({@code
 * spring.sql.init.mode=always}, which runs schema.sql and data.sql at every start), and their
 * environment-variable spellings) in main configuration, and in any profile named like
 * prod/production/staging even under test resources. Test configuration of other profiles may
 * create-drop its own throw-away schema.
 */
public final class SchemaGeneration implements Rule {
  public static final String ID = "schema-generation";

  static final Set<String> DESTRUCTIVE =
      Set.of(
          "create",
          "create-drop",
          "create_drop",
          "drop-and-create",
          "drop",
          "update",
          "create-only");
  private static final List<String> KEYS =
      List.of(
          "hibernateddlauto",
          "hbm2ddlauto",
          "schemagenerationdatabaseaction",
          "hibernateormdatabasegeneration");

  /**
   * Spring Boot's SQL initialization: {@code always} runs schema.sql and data.sql (any statement,
   * rows included) against the application's database at every start ({@code
   * spring.datasource.initialization-mode} before Boot 2.5).
   */
  private static final List<String> INIT_MODE_KEYS =
      List.of("springsqlinitmode", "springdatasourceinitializationmode");

  private static final Pattern CONSTANT =
      Pattern.compile(
          "\\b(HBM2DDL_AUTO|HBM2DDL_DATABASE_ACTION|JAKARTA_HBM2DDL_DATABASE_ACTION)\\s*,\\s*\"([\\w-]+)\"");

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.ERROR;
  }

  @Override
  public String summary() {
    return "Hibernate/JPA schema generation (create, create-drop, drop-and-create, drop, update)"
        + " or Spring Boot SQL initialization (spring.sql.init.mode set to always) in main configuration"
        + " or a prod/staging profile";
  }

  @Override
  public String why() {
    return "Schema generation rewrites or drops tables when the application starts, outside"
        + " the migrations, the contract and the backup: ddl-auto=create-drop carried into a"
        + " prod profile deletes production data on the next restart.";
  }

  @Override
  public String recipe() {
    return "Change the schema only through Flyway migrations; set ddl-auto to validate (or"
        + " none), spring.sql.init.mode to never (or embedded), and keep create-drop and"
        + " initialization scripts to test configuration under src/test.";
  }

  @Override
  public boolean appliesTo(ScanFile file, ScanContext context) {
    if (file.kind() == FileKind.DOC || file.kind() == FileKind.SQL) {
      return false;
    }
    String lower = file.codeLower();
    return lower.contains("ddl") || lower.contains("generation");
  }

  @Override
  public void check(ScanFile file, ScanContext context, List<Finding> out) {
    for (Setting s : file.settings()) {
      String key = s.normalizedKey();
      String v = s.effectiveValue();
      boolean generates =
          KEYS.stream().anyMatch(key::endsWith) && DESTRUCTIVE.contains(v)
              || key.endsWith("jpagenerateddl") && s.mayReadTrue()
              // Spring Boot binds an enum leniently: case and punctuation do not count (al_ways)
              || INIT_MODE_KEYS.stream().anyMatch(key::endsWith)
                  && Setting.normalize(v).equals("always");
      if (generates && applies(file, s.profile())) {
        out.add(finding(file, s.line(), s.column(), s.key() + "=" + s.value() + where(file, s)));
      }
    }
    if (file.kind().isJvmSource() && applies(file, null)) {
      Matcher m = CONSTANT.matcher(file.code());
      while (m.find()) {
        if (DESTRUCTIVE.contains(m.group(2))) {
          out.add(finding(file, m.start(), m.group(1) + " = " + m.group(2) + " in main code"));
        }
      }
    }
  }

  private static boolean applies(ScanFile file, String profile) {
    return !file.isTest() || prodProfile(file, profile);
  }

  private static boolean prodProfile(ScanFile file, String profile) {
    return RepoPaths.isProdLike(profile)
        || RepoPaths.isProdLike(file.fileProfile().orElse(null))
        || RepoPaths.isProdLike(file.path());
  }

  private static String where(ScanFile file, Setting s) {
    if (prodProfile(file, s.profile())) {
      String p = s.profile() != null ? s.profile() : file.fileProfile().orElse(file.path());
      return " in the production-like profile '" + p + "'";
    }
    return " in main (non-test) configuration";
  }
}
