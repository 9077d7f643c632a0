package dev.prodguard.spring;

import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * What replaces Spring Boot's Flyway start-up step, for both Boot generations (whose {@code
 * FlywayMigrationInitializer} and {@code FlywayMigrationStrategy} live in different packages; the
 * per-generation classes only adapt the types). On a protected environment it never migrates and
 * refuses the start-up while anything is pending ({@link PendingMigrations}), whatever strategy the
 * application defined; on an unprotected one it migrates as Spring Boot does (through the
 * application's own strategy when it has one), after adopting a schema that holds only prodguard's
 * metadata ({@link ProdguardOnlySchema}).
 */
public final class FlywayStartup {
  private FlywayStartup() {}

  /** The Flyway bean the initializer {@code beanName} depends on, else the only Flyway bean. */
  public static Flyway flywayOf(ConfigurableListableBeanFactory beans, String beanName) {
    Flyway flyway = null;
    for (String dependency : beans.getDependenciesForBean(beanName)) {
      if (beans.containsBean(dependency) && beans.getBean(dependency) instanceof Flyway f) {
        flyway = f;
      }
    }
    return flyway != null ? flyway : beans.getBean(Flyway.class);
  }

  /**
   * The step to run instead of Boot's: {@code own} is the application's migration strategy, null
   * when it has none (never consulted on a protected environment).
   */
  public static Consumer<Flyway> step(ApplicationGuard guard, Consumer<Flyway> own) {
    if (guard.isProtected()) {
      return f -> PendingMigrations.refuseUnlessDeployed(guard, f);
    }
    return f -> {
      ProdguardOnlySchema.adopt(f);
      if (own != null) {
        own.accept(f);
      } else {
        withSessionLock(f).migrate();
      }
    };
  }

  /**
   * The application's Flyway with PostgreSQL's session-level lock instead of Flyway's default
   * transaction-level one, as {@code prodguard deploy} runs it: with the transactional lock,
   * Flyway's history connection sits idle in a transaction for the whole migrate, and a {@code
   * CREATE INDEX CONCURRENTLY} migration (with {@code executeInTransaction=false}, the shape {@code
   * prodguard lint} recommends) waits for that transaction forever, so the start-up hangs. Set
   * through Flyway's own configuration key ({@code flyway.postgresql.transactional.lock}), which
   * the Flyway versions of Spring Boot 3 and 4 both read; other servers ignore it.
   */
  static Flyway withSessionLock(Flyway flyway) {
    return Flyway.configure(flyway.getConfiguration().getClassLoader())
        .configuration(flyway.getConfiguration())
        .configuration(java.util.Map.of("flyway.postgresql.transactional.lock", "false"))
        .load();
  }
}
