package dev.prodguard.spring;

import dev.prodguard.spring.boot3.Boot3FlywayStartup;
import dev.prodguard.spring.boot3.Boot3HealthIndicator;
import dev.prodguard.spring.boot4.Boot4FlywayStartup;
import dev.prodguard.spring.boot4.Boot4HealthIndicator;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * The starter (docs/spring-boot.md), active when the application uses prodguard ({@link
 * ProdguardConfiguredCondition}). One auto-configuration for Spring Boot 3.5 and 4.0: the parts
 * that name a package Boot 4 moved (Flyway's start-up initializer, the health indicator) come in
 * one class per generation, each behind {@code @ConditionalOnClass} on its own package; bean
 * methods return neutral types so that the other generation's classes are never loaded.
 */
@AutoConfiguration
@Conditional(ProdguardConfiguredCondition.class)
public class ProdguardAutoConfiguration {

  /**
   * Loaded while the post-processors register: before any DataSource or Flyway bean exists. An
   * infrastructure bean, as the post-processors that need it are: it is made before them and is
   * itself processed by none, which Spring otherwise reports as a WARN at every start-up.
   */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static ApplicationGuard prodguardApplicationGuard(Environment environment) {
    return ApplicationGuard.load(environment);
  }

  @Bean
  static BeanPostProcessor prodguardDataSourceGuard(ApplicationGuard guard) {
    return new DataSourceGuardPostProcessor(guard);
  }

  /**
   * At the end of the start-up: {@code prodguard.environment} unset passes only for an application
   * whose database the starter stood down for (an in-memory embedded one).
   */
  @Bean
  SmartInitializingSingleton prodguardEnvironmentCheck(ApplicationGuard guard) {
    return guard::requireJudged;
  }

  @Bean
  ProdguardStatus prodguardStatus(
      ApplicationGuard guard,
      ObjectProvider<DataSource> dataSources,
      ObjectProvider<FlywayView> flyway) {
    return new ProdguardStatus(guard, dataSources, flyway);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.flywaydb.core.Flyway")
  static class FlywayGuard {
    @Bean
    static BeanPostProcessor prodguardFlywayGuard(ApplicationGuard guard) {
      return new FlywayGuardPostProcessor(guard);
    }

    @Bean
    FlywayView prodguardFlywayView(ObjectProvider<org.flywaydb.core.Flyway> flyway) {
      return new FlywayView(flyway);
    }
  }

  /** Spring Boot 3.x: org.springframework.boot.autoconfigure.flyway. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.flywaydb.core.Flyway",
        "org.springframework.boot.autoconfigure.flyway.FlywayMigrationInitializer"
      })
  static class Boot3Flyway {
    @Bean
    static BeanPostProcessor prodguardFlywayStartup(ApplicationGuard guard) {
      return new Boot3FlywayStartup(guard);
    }
  }

  /** Spring Boot 4.x: org.springframework.boot.flyway.autoconfigure (module spring-boot-flyway). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.flywaydb.core.Flyway",
        "org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer"
      })
  static class Boot4Flyway {
    @Bean
    static BeanPostProcessor prodguardFlywayStartup(ApplicationGuard guard) {
      return new Boot4FlywayStartup(guard);
    }
  }

  /** Actuator's info endpoint: the same package in Spring Boot 3 and 4. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.info.InfoContributor")
  static class Info {
    @Bean
    org.springframework.boot.actuate.info.InfoContributor prodguardInfoContributor(
        ProdguardStatus status) {
      return new ProdguardInfoContributor(status);
    }
  }

  /** Spring Boot 3.x health: org.springframework.boot.actuate.health. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.AbstractHealthIndicator")
  static class Boot3Health {
    @Bean
    Boot3HealthIndicator prodguardHealthIndicator(ProdguardStatus status) {
      return new Boot3HealthIndicator(status);
    }
  }

  /** Spring Boot 4.x health: org.springframework.boot.health.contributor (spring-boot-health). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
  static class Boot4Health {
    @Bean
    Boot4HealthIndicator prodguardHealthIndicator(ProdguardStatus status) {
      return new Boot4HealthIndicator(status);
    }
  }
}
