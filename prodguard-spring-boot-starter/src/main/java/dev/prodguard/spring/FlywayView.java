package dev.prodguard.spring;

import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The application's Flyway bean as the status reads it. A bean only when Flyway is on the class
 * path, so that {@link ProdguardStatus} loads without it; empty when the application has no Flyway
 * bean ({@code spring.flyway.enabled=false}).
 */
final class FlywayView {
  private final ObjectProvider<Flyway> flyway;

  FlywayView(ObjectProvider<Flyway> flyway) {
    this.flyway = flyway;
  }

  Optional<Found> find() {
    Flyway f = flyway.getIfUnique();
    return f == null ? Optional.empty() : Optional.of(new Found(f));
  }

  static final class Found {
    private final Flyway flyway;

    private Found(Flyway flyway) {
      this.flyway = flyway;
    }

    DataSource dataSource() {
      return flyway.getConfiguration().getDataSource();
    }

    String historyTable() {
      return flyway.getConfiguration().getTable();
    }

    int pendingCount() {
      return PendingMigrations.pendingCount(flyway);
    }
  }
}
