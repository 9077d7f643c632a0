package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.RunContext;
import dev.prodguard.jdbc.GuardedDataSource;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** G2 on the application side: the GuardedDataSource in front of a pool. */
@DisplayName("G2 environment fingerprint: GuardedDataSource")
class G2GuardedDataSourceIT {
  @TempDir Path dir;

  private String fingerprint(TestDatabase db, String env) throws Exception {
    RunContext ctx = RunContext.of(Map.of("DEV_DATABASE_URL", db.libpqUrl()));
    Target t =
        Target.prepare(
            Configs.load(dir, Configs.devProd(null, null, null)),
            "dev",
            ctx,
            Target.Access.MUTATE,
            "t");
    String fp = FingerprintInit.run(t, ctx, false).fingerprint();
    if (!env.equals("dev")) {
      String other = dev.prodguard.db.Fingerprints.generate(env);
      db.execute(
          "UPDATE database_metadata SET environment = '"
              + env
              + "', fingerprint = '"
              + other
              + "'");
      return other;
    }
    return fp;
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: a pooled connection is validated once, then handed out with no extra statement")
  void validatesEachPhysicalConnectionOnce(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      String fp = fingerprint(db, "dev");
      OnePhysicalConnectionPool pool = new OnePhysicalConnectionPool(db.jdbcUrl());
      GuardedDataSource guarded = new GuardedDataSource(pool, "dev", fp);
      for (int i = 0; i < 5; i++) {
        try (Connection c = guarded.getConnection()) {
          assertThat(c.isValid(1)).isTrue();
        }
      }
      assertThat(pool.statements.get())
          .as("validation statements for one physical connection")
          .isEqualTo(1);
      pool.physical.close();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G2: the application is refused a connection to the wrong database with an SQLException naming G2")
  void refusesWrongDatabase(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      fingerprint(db, "prod");
      DataSource plain = new OnePhysicalConnectionPool(db.jdbcUrl());
      GuardedDataSource guarded =
          new GuardedDataSource(plain, "dev", "dev-00112233445566778899aabbccddeeff");
      Throwable t = catchThrowable(guarded::getConnection);
      assertThat(t).isInstanceOf(SQLException.class);
      assertThat(((SQLException) t).getSQLState()).isEqualTo(GuardedDataSource.SQLSTATE);
      assertThat(t.getMessage())
          .contains("G2 environment fingerprint")
          .contains("this database is 'prod'");
    }
  }

  /**
   * A stand-in for a pool: hands out the same physical connection behind a fresh proxy each time
   * (as HikariCP does) and counts statements created on it.
   */
  static final class OnePhysicalConnectionPool implements DataSource {
    final Connection physical;
    final AtomicInteger statements = new AtomicInteger();

    OnePhysicalConnectionPool(String url) throws SQLException {
      physical = DriverManager.getConnection(url);
    }

    @Override
    public Connection getConnection() {
      return (Connection)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "close":
                    return null; // back to the "pool"
                  case "createStatement", "prepareStatement", "prepareCall":
                    statements.incrementAndGet();
                    break;
                  case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(physical)
                        || physical.isWrapperFor((Class<?>) args[0]);
                  case "unwrap":
                    return ((Class<?>) args[0]).isInstance(physical)
                        ? physical
                        : physical.unwrap((Class<?>) args[0]);
                  default:
                    break;
                }
                return method.invoke(physical, args);
              });
    }

    @Override
    public Connection getConnection(String u, String p) {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) {
      return null;
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
