package dev.prodguard.flyway;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * A Flyway Java callback that lifts PostgreSQL's {@code lock_timeout} ({@code
 * pipeline.lock-timeout}) while a migration runs outside a transaction ({@code
 * executeInTransaction=false}: the connection is in autocommit when {@code beforeEachMigrate}
 * fires), and puts it back after it ({@code afterEachMigrate}, {@code afterEachMigrateError}).
 *
 * <p>Why: {@code CREATE INDEX CONCURRENTLY} (and {@code REINDEX}/{@code DROP INDEX CONCURRENTLY})
 * waits on purpose for every transaction older than it, as a lock wait on their virtual transaction
 * ids; {@code lock_timeout} cancels that normal wait, so with it every concurrent build failed
 * while any transaction older than the timeout was open. Such a migration is bounded by the
 * watchdog's {@code pipeline.lock-wait-timeout} instead, and it cannot be retried anyway (nothing
 * rolls back). On MySQL/MariaDB and for transactional migrations nothing changes.
 */
final class NonTransactionalLockTimeout implements Callback {
  private String saved;

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.BEFORE_EACH_MIGRATE
        || event == Event.AFTER_EACH_MIGRATE
        || event == Event.AFTER_EACH_MIGRATE_ERROR;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true;
  }

  @Override
  public void handle(Event event, Context context) {
    Connection c = context.getConnection();
    try {
      if (event == Event.BEFORE_EACH_MIGRATE) {
        if (!c.getAutoCommit() || !"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
          return;
        }
        String current;
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SHOW lock_timeout")) {
          rs.next();
          current = rs.getString(1);
        }
        if (!"0".equals(current)) {
          try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = 0");
          }
          saved = current;
        }
      } else if (saved != null) {
        String value = saved;
        saved = null;
        try (Statement st = c.createStatement()) {
          st.execute("SET lock_timeout = '" + value.replace("'", "''") + "'");
        }
      }
    } catch (SQLException e) {
      throw new FlywayException("prodguard: cannot set lock_timeout around a migration: " + e, e);
    }
  }

  @Override
  public String getCallbackName() {
    return "prodguard-non-transactional-lock-timeout";
  }
}
