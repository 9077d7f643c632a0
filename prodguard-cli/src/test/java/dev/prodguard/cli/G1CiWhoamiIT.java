package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import dev.prodguard.ci.OidcTokens;
import dev.prodguard.testing.ConnectionRecorder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prodguard ci whoami} from the shaded jar, in both modes: exit codes, output, no token. */
class G1CiWhoamiIT {
  static final OidcTokens CI = new OidcTokens();
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  ConnectionRecorder recorder;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    recorder = new ConnectionRecorder();
    CI.writeJwks(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    assertThat(recorder.connections()).as("ci whoami touches no database").isZero();
    recorder.close();
  }

  private Path config(String mode) throws Exception {
    Path file = dir.resolve("prodguard.yml");
    Files.writeString(
        file,
        """
        environments:
          prod:
            url: jdbc:postgresql://127.0.0.1:%d/app?user=deployer
            protected: true
        ci:
          mode: %s
          oidc:
            issuer: %s
            audience: prodguard
            jwks: file:ci/jwks.json
            claims: { repository: acme/shop, ref: refs/heads/main, environment: production }
            token-variable: PRODGUARD_ID_TOKEN
        """
            .formatted(recorder.port(), mode, OidcTokens.ISSUER));
    return file;
  }

  private Run whoami(Path config, Map<String, String> env, String... extra) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("prodguard.jar"),
                "ci",
                "whoami",
                "--config",
                config.toString()));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // this test may itself run in CI: start from a shell that is not
    pb.environment()
        .keySet()
        .removeIf(
            k ->
                k.equals("CI")
                    || k.startsWith("PRODGUARD_")
                    || k.startsWith("GITHUB_")
                    || k.startsWith("GITLAB_")
                    || k.startsWith("CI_")
                    || k.startsWith("ACTIONS_"));
    pb.environment().putAll(env);
    File out = dir.resolve("out.txt").toFile();
    File err = dir.resolve("err.txt").toFile();
    pb.redirectOutput(out).redirectError(err);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("prodguard finished").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  private static String token(Instant now, boolean expired) {
    var b = OidcTokens.githubClaims(now);
    if (expired) {
      b.issueTime(Date.from(now.minusSeconds(1200)))
          .notBeforeTime(Date.from(now.minusSeconds(1200)))
          .expirationTime(Date.from(now.minusSeconds(900)));
    }
    return OidcTokens.sign(CI.rsa, JWSAlgorithm.RS256, b.build());
  }

  private static void assertNoToken(Run r, String token) {
    for (String text : List.of(r.out(), r.err())) {
      assertThat(text).doesNotContain(token);
      for (String part : token.split("\\.")) {
        assertThat(text).doesNotContain(part);
      }
    }
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  @DisplayName("G1: ci whoami in env mode outside CI refuses with exit 1 and points to oidc")
  void envModeRefused() throws Exception {
    Run r = whoami(config("env"), env());
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("refused [G1 CI-only mutation]").contains("not CI");
    assertThat(r.err()).contains("ci.mode 'oidc'");
  }

  @Test
  @DisplayName("G1: ci whoami in env mode with CI=true prints the identity and the caveat")
  void envModeAccepted() throws Exception {
    Run r = whoami(config("env"), env("CI", "true", "GITHUB_ACTOR", "octocat"));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("ci.mode:    env").contains("subject:    octocat");
    assertThat(r.out()).contains("any shell can set");
  }

  @Test
  @DisplayName("G1: ci whoami in oidc mode with a valid token prints the identity, not the token")
  void oidcAccepted() throws Exception {
    String token = token(Instant.now(), false);
    Run r = whoami(config("oidc"), env("CI", "true", "PRODGUARD_CI_TOKEN", token));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("ci.mode:    oidc")
        .contains("issuer:     " + OidcTokens.ISSUER)
        .contains("subject:    repo:acme/shop:environment:production")
        .contains("repository: acme/shop")
        .contains("ref:        refs/heads/main")
        .contains("run id:     4242")
        .contains("token id:   jti-1");
    assertNoToken(r, token);
  }

  @Test
  @DisplayName("G1: ci whoami --format json in oidc mode reads the GitLab id_tokens variable")
  void oidcJson() throws Exception {
    String token = token(Instant.now(), false);
    Run r = whoami(config("oidc"), env("PRODGUARD_ID_TOKEN", token), "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("status").asText()).isEqualTo("ok");
    assertThat(j.get("mode").asText()).isEqualTo("oidc");
    assertThat(j.get("repository").asText()).isEqualTo("acme/shop");
    assertThat(j.get("run_id").asText()).isEqualTo("4242");
    assertNoToken(r, token);
  }

  @Test
  @DisplayName("G1: ci whoami with an expired token refuses with exit 1, token not echoed")
  void oidcExpired() throws Exception {
    String token = token(Instant.now(), true);
    Run r = whoami(config("oidc"), env("CI", "true", "PRODGUARD_CI_TOKEN", token));
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err()).contains("refused [G1 CI-only mutation]").contains("expired at");
    assertNoToken(r, token);
  }

  @Test
  @DisplayName("G1: ci whoami --format json with a forged token says why, token not echoed")
  void oidcForgedJson() throws Exception {
    String token =
        OidcTokens.sign(
            CI.attacker, JWSAlgorithm.RS256, OidcTokens.githubClaims(Instant.now()).build());
    Run r =
        whoami(config("oidc"), env("CI", "true", "PRODGUARD_CI_TOKEN", token), "--format", "json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("status").asText()).isEqualTo("refused");
    assertThat(j.get("guarantee").asText()).isEqualTo("G1");
    assertThat(j.get("reason").asText()).isEqualTo("key-not-in-jwks");
    assertThat(j.get("why").asText()).contains("attacker-1");
    assertNoToken(r, token);
  }

  @Test
  @DisplayName("G1: ci whoami in oidc mode with CI=true and no token refuses with exit 1")
  void oidcCiTrueNoToken() throws Exception {
    Run r = whoami(config("oidc"), env("CI", "true"), "--format", "json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("reason").asText()).isEqualTo("token-missing");
    assertThat(j.get("fix").asText()).contains("id-token: write");
  }
}
