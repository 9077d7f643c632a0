package dev.prodguard.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.testing.S3TestServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link S3Store} against an S3-compatible server started by the test: what the bucket holds is
 * exactly what was dumped, or the backup is refused (G9), at upload and at every later re-check.
 */
@DisplayName("G9 backups in S3: streamed up, read back and hashed, re-checked")
class S3StoreIT {
  static S3TestServer s3;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3TestServer("backups");
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  private static ProdguardConfig.S3 config(String bucket) {
    return new ProdguardConfig.S3(
        bucket,
        "prodguard/shop/",
        Optional.of(URI.create(s3.endpoint())),
        Optional.of("eu-central-1"),
        true);
  }

  private static Map<String, String> credentials() {
    return Map.of(
        "AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_KEY);
  }

  private Path dump(String name, int bytes) throws Exception {
    byte[] data = new byte[bytes];
    new Random(bytes).nextBytes(data);
    Path f = dir.resolve(name);
    Files.write(f, data);
    return f;
  }

  private static byte[] stored(String key) throws Exception {
    Blob blob = s3.blobStore().getBlob("backups", key);
    assertThat(blob).as("object " + key).isNotNull();
    try (InputStream in = blob.getPayload().openStream()) {
      return in.readAllBytes();
    }
  }

  @Test
  @DisplayName(
      "G9: a dump larger than a part goes up in parts, is verified, the local copy removed")
  void multipartUploadIsVerifiedAndLocalCopyRemoved() throws Exception {
    Path f = dump("prod-run1.dump", 12 * 1024 * 1024 + 123);
    String sha = Hashes.sha256(f);
    long size = Files.size(f);
    S3Store store = new S3Store(config("backups"), credentials(), 5L * 1024 * 1024);

    String location = store.store(f, size, sha);

    assertThat(location).isEqualTo("s3://backups/prodguard/shop/prod-run1.dump");
    assertThat(Hashes.sha256(stored("prodguard/shop/prod-run1.dump"))).isEqualTo(sha);
    assertThat(
            s3.blobStore()
                .blobMetadata("backups", "prodguard/shop/prod-run1.dump")
                .getUserMetadata())
        .containsEntry(S3Store.META_SHA256, sha)
        .containsEntry(S3Store.META_SIZE, Long.toString(size));
    assertThat(f).as("production data does not stay on the runner").doesNotExist();
    store.requireIntact(location, size, sha, "deploy prod", "fix");
  }

  @Test
  @DisplayName("G9: a small dump goes up in one request and is verified")
  void singleUpload() throws Exception {
    Path f = dump("prod-run2.dump", 4096);
    String sha = Hashes.sha256(f);
    String location = new S3Store(config("backups"), credentials()).store(f, 4096, sha);
    assertThat(Hashes.sha256(stored("prodguard/shop/prod-run2.dump"))).isEqualTo(sha);
    assertThat(location).endsWith("/prod-run2.dump");
  }

  @Test
  @DisplayName(
      "G9: when the bucket does not hold the bytes that were dumped, the backup is refused")
  void uploadThatDoesNotMatchIsRefused() throws Exception {
    Path f = dump("prod-run3.dump", 4096);
    // the hash measured while dumping differs from what reached the bucket
    String measured = "0".repeat(64);
    GuardRefusal r =
        catchThrowableOfType(
            GuardRefusal.class,
            () -> new S3Store(config("backups"), credentials()).store(f, 4096, measured));
    assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
    assertThat(r.why()).contains("is not the one recorded", measured);
    assertThat(f).as("the local copy is kept when the stored one is wrong").exists();
  }

  @Test
  @DisplayName("G9: a re-check refuses an object changed or deleted after the backup")
  void recheckRefusesChangedOrDeletedObject() throws Exception {
    Path f = dump("prod-run4.dump", 70_000);
    String sha = Hashes.sha256(f);
    S3Store store = new S3Store(config("backups"), credentials());
    String location = store.store(f, 70_000, sha);
    String key = "prodguard/shop/prod-run4.dump";

    byte[] bytes = stored(key);
    bytes[35_000] ^= 0x01;
    s3.blobStore().putBlob("backups", s3.blobStore().blobBuilder(key).payload(bytes).build());
    GuardRefusal changed =
        catchThrowableOfType(
            GuardRefusal.class,
            () -> store.requireIntact(location, 70_000, sha, "deploy prod", "x"));
    assertThat(changed.guarantee()).isEqualTo(Guarantee.G9);
    assertThat(changed.why()).contains("is not the one recorded").contains(sha);

    s3.blobStore().removeBlob("backups", key);
    GuardRefusal gone =
        catchThrowableOfType(
            GuardRefusal.class,
            () -> store.requireIntact(location, 70_000, sha, "deploy prod", "x"));
    assertThat(gone.why()).contains("no longer exists in the bucket");
  }

  @Test
  @DisplayName("G9: no credentials in the environment is a refusal before anything is sent")
  void missingCredentialsRefused() {
    GuardRefusal r =
        catchThrowableOfType(
            GuardRefusal.class,
            () -> new S3Store(config("backups"), Map.of("AWS_ACCESS_KEY_ID", "only-the-key")));
    assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
    assertThat(r.why()).contains("AWS_SECRET_ACCESS_KEY").contains("environment only");
  }

  @Test
  @DisplayName(
      "G9: a wrong secret or a missing bucket is refused with S3's answer, secret redacted")
  void s3ErrorsAreRefusalsWithoutTheSecret() throws Exception {
    Path f = dump("prod-run5.dump", 1000);
    String sha = Hashes.sha256(f);
    String wrongSecret = "wrong-secret-8Hq2kLm";
    GuardRefusal denied =
        catchThrowableOfType(
            GuardRefusal.class,
            () ->
                new S3Store(
                        config("backups"),
                        Map.of(
                            "AWS_ACCESS_KEY_ID",
                            S3TestServer.ACCESS_KEY,
                            "AWS_SECRET_ACCESS_KEY",
                            wrongSecret))
                    .store(f, 1000, sha));
    assertThat(denied.guarantee()).isEqualTo(Guarantee.G9);
    assertThat(denied.why()).contains("S3 answered HTTP 403");
    assertThat(denied.render()).doesNotContain(wrongSecret);

    GuardRefusal noBucket =
        catchThrowableOfType(
            GuardRefusal.class,
            () -> new S3Store(config("no-such-bucket"), credentials()).store(f, 1000, sha));
    assertThat(noBucket.why()).contains("S3 answered HTTP 404").contains("NoSuchBucket");
    assertThat(f).exists();
  }

  @Test
  @DisplayName("a run records s3:// locations; anything else is a local path")
  void locations() {
    assertThat(BackupStore.isRemote("s3://b/k")).isTrue();
    assertThat(BackupStore.isRemote("/var/backups/prod-1.dump")).isFalse();
    assertThat(S3Location.parse("s3://b/p/k.dump")).isEqualTo(new S3Location("b", "p/k.dump"));
  }
}
