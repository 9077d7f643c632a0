package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** G2 attacked on real PostgreSQL and MariaDB: wrong database, missing or corrupt metadata. */
@DisplayName("G2 environment fingerprint")
class G2FingerprintIT {
  @TempDir Path dir;

  private TestDatabase devDb;
  private TestDatabase prodDb;
  private String devFp;
  private String prodFp;

  @AfterEach
  void drop() {
    if (devDb != null) {
      devDb.close();
    }
    if (prodDb != null) {
      prodDb.close();
    }
  }

  /** Two real databases, fingerprinted as dev and prod through init-fingerprint. */
  private void twoEnvironments(DatabaseKind kind) throws Exception {
    devDb = TestDatabase.create(kind);
    prodDb = TestDatabase.create(kind);
    ProdguardConfig bare = Configs.load(dir, Configs.devProd(null, null, null));
    Map<String, String> env =
        Map.of(
            "CI",
            "true",
            "DEV_DATABASE_URL",
            devDb.libpqUrl(),
            "PROD_DATABASE_URL",
            prodDb.libpqUrl());
    RunContext ctx = RunContext.of(env);
    devFp =
        FingerprintInit.run(Target.prepare(bare, "dev", ctx, Target.Access.MUTATE, "t"), ctx, false)
            .fingerprint();
    prodFp =
        FingerprintInit.run(
                Target.prepare(bare, "prod", ctx, Target.Access.MUTATE, "t"), ctx, false)
            .fingerprint();
  }

  private ProdguardConfig config() {
    return Configs.load(dir, Configs.devProd(devFp, prodFp, null));
  }

  /** Connects to {@code env} with its URL variable pointing at {@code db}; returns the refusal. */
  private GuardRefusal refusalConnecting(String env, TestDatabase db) {
    Map<String, String> vars =
        Map.of("CI", "true", env.toUpperCase() + "_DATABASE_URL", db.libpqUrl());
    Throwable t =
        catchThrowable(
            () -> {
              try (var c =
                  Target.prepare(config(), env, RunContext.of(vars), Target.Access.READ, "check")
                      .open()) {
                // reaching here means the guard let it through
              }
            });
    assertThat(t).as("connecting to %s must be refused", env).isInstanceOf(GuardRefusal.class);
    GuardRefusal r = (GuardRefusal) t;
    assertThat(r.guarantee()).isEqualTo(Guarantee.G2);
    return r;
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check passes for the right database")
  void rightDatabasePasses(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    RunContext ctx = RunContext.of(Map.of("DEV_DATABASE_URL", devDb.libpqUrl()));
    try (var c = Target.prepare(config(), "dev", ctx, Target.Access.READ, "check").open()) {
      assertThat(c.metadata().environment()).isEqualTo("dev");
      assertThat(c.metadata().fingerprint()).isEqualTo(devFp);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when the dev URL points to prod")
  void devUrlPointsToProd(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    GuardRefusal r = refusalConnecting("dev", prodDb);
    assertThat(r.why()).contains("this database is 'prod', not 'dev'");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when the prod URL points to dev")
  void prodUrlPointsToDev(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    GuardRefusal r = refusalConnecting("prod", devDb);
    assertThat(r.why()).contains("this database is 'dev', not 'prod'");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when metadata is missing")
  void metadataMissing(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    devDb.execute("DROP TABLE database_metadata");
    assertThat(refusalConnecting("dev", devDb).why()).contains("no database_metadata table");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when metadata is corrupted (empty table)")
  void metadataEmpty(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    devDb.execute("DELETE FROM database_metadata");
    assertThat(refusalConnecting("dev", devDb).why()).contains("empty");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when metadata is corrupted (two rows)")
  void metadataTwoRows(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    devDb.execute(
        "CREATE TABLE dm2 AS SELECT * FROM database_metadata",
        "DROP TABLE database_metadata",
        "ALTER TABLE dm2 RENAME TO database_metadata",
        "INSERT INTO database_metadata SELECT * FROM database_metadata");
    assertThat(refusalConnecting("dev", devDb).why()).contains("2 rows");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when metadata is corrupted (wrong types)")
  void metadataWrongTypes(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    devDb.execute(
        "DROP TABLE database_metadata",
        "CREATE TABLE database_metadata (id INT, environment INT, fingerprint INT,"
            + " server_identity INT, created_at INT, created_by INT)",
        "INSERT INTO database_metadata VALUES (1, 7, 42, 9, 0, 0)");
    assertThat(refusalConnecting("dev", devDb).why()).contains("not a fingerprint");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when metadata is corrupted (null fingerprint)")
  void metadataNullFingerprint(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    devDb.execute(
        kind == DatabaseKind.POSTGRESQL
            ? "ALTER TABLE database_metadata ALTER COLUMN fingerprint DROP NOT NULL"
            : "ALTER TABLE database_metadata MODIFY fingerprint VARCHAR(130) NULL",
        "UPDATE database_metadata SET fingerprint = NULL");
    assertThat(refusalConnecting("dev", devDb).why()).contains("null or malformed");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when metadata is corrupted (garbage fingerprint)")
  void metadataGarbage(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    devDb.execute("UPDATE database_metadata SET fingerprint = 'dev-not hex at all; DROP'");
    assertThat(refusalConnecting("dev", devDb).why()).contains("not a fingerprint");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when metadata is corrupted (missing column)")
  void metadataMissingColumn(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    devDb.execute("ALTER TABLE database_metadata DROP COLUMN server_identity");
    assertThat(refusalConnecting("dev", devDb).why()).contains("malformed");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when the fingerprint differs from the config")
  void fingerprintDiffers(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    String other = dev.prodguard.db.Fingerprints.generate("dev");
    devDb.execute("UPDATE database_metadata SET fingerprint = '" + other + "'");
    assertThat(refusalConnecting("dev", devDb).why())
        .contains("differs from the one in prodguard.yml");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: the fingerprint check fails when the database is a restored copy of prod")
  void restoredCopyOfProd(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    try (TestDatabase copy = TestDatabase.create(kind)) {
      Dumps.copy(prodDb, copy);
      GuardRefusal r = refusalConnecting("prod", copy);
      assertThat(r.why()).contains("is a copy");
      assertThat(r.fix()).contains("--reidentify");
      // nor does the copy pass as dev
      assertThat(refusalConnecting("dev", copy).why()).contains("this database is 'prod'");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: a copy becomes its own environment only through init-fingerprint --reidentify")
  void reidentifyCopy(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    try (TestDatabase copy = TestDatabase.create(kind)) {
      Dumps.copy(prodDb, copy);
      ProdguardConfig cfg = Configs.load(dir, Configs.devProd(null, prodFp, null));
      RunContext ctx = RunContext.of(Map.of("DEV_DATABASE_URL", copy.libpqUrl()));
      Target t = Target.prepare(cfg, "dev", ctx, Target.Access.MUTATE, "init-fingerprint dev");
      Throwable plain = catchThrowable(() -> FingerprintInit.run(t, ctx, false));
      assertThat(plain).isInstanceOf(GuardRefusal.class).hasMessageContaining("copy");
      FingerprintInit.Result r = FingerprintInit.run(t, ctx, true);
      assertThat(r.outcome()).isEqualTo(FingerprintInit.Outcome.REIDENTIFIED);
      assertThat(r.previous().orElseThrow()).contains(prodFp);
      ProdguardConfig now = Configs.load(dir, Configs.devProd(r.fingerprint(), prodFp, null));
      try (var c = Target.prepare(now, "dev", ctx, Target.Access.READ, "check").open()) {
        assertThat(c.metadata().fingerprint()).isEqualTo(r.fingerprint());
      }
      // the original prod is untouched and cannot be re-identified
      RunContext ci = RunContext.of(Map.of("CI", "true", "PROD_DATABASE_URL", prodDb.libpqUrl()));
      Target original = Target.prepare(config(), "prod", ci, Target.Access.MUTATE, "t");
      assertThat(catchThrowable(() -> FingerprintInit.run(original, ci, true)))
          .isInstanceOf(GuardRefusal.class)
          .hasMessageContaining("original");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: init-fingerprint refuses to overwrite a different fingerprint")
  void initRefusesOverwrite(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    // dev's URL pointed at the prod database
    RunContext ctx = RunContext.of(Map.of("DEV_DATABASE_URL", prodDb.libpqUrl()));
    Target t =
        Target.prepare(
            Configs.load(dir, Configs.devProd(null, null, null)),
            "dev",
            ctx,
            Target.Access.MUTATE,
            "init-fingerprint dev");
    Throwable e = catchThrowable(() -> FingerprintInit.run(t, ctx, false));
    assertThat(e)
        .isInstanceOf(GuardRefusal.class)
        .hasMessageContaining("already fingerprinted as 'prod'");
    try (var c = prodDb.connect();
        var rs =
            c.createStatement()
                .executeQuery("SELECT environment, fingerprint FROM database_metadata")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("prod");
      assertThat(rs.getString(2)).isEqualTo(prodFp);
    }
    // a second run for the right environment changes nothing
    RunContext devCtx = RunContext.of(Map.of("DEV_DATABASE_URL", devDb.libpqUrl()));
    Target again =
        Target.prepare(config(), "dev", devCtx, Target.Access.MUTATE, "init-fingerprint dev");
    FingerprintInit.Result same = FingerprintInit.run(again, devCtx, false);
    assertThat(same.outcome()).isEqualTo(FingerprintInit.Outcome.UNCHANGED);
    assertThat(same.fingerprint()).isEqualTo(devFp);
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: new fingerprints are <env>-<128 random bits> and record the server identity")
  void fingerprintShape(DatabaseKind kind) throws Exception {
    twoEnvironments(kind);
    assertThat(devFp).matches("dev-[0-9a-f]{32}");
    assertThat(prodFp).matches("prod-[0-9a-f]{32}").isNotEqualTo(devFp);
    try (var c = prodDb.connect();
        var rs =
            c.createStatement()
                .executeQuery("SELECT server_identity, created_by FROM database_metadata")) {
      rs.next();
      assertThat(rs.getString(1)).endsWith("/" + prodDb.name());
      assertThat(rs.getString(2)).isNotBlank();
    }
  }
}
