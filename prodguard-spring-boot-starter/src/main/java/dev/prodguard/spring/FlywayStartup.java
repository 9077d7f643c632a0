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
    return f -> {
      if (guard.standsDownFor(f.getConfiguration().getDataSource())) {
        // an in-memory embedded database: Spring Boot's own step (ApplicationGuard#standsDownFor)
        if (own != null) {
          own.accept(f);
        } else {
          f.migrate();
        }
      } else {
        guardedStep(guard, own).accept(f);
      }
    };
  }

  /**
   * Whether the application's own migration strategy is consulted: on an unprotected environment,
   * and for an in-memory embedded database the starter stands down for; never on a protected one.
   */
  public static boolean consultsOwnStrategy(ApplicationGuard guard, Flyway flyway) {
    return guard.standsDownFor(flyway.getConfiguration().getDataSource()) || !guard.isProtected();
  }

  private static Consumer<Flyway> guardedStep(ApplicationGuard guard, Consumer<Flyway> own) {
    if (guard.isProtected()) {
      return f -> {
        requireSameHistoryTable(guard, f);
        PendingMigrations.refuseUnlessDeployed(guard, f);
      };
    }
    return f -> {
      requireSameHistoryTable(guard, f);
      ProdguardOnlySchema.adopt(f);
      if (own != null) {
        own.accept(f);
      } else {
        withSessionLock(f).migrate();
      }
    };
  }

  /**
   * The application's Flyway and prodguard read one history table: {@code spring.flyway.table}
   * (Flyway's {@code table}) must be what prodguard.yml's {@code migrations.table} says. Otherwise
   * the start-up would read, or migrate against, a history that prodguard's pipeline never reads
   * and its G6 guard does not sit on.
   *
   * @throws dev.prodguard.db.GuardRefusal G6 when they differ
   */
  static void requireSameHistoryTable(ApplicationGuard guard, Flyway flyway) {
    String app = flyway.getConfiguration().getTable();
    if (app == null || app.equalsIgnoreCase(guard.historyTable())) {
      return;
    }
    throw new dev.prodguard.db.GuardRefusal(
        dev.prodguard.db.Guarantee.G6,
        "start the application on environment '" + guard.environment() + "'",
        "the application's Flyway keeps its history in '"
            + app
            + "' (spring.flyway.table), but prodguard.yml says '"
            + guard.historyTable()
            + "' (migrations.table): prodguard's pipeline would read, and its guard protect, another"
            + " table than the one this application migrates against",
        "set 'migrations.table: "
            + app
            + "' in "
            + guard.configFile().getFileName()
            + " if '"
            + app
            + "' is the project's history (docs/configuration.md), or remove spring.flyway.table");
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
