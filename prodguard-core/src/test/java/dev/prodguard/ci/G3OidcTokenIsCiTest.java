package dev.prodguard.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
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
 * G3 asks "is this process CI?" the way G1 answers it: with {@code ci.mode: oidc} a verified CI
 * token is CI whether or not {@code CI=true} is set (issue 14: a valid token passed G1 and G3 then
 * refused it as "not CI"). A protected environment's URL leads to a listener that counts connection
 * attempts, so "passed G3" means the connection reached it.
 */
@DisplayName("G3 early URL refusal: a verified OIDC token is CI, as for G1")
class G3OidcTokenIsCiTest {
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

  private ProdguardConfig oidc() throws Exception {
    Path file = dir.resolve("prodguard.yml");
    Files.writeString(
        file,
        """
        environments:
          prod:
            url: ${PROD_DATABASE_URL}
            fingerprint: prod-0123456789abcdef
            protected: true
        ci:
          mode: oidc
          oidc:
            issuer: %s
            audience: prodguard
            jwks: file:ci/jwks.json
            claims: { repository: acme/shop, ref: refs/heads/main, environment: production }
        """
            .formatted(OidcTokens.ISSUER));
    return ConfigLoader.load(file);
  }

  private RunContext context(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put(
        "PROD_DATABASE_URL",
        "jdbc:postgresql://127.0.0.1:" + recorder.port() + "/app?user=deployer");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return OidcTokens.context(env);
  }

  @Test
  @DisplayName("G3: a valid OIDC token without CI=true passes G1 and G3 for a mutation of prod")
  void verifiedTokenWithoutCiVariableMutates() throws Exception {
    RunContext c = context(CiTokenSource.TOKEN_VARIABLE, CI.rs256());
    Target t = Target.prepare(oidc(), "prod", c, Target.Access.MUTATE, "verify prod");
    assertThat(t.ciIdentity()).isPresent();
    assertThatThrownBy(t::open).isInstanceOf(SQLException.class); // the listener speaks no SQL
    assertThat(recorder.connections()).isPositive();
  }

  @Test
  @DisplayName("G3: a valid OIDC token without CI=true may read prod (status, check)")
  void verifiedTokenWithoutCiVariableReads() throws Exception {
    RunContext c = context(CiTokenSource.TOKEN_VARIABLE, CI.rs256());
    Target t = Target.prepare(oidc(), "prod", c, Target.Access.READ, "status prod");
    assertThat(t.ciIdentity()).isEmpty();
    assertThatThrownBy(t::open).isInstanceOf(SQLException.class);
    assertThat(recorder.connections()).isPositive();
  }

  @Test
  @DisplayName("G3: control: a forged token without CI=true is not CI: reading prod is refused")
  void forgedTokenIsNotCi() throws Exception {
    String forged =
        OidcTokens.sign(
            CI.attacker,
            com.nimbusds.jose.JWSAlgorithm.RS256,
            OidcTokens.githubClaims(OidcTokens.NOW).build());
    RunContext c = context(CiTokenSource.TOKEN_VARIABLE, forged);
    assertThatThrownBy(
            () -> Target.prepare(oidc(), "prod", c, Target.Access.READ, "status prod").open())
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            r -> {
              assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
              assertThat(r.why()).contains("not CI");
            });
    assertThat(recorder.connections()).isZero();
  }
}
