package dev.prodguard.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.prodguard.db.RunContext;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.jdbc.GuardedDataSource;
import dev.prodguard.environment.Target;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DESIGN section 9: "a guarded DataSource adds nothing per getConnection() after a physical
 * connection has been checked". Checkout + close from a HikariCP pool of 4 physical PostgreSQL
 * connections, bare vs behind GuardedDataSource.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GuardedDataSourceBenchmark {
  private TestDatabase db;
  private HikariDataSource pool;
  private GuardedDataSource guarded;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    db = TestDatabase.postgres();
    Path dir = Files.createTempDirectory("prodguard-bench");
    Path yml = dir.resolve("prodguard.yml");
    Files.writeString(yml, "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n");
    RunContext ctx = RunContext.of(Map.of("DEV_DATABASE_URL", db.libpqUrl()));
    Target t = Target.prepare(ConfigLoader.load(yml), "dev", ctx, Target.Access.MUTATE, "bench");
    String fp = FingerprintInit.run(t, ctx, false).fingerprint();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(db.jdbcUrl());
    hc.setMaximumPoolSize(4);
    hc.setMinimumIdle(4);
    pool = new HikariDataSource(hc);
    guarded = new GuardedDataSource(pool, "dev", fp);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
    db.close();
  }

  @Benchmark
  public Connection bareCheckout() throws Exception {
    try (Connection c = pool.getConnection()) {
      return c;
    }
  }

  @Benchmark
  public Connection guardedCheckout() throws Exception {
    try (Connection c = guarded.getConnection()) {
      return c;
    }
  }
}
