package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Hashes;
import dev.prodguard.testing.S3TestServer;
import dev.prodguard.testing.TestDatabase;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code backup.store: s3} through the shaded jar (the SDK as the CLI ships it, loaded on use):
 * promote keeps the backup in the bucket and nothing on disk; a changed object refuses deploy.
 */
@DisplayName("G9 CLI end to end: backups in S3")
class G9S3BackupCliIT {
  private static final Pattern LOCATION = Pattern.compile("s3://cli-backups/(\\S+)");
  static S3TestServer s3;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3TestServer("cli-backups");
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  private Map<String, String> ci(TestDatabase db, boolean credentials) {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("PROD_DATABASE_URL", db.libpqUrl());
    if (db.kind() == DatabaseKind.MARIADB) {
      env.put("PROD_DATABASE_URL", db.libpqUrl(db.createUser("SELECT, EXECUTE")));
      env.put("PROD_DEPLOY_DATABASE_URL", db.libpqUrl());
    }
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    if (credentials) {
      env.put("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY);
      env.put("AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_KEY);
    }
    return env;
  }

  private void repository(Map<String, String> env, DatabaseKind kind) throws Exception {
    Files.writeString(
        dir.resolve("prodguard.yml"),
        "environments:\n"
            + "  prod:\n"
            + "    url: ${PROD_DATABASE_URL}\n"
            + (env.containsKey("PROD_DEPLOY_DATABASE_URL")
                ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n"
                : "")
            + "    protected: true\n"
            + "backup:\n"
            + "  directory: backups\n"
            + "  store: s3\n"
            + "  s3: { bucket: cli-backups, prefix: "
            + kind.name().toLowerCase()
            + ", endpoint: '"
            + s3.endpoint()
            + "' }\n");
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(
        dir.resolve("db/migration/V1__items.sql"),
        "CREATE TABLE items (id INT PRIMARY KEY);\nINSERT INTO items VALUES (1), (2);\n");
    Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
    assertThat(init.exit()).as(init.all()).isZero();
  }

  private static byte[] object(String key) throws Exception {
    Blob blob = s3.blobStore().getBlob("cli-backups", key);
    assertThat(blob).as(key).isNotNull();
    try (InputStream in = blob.getPayload().openStream()) {
      return in.readAllBytes();
    }
  }

  private long localFiles() throws Exception {
    if (!Files.exists(dir.resolve("backups"))) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir.resolve("backups"))) {
      return s.count();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: promote backs up to the bucket; a changed object refuses the next deploy")
  void promoteToS3ThenTamper(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = ci(db, true);
      repository(env, kind);

      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isZero();
      Matcher m = LOCATION.matcher(promote.out());
      assertThat(m.find()).as(promote.out()).isTrue();
      assertThat(m.group(1)).startsWith(kind.name().toLowerCase() + "/prod-");
      assertThat(object(m.group(1))).isNotEmpty();
      assertThat(promote.out()).contains(Hashes.sha256(object(m.group(1))).substring(0, 12));
      assertThat(localFiles()).as("nothing of the dump left on disk").isZero();
      assertThat(promote.all()).doesNotContain(S3TestServer.SECRET_KEY);

      Files.writeString(
          dir.resolve("db/migration/V2__more.sql"), "INSERT INTO items VALUES (3);\n");
      assertThat(Cli.run(dir, env, "verify", "prod").exit()).isZero();
      Cli.Result backup = Cli.run(dir, env, "backup", "prod");
      assertThat(backup.exit()).as(backup.all()).isZero();
      Matcher b = LOCATION.matcher(backup.out());
      assertThat(b.find()).as(backup.out()).isTrue();
      byte[] bytes = object(b.group(1));
      bytes[bytes.length / 2] ^= 0x01;
      s3.blobStore()
          .putBlob("cli-backups", s3.blobStore().blobBuilder(b.group(1)).payload(bytes).build());

      Cli.Result deploy = Cli.run(dir, env, "deploy", "prod");
      assertThat(deploy.exit()).as(deploy.all()).isEqualTo(1);
      assertThat(deploy.err())
          .contains("G9 verified backup before deploy", "is not the one recorded");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: without credentials in the environment, backup exits 1 before dumping")
  void noCredentials(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = ci(db, false);
      repository(env, kind);
      assertThat(Cli.run(dir, env, "verify", "prod").exit()).isZero();

      Cli.Result backup = Cli.run(dir, env, "backup", "prod");

      assertThat(backup.exit()).as(backup.all()).isEqualTo(1);
      assertThat(backup.err()).contains("G9", "AWS_ACCESS_KEY_ID", "environment only");
      assertThat(localFiles()).isZero();
    }
  }
}
