package dev.prodguard.spring;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * G6 at start-up: the ways a Spring Boot application changes its schema by itself, outside the
 * migration pipeline: Hibernate's schema tool ({@code spring.jpa.hibernate.ddl-auto}, its raw
 * {@code hibernate.hbm2ddl.auto} and the JPA {@code schema-generation} properties, {@code
 * spring.jpa.generate-ddl}) and Boot's SQL initialization ({@code spring.sql.init.mode=always} runs
 * schema.sql and data.sql). On a protected environment each is refused before any bean is created;
 * only {@code none} and {@code validate} pass.
 */
final class SchemaGeneration {
  private static final Set<String> HIBERNATE_ALLOWED = Set.of("none", "validate");
  private static final String FIX_TAIL =
      "; ship schema changes as Flyway migrations and deploy them with 'prodguard promote ";

  private SchemaGeneration() {}

  static void refuseOnProtected(Environment env, String environment) {
    for (String key :
        new String[] {
          "spring.jpa.hibernate.ddl-auto", "spring.jpa.properties.hibernate.hbm2ddl.auto"
        }) {
      String v = value(env, key);
      if (v != null && !HIBERNATE_ALLOWED.contains(v)) {
        throw refusal(
            environment,
            key + "=" + v,
            "set " + key + "=validate (or none) for '" + environment + "'");
      }
    }
    for (String key :
        new String[] {
          "spring.jpa.properties.jakarta.persistence.schema-generation.database.action",
          "spring.jpa.properties.javax.persistence.schema-generation.database.action"
        }) {
      String v = value(env, key);
      if (v != null && !v.equals("none")) {
        throw refusal(environment, key + "=" + v, "remove " + key + " for '" + environment + "'");
      }
    }
    String generateDdl = value(env, "spring.jpa.generate-ddl");
    if (generateDdl != null && !generateDdlOff(env)) {
      throw refusal(
          environment,
          "spring.jpa.generate-ddl=" + generateDdl,
          "set spring.jpa.generate-ddl=false for '" + environment + "'");
    }
    String initMode = value(env, "spring.sql.init.mode");
    if (initMode != null && canonical(initMode).equals("always")) {
      throw refusal(
          environment,
          "spring.sql.init.mode=" + initMode + " (schema.sql and data.sql run at every start-up)",
          "set spring.sql.init.mode=never for '" + environment + "'");
    }
  }

  /**
   * Whether Spring Boot binds {@code spring.jpa.generate-ddl} to {@code false}: read with its own
   * conversion ({@code off}, {@code no}, {@code 0} are false; {@code on}, {@code yes}, {@code 1}
   * true). A value it cannot read as a boolean is not off (fail closed: such an application would
   * not start anyway).
   */
  private static boolean generateDdlOff(Environment env) {
    try {
      return Boolean.FALSE.equals(
          Binder.get(env).bind("spring.jpa.generate-ddl", Boolean.class).orElse(null));
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /**
   * An enum value as Spring Boot's lenient binding compares it: letters and digits only, lower case
   * ({@code al_ways} and {@code ALWAYS-} are {@code always}).
   */
  private static String canonical(String v) {
    StringBuilder b = new StringBuilder(v.length());
    v.codePoints()
        .filter(Character::isLetterOrDigit)
        .forEach(c -> b.appendCodePoint(Character.toLowerCase(c)));
    return b.toString();
  }

  /** Read through Spring Boot's binder: every relaxed spelling ({@code ddlAuto}, env vars). */
  private static String value(Environment env, String key) {
    String v = Binder.get(env).bind(key, String.class).orElse(env.getProperty(key));
    return v == null ? null : v.trim().toLowerCase(Locale.ROOT);
  }

  private static GuardRefusal refusal(String environment, String setting, String fix) {
    return new GuardRefusal(
        Guarantee.G6,
        "start the application on protected environment '" + environment + "'",
        setting
            + " lets the application change the schema of '"
            + environment
            + "' at start-up, outside the pipeline (no verification, no backup, no audit)",
        fix + FIX_TAIL + environment + "' from CI");
  }
}
