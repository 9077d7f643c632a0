package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.testing.Configs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Configuration: prodguard.yml loading and its errors (exit 2, file, line, key)")
class ConfigLoaderTest {
  @TempDir Path dir;

  private ConfigException error(String yaml) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Configs.load(dir, yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    ConfigException e = (ConfigException) t;
    assertThat(e.file()).endsWith("prodguard.yml");
    return e;
  }

  @Test
  @DisplayName("the DESIGN example loads with every key")
  void designExample() {
    ProdguardConfig c =
        Configs.load(
            dir,
            """
            environments:
              dev:
                url: ${DEV_DATABASE_URL}
                fingerprint: dev-4f1c9a2e7b0d4c3a
              prod:
                url: ${PROD_DATABASE_URL}
                fingerprint: prod-9b2e51d07c8a4f16
                protected: true                # mutation only from CI
                hosts: ["*.prod.internal", "db-prod-*"]
            migrations:
              locations: [db/migration]
            contract: prodguard-contract.yml
            ci:
              mode: oidc
              oidc:
                issuer: https://token.actions.githubusercontent.com
                audience: prodguard
                jwks: file:ci/jwks.json
                claims: { repository: acme/shop, ref: refs/heads/main, environment: production }
            pipeline: { verification-ttl: 30m, backup-ttl: 60m }
            backup: { directory: .prodguard/backups, restore-check: true }
            """);
    assertThat(c.environments()).containsOnlyKeys("dev", "prod");
    EnvironmentConfig prod = c.environment("prod");
    assertThat(prod.isProtected()).isTrue();
    assertThat(prod.hosts()).containsExactly("*.prod.internal", "db-prod-*");
    assertThat(prod.fingerprint()).contains("prod-9b2e51d07c8a4f16");
    assertThat(prod.url().variables()).containsExactly("PROD_DATABASE_URL");
    assertThat(c.environment("dev").isProtected()).isFalse();
    assertThat(c.ci().mode()).isEqualTo(CiConfig.Mode.OIDC);
    assertThat(c.ci().oidc().orElseThrow().claims()).containsEntry("ref", "refs/heads/main");
    assertThat(c.pipeline().verificationTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.pipeline().backupTtl()).isEqualTo(Duration.ofMinutes(60));
    assertThat(c.pipeline().lockWaitTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.backup().restoreCheck()).isTrue();
    assertThat(c.backup().directory()).isEqualTo(dir.resolve(".prodguard/backups"));
    assertThat(c.contract()).isEqualTo(dir.resolve("prodguard-contract.yml"));
    assertThat(c.migrationLocations()).containsExactly("db/migration");
  }

  @Test
  @DisplayName("an unknown key is an error naming line and key, not a warning")
  void unknownKey() {
    ConfigException e =
        error(
            """
            environments:
              dev:
                url: postgresql://h/db
                protect: true
            """);
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.key()).isEqualTo("environments.dev.protect");
    assertThat(e.getMessage()).contains("unknown key 'protect'");
  }

  @Test
  @DisplayName(
      "guards: require-ddl-trigger defaults to false, must be a boolean, and the section is strict")
  void guardsSection() {
    String env = "environments:\n  prod:\n    url: postgresql://h/db\n";
    assertThat(Configs.load(dir, env).guards().requireDdlTrigger()).isFalse();
    assertThat(
            Configs.load(dir, env + "guards:\n  require-ddl-trigger: true\n")
                .guards()
                .requireDdlTrigger())
        .isTrue();
    ConfigException wrongType = error(env + "guards:\n  require-ddl-trigger: sometimes\n");
    assertThat(wrongType.line()).isEqualTo(5);
    assertThat(wrongType.key()).isEqualTo("guards.require-ddl-trigger");
    ConfigException unknown = error(env + "guards:\n  require-ddl-triger: true\n");
    assertThat(unknown.line()).isEqualTo(5);
    assertThat(unknown.key()).isEqualTo("guards.require-ddl-triger");
  }

  @Test
  @DisplayName(
      "G6: deploy-url is optional, may read the environment, and must lead to the same kind of"
          + " server as url")
  void deployUrl() {
    String env = "environments:\n  prod:\n    url: mysql://app@h/db\n";
    assertThat(Configs.load(dir, env).environment("prod").deployUrl()).isEmpty();
    assertThat(
            Configs.load(dir, env + "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n")
                .environment("prod")
                .deployUrl()
                .orElseThrow()
                .variables())
        .containsExactly("PROD_DEPLOY_DATABASE_URL");
    ConfigException otherKind = error(env + "    deploy-url: postgresql://deploy@h/db\n");
    assertThat(otherKind.line()).isEqualTo(4);
    assertThat(otherKind.key()).isEqualTo("environments.prod.deploy-url");
    assertThat(otherKind.getMessage()).contains("same kind of server");
  }

  @Test
  @DisplayName("an unknown top-level key is an error")
  void unknownTopLevelKey() {
    ConfigException e =
        error("environments:\n  dev:\n    url: postgresql://h/db\nskip-checks: true\n");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.key()).isEqualTo("skip-checks");
  }

  @Test
  @DisplayName("a wrong type (protected: yes-please) is an error")
  void wrongTypeBoolean() {
    ConfigException e =
        error("environments:\n  prod:\n    url: postgresql://h/db\n    protected: maybe\n");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.key()).isEqualTo("environments.prod.protected");
    assertThat(e.getMessage()).contains("true or false");
  }

  @Test
  @DisplayName("a wrong type (hosts as a single string) is an error")
  void wrongTypeList() {
    ConfigException e =
        error("environments:\n  prod:\n    url: postgresql://h/db\n    hosts: db.prod\n");
    assertThat(e.key()).isEqualTo("environments.prod.hosts");
    assertThat(e.getMessage()).contains("expected a list");
  }

  @Test
  @DisplayName("a number where text is expected is an error")
  void numberForText() {
    ConfigException e = error("environments:\n  dev:\n    url: 5432\n");
    assertThat(e.key()).isEqualTo("environments.dev.url");
    assertThat(e.line()).isEqualTo(3);
  }

  @Test
  @DisplayName("a duplicate key is an error: which one is meant is ambiguous")
  void duplicateKey() {
    ConfigException e =
        error("environments:\n  dev:\n    url: postgresql://h/db\n    url: postgresql://h/other\n");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.getMessage()).contains("duplicate key");
  }

  @Test
  @DisplayName("a missing variable is an error naming the variable, when the value is used")
  void missingVariable() {
    ProdguardConfig c = Configs.load(dir, "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n");
    assertThatThrownBy(() -> c.environment("dev").url().databaseUrl(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DEV_DATABASE_URL is not set")
        .satisfies(t -> assertThat(((ConfigException) t).line()).isEqualTo(3));
  }

  @Test
  @DisplayName("an unparseable literal URL is an error at load time, without its password")
  void unparseableUrl() {
    ConfigException e =
        error("environments:\n  dev:\n    url: \"oracle://scott:tiger-secret@h/db\"\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.key()).isEqualTo("environments.dev.url");
    assertThat(e.render()).doesNotContain("tiger-secret");
  }

  @Test
  @DisplayName(
      "an unparseable URL from a variable is an error naming the key, without its password")
  void unparseableUrlFromVariable() {
    ProdguardConfig c = Configs.load(dir, "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n");
    Throwable t =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                c.environment("dev")
                    .url()
                    .databaseUrl(
                        Map.of("DEV_DATABASE_URL", "postgresql://app:hunter2-pw@/nohost")));
    assertThat(t).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) t).key()).isEqualTo("environments.dev.url");
    assertThat(((ConfigException) t).render()).doesNotContain("hunter2-pw");
  }

  @Test
  @DisplayName("a malformed fingerprint, or one of another environment, is an error")
  void badFingerprint() {
    assertThat(
            error("environments:\n  dev:\n    url: postgresql://h/db\n    fingerprint: abc\n")
                .key())
        .isEqualTo("environments.dev.fingerprint");
    assertThat(
            error(
                    "environments:\n  dev:\n    url: postgresql://h/db\n"
                        + "    fingerprint: prod-9b2e51d07c8a4f16\n")
                .getMessage())
        .contains("expected 'dev-'");
  }

  @Test
  @DisplayName("invalid YAML is an error with its line")
  void invalidYaml() {
    ConfigException e = error("environments:\n  dev:\n    url: [unclosed\n");
    assertThat(e.line()).isPositive();
    assertThat(e.getMessage()).contains("not valid YAML");
  }

  @Test
  @DisplayName("no environments, or an empty file, is an error")
  void noEnvironments() {
    assertThat(error("ci:\n  mode: env\n").getMessage()).contains("'environments' is required");
    assertThat(error("").getMessage()).contains("empty");
  }

  @Test
  @DisplayName("ci.mode must be oidc or env; oidc needs its section")
  void ciMode() {
    String base = "environments:\n  dev:\n    url: postgresql://h/db\n";
    assertThat(error(base + "ci:\n  mode: trust-me\n").key()).isEqualTo("ci.mode");
    assertThat(error(base + "ci:\n  mode: oidc\n").getMessage()).contains("no 'ci.oidc'");
  }

  @Test
  @DisplayName("a bad duration is an error")
  void badDuration() {
    ConfigException e =
        error(
            "environments:\n  dev:\n    url: postgresql://h/db\npipeline:\n  verification-ttl: soon\n");
    assertThat(e.key()).isEqualTo("pipeline.verification-ttl");
    assertThat(e.line()).isEqualTo(5);
  }

  @Test
  @DisplayName("pipeline.lock-wait-timeout is a duration, read strictly")
  void lockWaitTimeout() {
    String base = "environments:\n  dev:\n    url: postgresql://h/db\npipeline:\n";
    assertThat(Configs.load(dir, base + "  lock-wait-timeout: 90s\n").pipeline().lockWaitTimeout())
        .isEqualTo(Duration.ofSeconds(90));
    ConfigException e = error(base + "  lock-wait-timeout: forever\n");
    assertThat(e.key()).isEqualTo("pipeline.lock-wait-timeout");
    assertThat(e.line()).isEqualTo(5);
    assertThat(error(base + "  lock-wait-timeout: 0s\n").getMessage()).contains("positive");
  }

  @Test
  @DisplayName("a missing file is an error naming it")
  void missingFile() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("file not found");
  }
}
