package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.sun.net.httpserver.HttpServer;
import dev.prodguard.ci.OidcTokens;
import dev.prodguard.testing.ConnectionRecorder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The composite action {@code .github/actions/prodguard/action.yml}, run step by step with a
 * simulated {@code GITHUB_*} environment ({@link ActionRunner}): it installs prodguard from its own
 * checkout, lints and scans a user's repository with SARIF for the upload step (pull request), and
 * promotes with the job's OIDC token, requested from a simulated GitHub token service (deploy).
 */
@DisplayName("CI: the GitHub Action installs prodguard, analyses with SARIF, promotes with OIDC")
class GitHubActionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REQUEST_TOKEN = "actions-request-token-4f1c9a";

  @TempDir Path tmp;

  private static Path actionYml() {
    return Processes.repositoryRoot().resolve(".github/actions/prodguard/action.yml");
  }

  /**
   * A user's repository (not prodguard's): the clean sample project of the Maven plugin's tests.
   */
  private Path userRepository() throws IOException, InterruptedException {
    Path sample = Processes.repositoryRoot().resolve("prodguard-maven-plugin/src/it/clean-project");
    Path repo = tmp.resolve("shop");
    for (String f :
        List.of(
            "prodguard.yml",
            "prodguard-contract.yml",
            "PRODUCTION_MUTATION_CONTRACT.md",
            "db/migration/V1__create_customer.sql",
            "db/migration/beforeEachMigrate.sql")) {
      Files.createDirectories(repo.resolve(f).getParent());
      Files.copy(sample.resolve(f), repo.resolve(f));
    }
    git(repo, "init", "-q");
    git(repo, "add", "-A");
    return repo;
  }

  private void git(Path repo, String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Cli.Result r = Processes.run(repo, baseEnv(), cmd);
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  /** What a GitHub-hosted job's steps see (no OIDC request variables unless added). */
  private Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", tmp.resolve("home").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("CI", "true");
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_REPOSITORY", "acme/shop");
    env.put("GITHUB_RUN_ID", "4242");
    return env;
  }

  private ActionRunner.Run analyse(Path repo) throws Exception {
    Map<String, String> env = baseEnv();
    env.put("GITHUB_EVENT_NAME", "pull_request");
    env.put("GITHUB_REF", "refs/pull/7/merge");
    return new ActionRunner(actionYml())
        .run(Map.of("mode", "analyse"), env, repo, tmp.resolve("runner-temp"));
  }

  @Test
  @DisplayName(
      "pull request, clean repository: lint and scan pass, both SARIF files go to the upload")
  void analyseCleanRepository() throws Exception {
    Path repo = userRepository();
    ActionRunner.Run run = analyse(repo);

    assertThat(run.failed()).as(run.log()).isFalse();
    assertThat(run.step("install").exit()).as(run.log()).isZero();
    assertThat(run.outputs().get("version")).startsWith("prodguard ");
    assertThat(run.outputs()).containsEntry("lint-exit", "0").containsEntry("scan-exit", "0");
    assertThat(run.step("analyse").out()).contains("ok: 0 errors").contains("0 errors, 0 warnings");

    ActionRunner.Step upload = run.step("Upload the SARIF reports to code scanning");
    assertThat(upload.ran()).isTrue();
    assertThat(upload.uses()).startsWith("github/codeql-action/upload-sarif@");
    Path sarifDir = Path.of(upload.with().get("sarif_file"));
    assertThat(sarifDir.toString()).isEqualTo(run.outputs().get("sarif-dir"));
    for (String name : List.of("lint.sarif", "scan.sarif")) {
      JsonNode sarif = JSON.readTree(sarifDir.resolve(name).toFile());
      assertThat(sarif.path("version").asText()).isEqualTo("2.1.0");
      assertThat(sarif.path("runs").get(0).path("results")).isEmpty();
    }
    assertThat(run.step("promote").ran()).isFalse();
    // prodguard was installed under RUNNER_TEMP, nothing was built or written in the repository
    assertThat(tmp.resolve("runner-temp/prodguard/bin/prodguard")).isExecutable();
    try (Stream<Path> files = Files.walk(repo)) {
      assertThat(files.map(p -> repo.relativize(p).toString()))
          .noneMatch(p -> p.startsWith(".prodguard") || p.startsWith("target"));
    }
  }

  @Test
  @DisplayName(
      "pull request, destructive migration: the job fails, the finding still reaches SARIF")
  void analyseDestructiveMigration() throws Exception {
    Path repo = userRepository();
    Files.writeString(repo.resolve("db/migration/V2__drop.sql"), "DROP TABLE legacy_audit;\n");
    git(repo, "add", "-A");
    ActionRunner.Run run = analyse(repo);

    assertThat(run.failed()).isTrue();
    ActionRunner.Step analyse = run.step("analyse");
    assertThat(analyse.exit()).isEqualTo(1);
    assertThat(analyse.out()).contains("db/migration/V2__drop.sql:1:1: error [drop-table]");
    assertThat(analyse.out()).contains("::error title=prodguard::lint exited 1, scan exited 0");
    assertThat(run.outputs()).containsEntry("lint-exit", "1").containsEntry("scan-exit", "0");

    ActionRunner.Step upload = run.step("Upload the SARIF reports to code scanning");
    assertThat(upload.ran()).as("the upload runs also when the analysis failed").isTrue();
    JsonNode results =
        JSON.readTree(Path.of(upload.with().get("sarif_file")).resolve("lint.sarif").toFile())
            .path("runs")
            .get(0)
            .path("results");
    assertThat(results).hasSize(1);
    assertThat(results.get(0).path("ruleId").asText()).isEqualTo("drop-table");
  }

  /** A protected prod at a recorder that counts connections; CI identity by OIDC (GitHub). */
  private Path promoteRepository(ConnectionRecorder db) throws Exception {
    Path repo = userRepository();
    new OidcTokens().writeJwks(repo); // replaced below by the key that signs, same layout
    Files.writeString(
        repo.resolve("prodguard.yml"),
        """
        environments:
          prod:
            url: jdbc:postgresql://127.0.0.1:%d/shop?user=deployer
            database: postgresql
            fingerprint: prod-9b2e51d07c8a4f16
            protected: true
        migrations:
          locations: [db/migration]
        contract: prodguard-contract.yml
        ci:
          mode: oidc
          oidc:
            issuer: %s
            audience: prodguard
            jwks: file:ci/jwks.json
            claims: { repository: acme/shop, ref: refs/heads/main, environment: production }
        """
            .formatted(db.port(), OidcTokens.ISSUER));
    return repo;
  }

  /** GitHub's token service as a job with {@code id-token: write} reaches it. */
  private static HttpServer tokenService(String token, AtomicInteger requests) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/token",
        exchange -> {
          requests.incrementAndGet();
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          String query = String.valueOf(exchange.getRequestURI().getQuery());
          // the scheme is case-insensitive (RFC 7235); GitHub's toolkit sends "bearer"
          boolean ok =
              auth != null
                  && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                  && auth.substring(7).equals(REQUEST_TOKEN)
                  && query.contains("audience=prodguard");
          byte[] body =
              (ok ? "{\"count\":1,\"value\":\"" + token + "\"}" : "{\"message\":\"denied\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(ok ? 200 : 403, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  @Test
  @DisplayName("G1 deploy branch: promote runs with the OIDC token the job requests from GitHub")
  void g1PromoteWithTheJobsOidcToken() throws Exception {
    OidcTokens keys = new OidcTokens();
    String token =
        OidcTokens.sign(
            keys.rsa, JWSAlgorithm.RS256, OidcTokens.githubClaims(Instant.now()).build());
    AtomicInteger requests = new AtomicInteger();
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      Path repo = promoteRepository(db);
      keys.writeJwks(repo);
      git(repo, "add", "-A");
      HttpServer service = tokenService(token, requests);
      try {
        Map<String, String> env = baseEnv();
        env.put("GITHUB_EVENT_NAME", "push");
        env.put("GITHUB_REF", "refs/heads/main");
        env.put(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "http://127.0.0.1:" + service.getAddress().getPort() + "/token?api-version=2.0");
        env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);
        ActionRunner.Run run =
            new ActionRunner(actionYml())
                .run(
                    Map.of("mode", "promote", "environment", "prod"),
                    env,
                    repo,
                    tmp.resolve("runner-temp"));

        ActionRunner.Step promote = run.step("promote");
        assertThat(promote.ran()).isTrue();
        assertThat(run.step("analyse").ran()).isFalse();
        // the identity prodguard checked: the token GitHub's service handed the job
        assertThat(promote.out())
            .as(run.log())
            .contains("ci.mode:    oidc")
            .contains("repository: acme/shop")
            .contains("ref:        refs/heads/main");
        assertThat(requests.get()).as("whoami and promote each request a token").isEqualTo(2);
        // past G1 (and G3): promote went to the database, which here is only a recorder
        assertThat(db.connections()).as(run.log()).isPositive();
        assertThat(promote.out() + promote.err()).doesNotContain("[G1").doesNotContain(token);
        assertThat(promote.exit()).isNotZero();
      } finally {
        service.stop(0);
      }
    }
  }

  @Test
  @DisplayName("G1 a job without id-token: write is refused before any connection")
  void g1PromoteWithoutTokenPermissionIsRefused() throws Exception {
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      Path repo = promoteRepository(db);
      Map<String, String> env = baseEnv();
      env.put("GITHUB_EVENT_NAME", "push");
      env.put("GITHUB_REF", "refs/heads/main");
      ActionRunner.Run run =
          new ActionRunner(actionYml())
              .run(Map.of("mode", "promote"), env, repo, tmp.resolve("runner-temp"));

      ActionRunner.Step promote = run.step("promote");
      assertThat(promote.exit()).as(run.log()).isEqualTo(1);
      assertThat(promote.err()).contains("[G1").contains("id-token: write");
      assertThat(db.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G1 fleet: mode promote with fleet, wave, shard and parallel runs promote --fleet with them"
          + " (docs/fleets.md's workflow); mode install only puts prodguard on the PATH")
  void promoteFleetThroughTheActionsInputs() throws Exception {
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      Path repo = userRepository();
      Files.writeString(
          repo.resolve("prodguard.yml"),
          """
          fleets:
            tenants:
              database: postgresql
              waves: [canary, rest]
              targets:
                - { id: t1, url: "jdbc:postgresql://127.0.0.1:%d/t1?user=deployer", fingerprint: t1-0011223344556677, wave: canary }
                - { id: t2, url: "jdbc:postgresql://127.0.0.1:%d/t2?user=deployer", fingerprint: t2-0011223344556677, wave: rest }
          migrations:
            locations: [db/migration]
          contract: prodguard-contract.yml
          ci:
            mode: env
          """
              .formatted(db.port(), db.port()));
      git(repo, "add", "-A");
      Map<String, String> env = baseEnv();
      env.put("GITHUB_EVENT_NAME", "push");
      env.put("GITHUB_REF", "refs/heads/main");

      ActionRunner.Run install =
          new ActionRunner(actionYml())
              .run(Map.of("mode", "install"), env, repo, tmp.resolve("runner-temp-install"));
      assertThat(install.failed()).as(install.log()).isFalse();
      assertThat(install.step("install").exit()).isZero();
      assertThat(install.step("analyse").ran()).isFalse();
      assertThat(install.step("promote").ran()).isFalse();

      ActionRunner.Run run =
          new ActionRunner(actionYml())
              .run(
                  Map.of(
                      "mode", "promote",
                      "fleet", "tenants",
                      "wave", "canary",
                      "shard", "0/1",
                      "parallel", "2"),
                  env,
                  repo,
                  tmp.resolve("runner-temp"));
      ActionRunner.Step promote = run.step("promote");
      assertThat(promote.ran()).isTrue();
      // the rollout ran over the fleet's canary wave (its one target is only a recorder here)
      assertThat(promote.out()).as(run.log()).contains("fleet 'tenants' wave 'canary': ");
      assertThat(promote.err()).as(run.log()).contains("==> wave 'canary': 1 target(s)");
      assertThat(db.connections()).as(run.log()).isPositive();
      assertThat(promote.exit()).isNotZero();

      ActionRunner.Run misuse =
          new ActionRunner(actionYml())
              .run(
                  Map.of("mode", "promote", "shard", "0/2"),
                  env,
                  repo,
                  tmp.resolve("runner-temp-misuse"));
      assertThat(misuse.step("promote").exit()).as(misuse.log()).isEqualTo(2);
      assertThat(misuse.step("promote").out()).contains("are for a fleet: set fleet");
    }
  }

  @Test
  @DisplayName("every input the tests give is declared, every script takes values through env")
  void scriptsTakeInputsThroughEnv() throws Exception {
    ActionRunner runner = new ActionRunner(actionYml());
    assertThat(runner.declaredInputs())
        .containsKeys(
            "mode",
            "environment",
            "config",
            "working-directory",
            "upload-sarif",
            "fleet",
            "wave",
            "shard",
            "parallel");
    // an expression inside a script is a script injection path; the action passes values via env
    for (Map<String, Object> step : runner.steps()) {
      if (step.containsKey("run")) {
        assertThat(String.valueOf(step.get("run")))
            .as("run: of " + step.get("name"))
            .doesNotContain("${{");
      }
    }
  }
}
