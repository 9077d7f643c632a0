package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.S3TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G9 with {@code backup.store: s3} on real PostgreSQL and MariaDB and an S3-compatible server
 * started by the test: the backup a deploy relies on is in the bucket, whole and unchanged, and
 * nothing of it stays on the runner's disk.
 */
@DisplayName("G9 verified backup before deploy, kept in S3")
class G9S3BackupIT {
  static S3TestServer s3;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3TestServer("db-backups");
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  /** The fixture's prodguard.yml, its backups sent to the test's bucket. */
  private static PipelineFixture fixture(DatabaseKind kind, Path dir) throws Exception {
    PipelineFixture f = PipelineFixture.prod(kind, dir);
    Path yml = dir.resolve("prodguard.yml");
    String text = Files.readString(yml, StandardCharsets.UTF_8);
    String local = "backup: { directory: backups, restore-check: false }\n";
    assertThat(text).contains(local);
    Files.writeString(
        yml,
        text.replace(
            local,
            "backup:\n"
                + "  directory: backups\n"
                + "  store: s3\n"
                + "  s3:\n"
                + "    bucket: db-backups\n"
                + "    prefix: shop/"
                + kind.name().toLowerCase()
                + "\n"
                + "    endpoint: "
                + s3.endpoint()
                + "\n"
                + "    region: eu-central-1\n"),
        StandardCharsets.UTF_8);
    return f;
  }

  private static RunContext ciWithCredentials(PipelineFixture f) {
    Map<String, String> env = f.ciEnv();
    env.put("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_KEY);
    return new RunContext(env, Clock.systemUTC(), "runner", "ci-host");
  }

  private static String key(Run.Backup b) {
    assertThat(b.path()).startsWith("s3://db-backups/");
    return b.path().substring("s3://db-backups/".length());
  }

  private static byte[] object(String key) throws Exception {
    Blob blob = s3.blobStore().getBlob("db-backups", key);
    assertThat(blob).as(key).isNotNull();
    try (InputStream in = blob.getPayload().openStream()) {
      return in.readAllBytes();
    }
  }

  private static long localDumps(Path dir) throws Exception {
    Path backups = dir.resolve("backups");
    if (!Files.exists(backups)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(backups)) {
      return s.count();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: promote keeps the verified backup in the bucket and deploys from it")
  void promoteWithBackupInS3(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = fixture(kind, dir)) {
      Pipeline p = f.pipeline(ciWithCredentials(f));
      Results.Promote done = p.promote("prod");

      assertThat(done.deploy().orElseThrow().applied()).hasSize(1);
      Run run = f.run(done.verify().run().orElseThrow().id());
      assertThat(run.status()).isEqualTo(RunStatus.DEPLOYED);
      Run.Backup b = run.backup().orElseThrow();
      assertThat(b.path())
          .isEqualTo(
              "s3://db-backups/shop/"
                  + kind.name().toLowerCase()
                  + "/prod-"
                  + run.id()
                  + (kind == DatabaseKind.POSTGRESQL ? ".dump" : ".sql"));
      byte[] stored = object(key(b));
      assertThat(stored).hasSize((int) b.size());
      assertThat(Hashes.sha256(stored)).isEqualTo(b.sha256());
      assertThat(localDumps(dir)).as("no production data left on the runner").isZero();
      assertThat(f.tableExists("items")).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: deployment fails when one byte of the stored backup changed")
  void storedBackupChanged(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = fixture(kind, dir)) {
      Pipeline p = f.pipeline(ciWithCredentials(f));
      p.verify("prod");
      Run run = p.backup("prod", Optional.empty()).run();
      Run.Backup b = run.backup().orElseThrow();
      byte[] bytes = object(key(b));
      bytes[bytes.length / 2] ^= 0x01;
      s3.blobStore()
          .putBlob("db-backups", s3.blobStore().blobBuilder(key(b)).payload(bytes).build());

      GuardRefusal r =
          catchThrowableOfType(GuardRefusal.class, () -> p.deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains(b.path(), "is not the one recorded", b.sha256());
      assertThat(f.tableExists("items")).isFalse();
      assertThat(f.run(run.id()).status()).isEqualTo(RunStatus.BACKED_UP);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: deployment fails when the stored backup was deleted")
  void storedBackupDeleted(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = fixture(kind, dir)) {
      Pipeline p = f.pipeline(ciWithCredentials(f));
      p.verify("prod");
      Run.Backup b = p.backup("prod", Optional.empty()).run().backup().orElseThrow();
      s3.blobStore().removeBlob("db-backups", key(b));

      GuardRefusal r =
          catchThrowableOfType(GuardRefusal.class, () -> p.deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains("no longer exists in the bucket");
      assertThat(f.tableExists("items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: without S3 credentials the backup is refused before anything is dumped")
  void missingCredentialsRefusedBeforeDump(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = fixture(kind, dir)) {
      Pipeline p = f.pipeline();
      String runId = p.verify("prod").run().orElseThrow().id();

      GuardRefusal r =
          catchThrowableOfType(GuardRefusal.class, () -> p.backup("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains("AWS_ACCESS_KEY_ID");
      assertThat(localDumps(dir)).isZero();
      assertThat(
              s3.blobStore().list("db-backups", ListContainerOptions.Builder.recursive()).stream()
                  .map(m -> m.getName()))
          .noneMatch(n -> n.contains(runId));
    }
  }
}
