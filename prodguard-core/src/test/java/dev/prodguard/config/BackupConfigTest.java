package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.testing.Configs;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup:} and {@code state-directory:}: local state and backups stay out of the repository
 * unless configured; {@code store: s3} is strict about its keys and never takes credentials.
 */
@DisplayName("Configuration: backup store and state directory")
class BackupConfigTest {
  private static final String ENV = "environments:\n  prod:\n    url: postgresql://h/db\n";

  @TempDir Path dir;

  private ProdguardConfig load(String yaml, Map<String, String> env) {
    return ConfigLoader.load(Configs.write(dir.resolve("repo"), yaml), env);
  }

  private ProdguardConfig load(String yaml) {
    return load(yaml, Map.of("HOME", dir.resolve("home").toString()));
  }

  private ConfigException error(String yaml) {
    return catchThrowableOfType(ConfigException.class, () -> load(yaml));
  }

  @Test
  @DisplayName("by default nothing is written inside the repository: state under ~/.local/state")
  void defaultStateIsOutsideTheRepository() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("repo"));
    ProdguardConfig c = load(ENV);
    Path repo = dir.resolve("repo").toAbsolutePath();
    assertThat(c.stateDirectory().startsWith(repo)).isFalse();
    assertThat(c.stateDirectory().getParent())
        .isEqualTo(dir.resolve("home/.local/state/prodguard"));
    assertThat(c.stateDirectory().getFileName().toString()).matches("repo-[0-9a-f]{16}");
    assertThat(c.backup().directory()).isEqualTo(c.stateDirectory().resolve("backups"));
    assertThat(c.backup().s3()).isEmpty();
    // another checkout of the same repository name gets its own state
    java.nio.file.Files.createDirectories(dir.resolve("other/repo"));
    ProdguardConfig other =
        ConfigLoader.load(
            Configs.write(dir.resolve("other/repo"), ENV),
            Map.of("HOME", dir.resolve("home").toString()));
    assertThat(other.stateDirectory()).isNotEqualTo(c.stateDirectory());
  }

  @Test
  @DisplayName("PRODGUARD_STATE_DIR, GitHub's RUNNER_TEMP, XDG_STATE_HOME, or state-directory")
  void stateDirectorySources() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("repo"));
    assertThat(
            load(ENV, Map.of("PRODGUARD_STATE_DIR", dir.resolve("s").toString())).stateDirectory())
        .isEqualTo(dir.resolve("s"));
    assertThat(
            load(ENV, Map.of("GITHUB_ACTIONS", "true", "RUNNER_TEMP", dir.resolve("t").toString()))
                .stateDirectory())
        .isEqualTo(dir.resolve("t/prodguard"));
    assertThat(
            load(ENV, Map.of("XDG_STATE_HOME", dir.resolve("x").toString()))
                .stateDirectory()
                .getParent())
        .isEqualTo(dir.resolve("x/prodguard"));
    ProdguardConfig inRepo = load(ENV + "state-directory: .prodguard\n");
    assertThat(inRepo.stateDirectory()).isEqualTo(dir.resolve("repo/.prodguard"));
    assertThat(inRepo.backup().directory()).isEqualTo(dir.resolve("repo/.prodguard/backups"));
  }

  @Test
  @DisplayName(
      "store: s3 with bucket, prefix, endpoint, region; path-style when an endpoint is set")
  void s3Keys() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("repo"));
    ProdguardConfig c =
        load(
            ENV
                + "backup:\n"
                + "  store: s3\n"
                + "  restore-check: true\n"
                + "  s3: { bucket: acme-db-backups, prefix: prodguard/shop, endpoint:"
                + " 'https://minio.internal:9000', region: eu-central-1 }\n");
    ProdguardConfig.S3 s3 = c.backup().s3().orElseThrow();
    assertThat(s3.bucket()).isEqualTo("acme-db-backups");
    assertThat(s3.prefix()).isEqualTo("prodguard/shop/");
    assertThat(s3.endpoint()).contains(URI.create("https://minio.internal:9000"));
    assertThat(s3.region()).contains("eu-central-1");
    assertThat(s3.pathStyle()).isTrue();
    assertThat(c.backup().restoreCheck()).isTrue();

    ProdguardConfig aws = load(ENV + "backup:\n  store: s3\n  s3: { bucket: b-1 }\n");
    assertThat(aws.backup().s3().orElseThrow().pathStyle()).isFalse();
    assertThat(aws.backup().s3().orElseThrow().prefix()).isEmpty();
    assertThat(aws.backup().s3().orElseThrow().endpoint()).isEmpty();
  }

  @Test
  @DisplayName("store and s3 errors name the file, line and key")
  void s3Errors() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("repo"));
    ConfigException noS3 = error(ENV + "backup:\n  store: s3\n");
    assertThat(noS3.key()).isEqualTo("backup.store");
    assertThat(noS3.line()).isEqualTo(5);

    assertThat(error(ENV + "backup:\n  s3: { bucket: b-1 }\n").getMessage())
        .contains("'backup.store' is 'local'");
    assertThat(error(ENV + "backup:\n  store: gcs\n").getMessage())
        .contains("must be 'local' or 's3'");
    assertThat(error(ENV + "backup:\n  store: s3\n  s3: { bucket: Not_A_Bucket }\n").key())
        .isEqualTo("backup.s3.bucket");
    ConfigException creds =
        error(
            ENV
                + "backup:\n  store: s3\n  s3: { bucket: b-1, endpoint:"
                + " 'https://key:secret@minio.internal' }\n");
    assertThat(creds.key()).isEqualTo("backup.s3.endpoint");
    assertThat(creds.getMessage()).contains("AWS_ACCESS_KEY_ID");
    ConfigException unknown =
        error(ENV + "backup:\n  store: s3\n  s3: { bucket: b-1, secret-access-key: abc }\n");
    assertThat(unknown.getMessage()).contains("unknown key 'secret-access-key'");
    assertThat(error(ENV + "backup:\n  store: s3\n  s3: { prefix: x/ }\n").getMessage())
        .contains("'backup.s3.bucket' is required");
  }
}
