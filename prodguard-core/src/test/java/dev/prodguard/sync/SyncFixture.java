package dev.prodguard.sync;

import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two real databases of one kind, fingerprinted as dev and (protected) prod, a prodguard.yml and a
 * contract: what every sync test starts from.
 */
final class SyncFixture implements AutoCloseable {
  final DatabaseKind kind;
  final Path dir;
  final TestDatabase dev;
  final TestDatabase prod;
  final String devFp;
  final String prodFp;

  SyncFixture(DatabaseKind kind, Path dir, String contract) throws SQLException {
    this.kind = kind;
    this.dir = dir;
    this.dev = TestDatabase.create(kind);
    TestDatabase p = null;
    try {
      p = TestDatabase.create(kind);
      this.prod = p;
      ProdguardConfig bare = Configs.load(dir, Configs.devProd(null, null, null));
      RunContext ctx = context(true);
      devFp =
          FingerprintInit.run(
                  Target.prepare(bare, "dev", ctx, Target.Access.MUTATE, "t"), ctx, false)
              .fingerprint();
      prodFp =
          FingerprintInit.run(
                  Target.prepare(bare, "prod", ctx, Target.Access.MUTATE, "t"), ctx, false)
              .fingerprint();
      Configs.write(dir, Configs.devProd(devFp, prodFp, null));
      contract(contract);
    } catch (RuntimeException | SQLException e) {
      dev.close();
      if (p != null) {
        p.close();
      }
      throw e;
    }
  }

  boolean pg() {
    return kind == DatabaseKind.POSTGRESQL;
  }

  void contract(String yaml) {
    try {
      Files.writeString(dir.resolve("prodguard-contract.yml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ProdguardConfig config() {
    // local state in the test's folder, not under the user's ~/.local/state
    return ConfigLoader.load(
        dir.resolve("prodguard.yml"),
        java.util.Map.of("PRODGUARD_STATE_DIR", dir.resolve("state").toString()));
  }

  Contract loadContract() {
    return ContractLoader.load(dir.resolve("prodguard-contract.yml"));
  }

  RunContext context(boolean ci) {
    Map<String, String> env = new HashMap<>();
    env.put("DEV_DATABASE_URL", dev.libpqUrl());
    env.put("PROD_DATABASE_URL", prod.libpqUrl());
    if (ci) {
      env.put("CI", "true");
    }
    return RunContext.of(env);
  }

  Sync sync(boolean ci, Sync.Hooks hooks) {
    RunContext ctx = context(ci);
    return new Sync(config(), loadContract(), ctx, new TableBackup(ctx), hooks);
  }

  Sync sync() {
    return sync(true, Sync.Hooks.NONE);
  }

  /** Runs the same statements on both databases. */
  void both(String... sql) {
    dev.execute(sql);
    prod.execute(sql);
  }

  /** Every row of a query, each column as the driver's text (null stays null). */
  static List<List<String>> rows(TestDatabase db, String sql) {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<List<String>> out = new ArrayList<>();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.add(rs.getString(i));
        }
        out.add(row);
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when the database has the table. */
  static boolean hasTable(TestDatabase db, String table) {
    String sql =
        db.kind() == DatabaseKind.POSTGRESQL
            ? "SELECT to_regclass('" + table + "') IS NOT NULL"
            : "SELECT COUNT(*) > 0 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME = '"
                + table
                + "'";
    return "t".equals(rows(db, sql).get(0).get(0)) || "1".equals(rows(db, sql).get(0).get(0));
  }

  /**
   * Rows in the sync change log (installed with every prodguard object by init-fingerprint, so
   * "nothing applied" means empty, not absent).
   */
  static long changeLogRows(TestDatabase db) {
    return Long.parseLong(rows(db, "SELECT COUNT(*) FROM prodguard_sync_change").get(0).get(0));
  }

  @Override
  public void close() {
    try {
      dev.close();
    } finally {
      prod.close();
    }
  }
}
