package dev.prodguard.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G1 runs before any connection: a protected environment whose URL leads to a listener that counts
 * connection attempts. A refused {@code init-fingerprint} must leave the count at zero; a verified
 * one reaches the listener (the control that proves the count means something).
 */
class G1CiBeforeConnectionTest {
  static final OidcTokens CI = new OidcTokens();

  @TempDir Path dir;
  ConnectionRecorder recorder;

  @BeforeEach
  void setUp() throws Exception {
    recorder = new ConnectionRecorder();
    CI.writeJwks(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    recorder.close();
  }

  private ProdguardConfig config(String mode) throws Exception {
    Path file = dir.resolve("prodguard.yml");
    Files.writeString(
        file,
        """
        environments:
          prod:
            url: ${PROD_DATABASE_URL}
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
    return ConfigLoader.load(file);
  }

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put(
        "PROD_DATABASE_URL",
        "jdbc:postgresql://127.0.0.1:" + recorder.port() + "/app?user=deployer");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  /** What {@code prodguard init-fingerprint prod} does: prepare, then connect and write. */
  private static void initFingerprint(ProdguardConfig config, RunContext context)
      throws SQLException {
    Target t =
        Target.prepare(config, "prod", context, Target.Access.MUTATE, "init-fingerprint prod");
    FingerprintInit.run(t, context, false);
  }

  @Test
  @DisplayName("G1: a forged token refuses init-fingerprint of prod before any connection")
  void forgedTokenNoConnection() throws Exception {
    String forged =
        OidcTokens.sign(
            CI.attacker, JWSAlgorithm.RS256, OidcTokens.githubClaims(OidcTokens.NOW).build());
    RunContext c = OidcTokens.context(env("CI", "true", CiTokenSource.TOKEN_VARIABLE, forged));
    assertThatThrownBy(() -> initFingerprint(config("oidc"), c))
        .isInstanceOfSatisfying(
            CiRefusal.class,
            r -> assertThat(r.reason()).isEqualTo(CiRefusal.Reason.KEY_NOT_IN_JWKS));
    assertThat(recorder.connections()).isZero();
  }

  @Test
  @DisplayName("G1: CI=true without a token refuses init-fingerprint of prod before any connection")
  void ciTrueNoTokenNoConnection() throws Exception {
    RunContext c = OidcTokens.context(env("CI", "true"));
    assertThatThrownBy(() -> initFingerprint(config("oidc"), c))
        .isInstanceOfSatisfying(
            CiRefusal.class, r -> assertThat(r.reason()).isEqualTo(CiRefusal.Reason.TOKEN_MISSING));
    assertThat(recorder.connections()).isZero();
  }

  @Test
  @DisplayName(
      "G1: ci.mode env without CI=true refuses init-fingerprint of prod before any connection")
  void envModeNoConnection() throws Exception {
    RunContext c = OidcTokens.context(env("CI", "1"));
    assertThatThrownBy(() -> initFingerprint(config("env"), c))
        .isInstanceOfSatisfying(
            CiRefusal.class,
            r -> {
              assertThat(r.reason()).isEqualTo(CiRefusal.Reason.NOT_CI);
              assertThat(r.why()).contains("oidc");
            });
    assertThat(recorder.connections()).isZero();
  }

  @Test
  @DisplayName("G1: control: a valid token passes G1 and the connection reaches the listener")
  void validTokenConnects() throws Exception {
    RunContext c = OidcTokens.context(env("CI", "true", CiTokenSource.TOKEN_VARIABLE, CI.rs256()));
    ProdguardConfig config = config("oidc");
    Target t = Target.prepare(config, "prod", c, Target.Access.MUTATE, "init-fingerprint prod");
    assertThat(t.ciIdentity()).hasValueSatisfying(id -> assertThat(id.runId()).contains("4242"));
    assertThatThrownBy(() -> FingerprintInit.run(t, c, false)).isInstanceOf(SQLException.class);
    assertThat(recorder.connections()).isPositive();
  }

  @Test
  @DisplayName("G1: reading a protected environment does not ask for a CI token")
  void readDoesNotVerify() throws Exception {
    RunContext c = OidcTokens.context(env("CI", "true"));
    Target t = Target.prepare(config("oidc"), "prod", c, Target.Access.READ, "check prod");
    assertThat(t.ciIdentity()).isEmpty();
    assertThat(recorder.connections()).isZero();
  }
}
