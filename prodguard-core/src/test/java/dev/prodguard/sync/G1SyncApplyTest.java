package dev.prodguard.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.JWSAlgorithm;
import dev.prodguard.ci.CiRefusal;
import dev.prodguard.ci.OidcTokens;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G1 on sync: writing a protected target needs a CI identity, checked before any connection. Both
 * URLs lead to a listener that counts connection attempts; the control shows it does count.
 */
@DisplayName("G1 CI-only mutation: sync")
class G1SyncApplyTest {
  static final OidcTokens CI = new OidcTokens();

  @TempDir Path dir;
  ConnectionRecorder recorder;

  @BeforeEach
  void setUp() throws Exception {
    recorder = new ConnectionRecorder();
    CI.writeJwks(dir);
    Files.writeString(dir.resolve("prodguard-contract.yml"), SyncDryRunTest.CONTRACT);
  }

  @AfterEach
  void tearDown() throws Exception {
    recorder.close();
  }

  private ProdguardConfig config(String mode) throws Exception {
    Files.writeString(
        dir.resolve("prodguard.yml"),
        """
        environments:
          dev:
            url: ${DEV_DATABASE_URL}
            fingerprint: dev-4f1c9a2e7b0d4c3a
          prod:
            url: ${PROD_DATABASE_URL}
            fingerprint: prod-9b2e51d07c8a4f16
            protected: true
        ci:
          mode: %s
          oidc:
            issuer: %s
            audience: prodguard
            jwks: file:ci/jwks.json
            claims: { repository: acme/shop, ref: refs/heads/main, environment: production }
        """
            .formatted(mode, OidcTokens.ISSUER));
    return ConfigLoader.load(dir.resolve("prodguard.yml"));
  }

  private RunContext context(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("DEV_DATABASE_URL", "postgresql://app@127.0.0.1:" + recorder.port() + "/app_dev");
    env.put("PROD_DATABASE_URL", "postgresql://app@127.0.0.1:" + recorder.port() + "/app");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return OidcTokens.context(env);
  }

  private Sync sync(ProdguardConfig config, RunContext ctx) {
    return new Sync(
        config,
        ContractLoader.load(dir.resolve("prodguard-contract.yml")),
        ctx,
        new TableBackup(ctx),
        Sync.Hooks.NONE);
  }

  private static Sync.Request apply() {
    return Sync.Request.dryRun("dev", "prod", "services").applying();
  }

  @Test
  @DisplayName("G1: apply without CI is refused before connecting")
  void applyWithoutCi() throws Exception {
    Throwable t = catchThrowable(() -> sync(config("env"), context()).run(apply()));
    assertThat(t)
        .isInstanceOfSatisfying(
            CiRefusal.class,
            r -> {
              assertThat(r.guarantee()).isEqualTo(Guarantee.G1);
              assertThat(r.reason()).isEqualTo(CiRefusal.Reason.NOT_CI);
              assertThat(r.what()).contains("sync --from dev --to prod --apply");
            });
    assertThat(recorder.connections()).isZero();
  }

  @Test
  @DisplayName("G1: apply with CI=true but a forged OIDC token is refused before connecting")
  void applyWithForgedToken() throws Exception {
    String forged =
        OidcTokens.sign(
            CI.attacker, JWSAlgorithm.RS256, OidcTokens.githubClaims(OidcTokens.NOW).build());
    Throwable t =
        catchThrowable(
            () ->
                sync(config("oidc"), context("CI", "true", "PRODGUARD_CI_TOKEN", forged))
                    .run(apply()));
    assertThat(t)
        .isInstanceOfSatisfying(
            CiRefusal.class,
            r -> assertThat(r.reason()).isEqualTo(CiRefusal.Reason.KEY_NOT_IN_JWKS));
    assertThat(recorder.connections()).isZero();
  }

  @Test
  @DisplayName("G1: revert without CI is refused before connecting")
  void revertWithoutCi() throws Exception {
    Throwable t =
        catchThrowable(
            () -> sync(config("env"), context()).revert("sync-20250101T000000Z-abcdef", "prod"));
    assertThat(t).isInstanceOf(CiRefusal.class);
    assertThat(((GuardRefusal) t).guarantee()).isEqualTo(Guarantee.G1);
    assertThat(recorder.connections()).isZero();
  }

  @Test
  @DisplayName("G1: (control) with a CI identity the same apply does reach the database")
  void controlReachesTheListener() throws Exception {
    Throwable t = catchThrowable(() -> sync(config("env"), context("CI", "true")).run(apply()));
    assertThat(t).isNotInstanceOf(GuardRefusal.class);
    assertThat(recorder.connections()).isPositive();
  }
}
