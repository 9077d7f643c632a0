package dev.prodguard.spring;

import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Every DataSource bean: G3 on its URL before its initialization (before a lazily starting pool,
 * such as the one Spring Boot builds, can open a socket), then replaced by a {@code
 * GuardedDataSource} over it (G2 on each new physical connection, before the application, Hibernate
 * or Flyway sees it). Ordered first, so that other post-processors wrap the guarded one.
 */
final class DataSourceGuardPostProcessor implements BeanPostProcessor, Ordered {
  private final ApplicationGuard guard;

  DataSourceGuardPostProcessor(ApplicationGuard guard) {
    this.guard = guard;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof DataSource ds) {
      guard.checkDataSource(ds, "DataSource bean '" + beanName + "'");
    }
    return bean;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof DataSource ds) {
      return guard.guard(ds);
    }
    return bean;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
