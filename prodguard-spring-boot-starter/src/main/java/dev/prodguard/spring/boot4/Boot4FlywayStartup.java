package dev.prodguard.spring.boot4;

import dev.prodguard.spring.ApplicationGuard;
import dev.prodguard.spring.FlywayStartup;
import org.flywaydb.core.Flyway;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;

/**
 * Spring Boot 4: each {@code FlywayMigrationInitializer} (package {@code
 * org.springframework.boot.flyway.autoconfigure}) is replaced before it runs. On a protected
 * environment the replacement never migrates and refuses the start-up while anything is pending
 * ({@link PendingMigrations}), whatever migration strategy the application defined. On an
 * unprotected one it migrates as Spring Boot does (through the application's own strategy when it
 * has one), after adopting a schema that holds only prodguard's metadata ({@link
 * ProdguardOnlySchema}). The replacement keeps the bean's name, so Spring Boot still orders JPA
 * after it.
 */
public final class Boot4FlywayStartup implements BeanPostProcessor, BeanFactoryAware {
  private final ApplicationGuard guard;
  private ConfigurableListableBeanFactory beans;

  public Boot4FlywayStartup(ApplicationGuard guard) {
    this.guard = guard;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beans = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName)
      throws BeansException {
    if (!(bean instanceof FlywayMigrationInitializer)) {
      return bean;
    }
    Flyway flyway = FlywayStartup.flywayOf(beans, beanName);
    FlywayMigrationStrategy own =
        !FlywayStartup.consultsOwnStrategy(guard, flyway)
            ? null
            : beans.getBeanProvider(FlywayMigrationStrategy.class).getIfAvailable();
    return new FlywayMigrationInitializer(
        flyway, FlywayStartup.step(guard, own == null ? null : own::migrate)::accept);
  }
}
