package dev.prodguard.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Fingerprints;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.jdbc.DatabaseMetadata;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** G2 on sync: both sides must be the databases the config names, and two different ones. */
@DisplayName("G2 environment fingerprint: sync")
class G2SyncFingerprintTest {
  @TempDir Path dir;

  @Test
  @DisplayName("G2: sync from an environment to itself is refused before connecting")
  void sameEnvironment() throws Exception {
    try (ConnectionRecorder recorder = new ConnectionRecorder()) {
      ProdguardConfig config =
          Configs.load(dir, Configs.devProd("dev-4f1c9a2e7b0d4c3a", "prod-9b2e51d07c8a4f16", null));
      Files.writeString(dir.resolve("prodguard-contract.yml"), SyncDryRunTest.CONTRACT);
      RunContext ctx =
          RunContext.of(
              Map.of(
                  "CI",
                  "true",
                  "PROD_DATABASE_URL",
                  "postgresql://app@127.0.0.1:" + recorder.port() + "/app"));
      Sync sync =
          new Sync(
              config,
              ContractLoader.load(dir.resolve("prodguard-contract.yml")),
              ctx,
              new TableBackup(ctx),
              Sync.Hooks.NONE);
      GuardRefusal r =
          catchThrowableOfType(
              () -> sync.run(Sync.Request.dryRun("prod", "prod", "services")), GuardRefusal.class);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G2);
      assertThat(r.why()).contains("the same environment");
      assertThat(recorder.connections()).isZero();
    }
  }

  @Test
  @DisplayName("G2: two environments that reach one database are refused")
  void sameDatabaseIdentity() {
    DatabaseMetadata dev =
        new DatabaseMetadata("dev", "dev-4f1c9a2e7b0d4c3a", "postgresql:7312/app");
    DatabaseMetadata prod =
        new DatabaseMetadata("prod", "prod-9b2e51d07c8a4f16", "postgresql:7312/app");
    assertThatThrownBy(() -> Sync.distinct("sync", "dev", dev, "prod", prod))
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            r -> {
              assertThat(r.guarantee()).isEqualTo(Guarantee.G2);
              assertThat(r.why()).contains("lead to the same database (postgresql:7312/app)");
            });
  }

  private static Sync withUrls(SyncFixture f, String devUrl, String prodUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("DEV_DATABASE_URL", devUrl);
    env.put("PROD_DATABASE_URL", prodUrl);
    RunContext ctx = RunContext.of(env);
    return new Sync(f.config(), f.loadContract(), ctx, new TableBackup(ctx), Sync.Hooks.NONE);
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: source and target the same database is refused (prod URL leads to dev)")
  void targetUrlLeadsToSource(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, SyncDryRunTest.CONTRACT)) {
      SyncDryRunTest.servicesTable(f);
      String devUrl = f.dev.libpqUrl();
      // the same spelling is caught before connecting (G3)
      GuardRefusal same =
          catchThrowableOfType(
              () ->
                  withUrls(f, devUrl, devUrl)
                      .run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              GuardRefusal.class);
      assertThat(same.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(same.why()).contains("same database");
      GuardRefusal alias =
          catchThrowableOfType(
              () ->
                  withUrls(f, devUrl, devUrl.replace("127.0.0.1", "localhost"))
                      .run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              GuardRefusal.class);
      // loopback names are one server to G3 (issue 19), so 'localhost' for '127.0.0.1' is caught
      // before connecting too; a spelling G3 cannot see through (DNS) is left to G2's fingerprint
      assertThat(alias.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(alias.why()).contains("same database");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: a fingerprint mismatch on the source is refused")
  void sourceFingerprintMismatch(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, SyncDryRunTest.CONTRACT)) {
      SyncDryRunTest.servicesTable(f);
      f.dev.execute(
          "UPDATE database_metadata SET fingerprint = '" + Fingerprints.generate("dev") + "'");
      GuardRefusal r =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services")),
              GuardRefusal.class);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G2);
      assertThat(r.what()).contains("'dev'");
      assertThat(r.why()).contains("differs from the one in prodguard.yml");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: a fingerprint mismatch on the target is refused, nothing written")
  void targetFingerprintMismatch(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, SyncDryRunTest.CONTRACT)) {
      SyncDryRunTest.servicesTable(f);
      f.dev.execute("INSERT INTO services (id, name) VALUES (1, 'a')");
      f.prod.execute(
          "UPDATE database_metadata SET fingerprint = '" + Fingerprints.generate("prod") + "'");
      GuardRefusal r =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              GuardRefusal.class);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G2);
      assertThat(r.what()).contains("'prod'");
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM services")).isEqualTo(List.of());
    }
  }
}
