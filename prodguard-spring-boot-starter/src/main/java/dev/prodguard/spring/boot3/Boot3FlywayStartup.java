package dev.prodguard.spring.boot3;

import dev.prodguard.spring.ApplicationGuard;
import dev.prodguard.spring.PendingMigrations;
import org.flywaydb.core.Flyway;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationInitializer;

/**
 * Spring Boot 3: on a protected environment, each {@code FlywayMigrationInitializer} (package
 * {@code org.springframework.boot.autoconfigure.flyway}) is replaced, before it runs, by one that never migrates and refuses the start-up
 * while anything is pending ({@link PendingMigrations}), whatever migration strategy the
 * application defined. The replacement keeps the bean's name, so Spring Boot still orders JPA
 * after it.
 */
public final class Boot3FlywayStartup implements BeanPostProcessor, BeanFactoryAware {
  private final ApplicationGuard guard;
  private ConfigurableListableBeanFactory beans;

  public Boot3FlywayStartup(ApplicationGuard guard) {
    this.guard = guard;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beans = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName)
      throws BeansException {
    if (!guard.isProtected() || !(bean instanceof FlywayMigrationInitializer)) {
      return bean;
    }
    Flyway flyway = null;
    for (String dependency : beans.getDependenciesForBean(beanName)) {
      if (beans.containsBean(dependency) && beans.getBean(dependency) instanceof Flyway f) {
        flyway = f;
      }
    }
    if (flyway == null) {
      flyway = beans.getBean(Flyway.class);
    }
    return new FlywayMigrationInitializer(
        flyway, f -> PendingMigrations.refuseUnlessDeployed(guard, f));
  }
}
