package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.prodguard.ci.OidcTokens;
import dev.prodguard.testing.ConnectionRecorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The GitLab CI template {@code ci/gitlab/prodguard.gitlab-ci.yml}: its jobs' {@code before_script}
 * and {@code script} run as the runner runs them (one bash shell, the template's and GitLab's
 * variables), against a user's repository. prodguard is fetched at the pinned ref from this
 * checkout, as a project including the template fetches it from its mirror.
 */
@DisplayName("CI: the GitLab template installs a pinned prodguard, analyses, promotes with OIDC")
class GitLabTemplateIT {
  @TempDir Path tmp;

  @SuppressWarnings("unchecked")
  private static Map<String, Object> template() throws IOException {
    return (Map<String, Object>)
        new Load(LoadSettings.builder().build())
            .loadFromString(
                Files.readString(
                    Processes.repositoryRoot().resolve("ci/gitlab/prodguard.gitlab-ci.yml")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> job(String name) throws IOException {
    return (Map<String, Object>) template().get(name);
  }

  /** before_script of the job it extends, then its script: one shell, as the runner does. */
  @SuppressWarnings("unchecked")
  private Cli.Result runJob(String name, Path repo, Map<String, String> extra) throws Exception {
    Map<String, Object> t = template();
    Map<String, Object> job = (Map<String, Object>) t.get(name);
    Map<String, Object> base = (Map<String, Object>) t.get((String) job.get("extends"));
    List<String> lines = new ArrayList<>();
    lines.addAll((List<String>) base.get("before_script"));
    lines.addAll((List<String>) job.get("script"));
    Path script = tmp.resolve(name + ".sh");
    Files.writeString(
        script, "set -eo pipefail\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

    Map<String, String> env = new HashMap<>();
    ((Map<String, Object>) t.get("variables")).forEach((k, v) -> env.put(k, String.valueOf(v)));
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", tmp.resolve("home").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("CI", "true");
    env.put("GITLAB_CI", "true");
    env.put("CI_PROJECT_DIR", repo.toString());
    // the including project's pin: this checkout at its current commit, the jar already built
    env.put("PRODGUARD_REPOSITORY", Processes.repositoryRoot().toString());
    env.put("PRODGUARD_REF", head());
    env.put("PRODGUARD_INSTALL_ARGS", "--jar " + Cli.jar());
    env.put("PRODGUARD_PREFIX", tmp.resolve("opt/prodguard").toString());
    env.put("PRODGUARD_APT_PACKAGES", "");
    env.putAll(extra);
    return Processes.run(repo, env, List.of("bash", "--noprofile", "--norc", script.toString()));
  }

  private static String head() throws Exception {
    Cli.Result r =
        Processes.run(
            Processes.repositoryRoot(),
            Map.of("PATH", System.getenv("PATH")),
            List.of("git", "rev-parse", "HEAD"));
    return r.out().trim();
  }

  private Path userRepository() throws Exception {
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
    Map<String, String> env = Map.of("PATH", System.getenv("PATH"));
    assertThat(Processes.run(repo, env, List.of("git", "init", "-q")).exit()).isZero();
    assertThat(Processes.run(repo, env, List.of("git", "add", "-A")).exit()).isZero();
    return repo;
  }

  @Test
  @DisplayName("merge request, clean repository: passes with JUnit and SARIF reports")
  @SuppressWarnings("unchecked")
  void analyseClean() throws Exception {
    Map<String, Object> job = job("prodguard-analyse");
    assertThat(String.valueOf(((List<Map<String, Object>>) job.get("rules")).get(0).get("if")))
        .contains("merge_request_event");
    Path repo = userRepository();

    Cli.Result r = runJob("prodguard-analyse", repo, Map.of());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("prodguard: lint exited 0, scan exited 0");
    for (String f : List.of("lint.sarif", "scan.sarif", "lint-junit.xml", "scan-junit.xml")) {
      assertThat(repo.resolve("prodguard-reports/" + f)).isNotEmptyFile();
    }
    assertThat(tmp.resolve("opt/prodguard/bin/prodguard")).isExecutable();
  }

  @Test
  @DisplayName("merge request, destructive migration: the job fails, the JUnit report names it")
  void analyseDestructive() throws Exception {
    Path repo = userRepository();
    Files.writeString(repo.resolve("db/migration/V2__drop.sql"), "DROP TABLE legacy_audit;\n");

    Cli.Result r = runJob("prodguard-analyse", repo, Map.of());

    assertThat(r.exit()).as(r.toString()).isNotZero();
    assertThat(r.out()).contains("error [drop-table]").contains("lint exited 1, scan exited 0");
    assertThat(Files.readString(repo.resolve("prodguard-reports/lint-junit.xml")))
        .contains("drop-table")
        .contains("<failure");
  }

  @Test
  @DisplayName("G1 deploy branch: promote runs with the job's id_tokens token")
  @SuppressWarnings("unchecked")
  void g1PromoteWithIdToken() throws Exception {
    Map<String, Object> job = job("prodguard-promote");
    Map<String, Object> idTokens = (Map<String, Object>) job.get("id_tokens");
    assertThat(((Map<String, Object>) idTokens.get("PRODGUARD_ID_TOKEN")).get("aud"))
        .isEqualTo("prodguard");
    assertThat(String.valueOf(((List<Map<String, Object>>) job.get("rules")).get(0).get("if")))
        .contains("$PRODGUARD_DEPLOY_BRANCH");

    OidcTokens keys = new OidcTokens();
    Instant now = Instant.now();
    String token =
        OidcTokens.sign(
            keys.rsa,
            JWSAlgorithm.RS256,
            new JWTClaimsSet.Builder()
                .issuer("https://gitlab.com")
                .audience("prodguard")
                .subject("project_path:acme/shop:ref_type:branch:ref:main")
                .claim("project_path", "acme/shop")
                .claim("ref", "main")
                .claim("ref_type", "branch")
                .claim("ref_protected", "true")
                .claim("environment", "production")
                .claim("pipeline_id", "99")
                .jwtID("jti-gitlab-1")
                .issueTime(Date.from(now.minusSeconds(10)))
                .notBeforeTime(Date.from(now.minusSeconds(10)))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .build());
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      Path repo = userRepository();
      keys.writeJwks(repo);
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
              issuer: https://gitlab.com
              audience: prodguard
              jwks: file:ci/jwks.json
              token-variable: PRODGUARD_ID_TOKEN
              claims:
                project_path: acme/shop
                ref: main
                ref_type: branch
                ref_protected: "true"
                environment: production
          """
              .formatted(db.port()));

      Cli.Result r =
          runJob(
              "prodguard-promote",
              repo,
              Map.of("PRODGUARD_ID_TOKEN", token, "CI_COMMIT_BRANCH", "main"));

      assertThat(r.out()).as(r.toString()).contains("ci.mode:    oidc");
      assertThat(db.connections()).as(r.toString()).isPositive();
      assertThat(r.all()).doesNotContain("[G1").doesNotContain(token);
      assertThat(r.exit()).isNotZero();

      // the same job without the id_tokens token: refused before any connection
      int before = db.connections();
      Cli.Result refused = runJob("prodguard-promote", repo, Map.of("CI_COMMIT_BRANCH", "main"));
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err()).contains("[G1");
      assertThat(db.connections()).isEqualTo(before);
    }
  }
}
