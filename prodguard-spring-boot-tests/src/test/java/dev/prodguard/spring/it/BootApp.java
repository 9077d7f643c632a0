package dev.prodguard.spring.it;

import javax.sql.DataSource;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application under test: Spring Boot's auto-configuration (DataSource, Flyway, JPA, Actuator
 * as the class path of the module offers them) and one statement of its own at start-up, which
 * creates {@code app_started}: present only when the application reached its database.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class BootApp {
  @Bean
  CommandLineRunner applicationStatement(DataSource dataSource) {
    return args -> {
      try (var c = dataSource.getConnection();
          var st = c.createStatement()) {
        st.execute("CREATE TABLE app_started (id INT)");
      }
    };
  }
}
