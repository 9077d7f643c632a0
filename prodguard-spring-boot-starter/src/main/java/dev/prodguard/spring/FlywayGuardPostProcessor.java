package dev.prodguard.spring;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.ClassicConfiguration;
import org.flywaydb.core.api.configuration.Configuration;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Every Flyway bean: its DataSource guarded even when it is not a bean (Spring Boot builds one of
 * its own for {@code spring.flyway.url}), and on a protected environment {@code cleanDisabled}
 * forced on, whatever {@code spring.flyway.clean-disabled} says. Works on Flyway's own API, the
 * same in Spring Boot 3.5 and 4.0.
 */
final class FlywayGuardPostProcessor implements BeanPostProcessor {
  private final ApplicationGuard guard;

  FlywayGuardPostProcessor(ApplicationGuard guard) {
    this.guard = guard;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof Flyway flyway)) {
      return bean;
    }
    Configuration conf = flyway.getConfiguration();
    DataSource ds = conf.getDataSource();
    if (guard.standsDownFor(ds)) {
      return flyway;
    }
    boolean wrap = ds != null && !guard.isGuarded(ds);
    boolean clean = guard.isProtected() && !conf.isCleanDisabled();
    if (!wrap && !clean) {
      return flyway;
    }
    ClassicConfiguration c = new ClassicConfiguration(conf);
    if (wrap) {
      String label = "the DataSource of Flyway bean '" + beanName + "'";
      guard.checkDataSource(ds, label);
      c.setDataSource(guard.guard(ds));
    }
    if (guard.isProtected()) {
      // clean drops every object in the schemas: never from the application of a protected
      // environment (DESIGN G6; scan reports cleanDisabled=false as a finding)
      c.setCleanDisabled(true);
    }
    return new Flyway(c);
  }
}
