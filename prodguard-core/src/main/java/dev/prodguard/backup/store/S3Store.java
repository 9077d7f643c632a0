package dev.prodguard.backup.store;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.db.Redactor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code backup.store: s3}: keeps backups in an S3-compatible bucket, so that they outlive an
 * ephemeral CI runner (G9).
 *
 * <p>Upload streams the checked dump from disk (one {@code PutObject} up to {@link
 * #DEFAULT_PART_SIZE}, a multipart upload beyond, never the whole file in memory) with its SHA-256
 * and size as object metadata. Then the object is read back and hashed: only when the bucket holds
 * exactly the bytes that were dumped is the backup recorded, and the local copy (production data on
 * the runner's disk) removed. A deploy reads the object again and refuses unless it is unchanged.
 * Read-back is used instead of S3's own checksum headers because S3-compatible servers differ in
 * which of those they support; it costs one download of the dump.
 *
 * <p>Credentials come only from the environment ({@code AWS_ACCESS_KEY_ID}, {@code
 * AWS_SECRET_ACCESS_KEY}, optionally {@code AWS_SESSION_TOKEN}); the region from {@code
 * backup.s3.region}, else {@code AWS_REGION}, else {@code us-east-1}. HTTP goes through the JDK's
 * URLConnection (no Netty, no Apache client).
 */
public final class S3Store implements BackupStore {
  static final long DEFAULT_PART_SIZE = 16L << 20;
  static final String META_SHA256 = "prodguard-sha256";
  static final String META_SIZE = "prodguard-size";
  private static final int MAX_PARTS = 10_000;

  private final ProdguardConfig.S3 config;
  private final S3Client client;
  private final long partSize;

  S3Store(ProdguardConfig.S3 config, Map<String, String> env) {
    this(config, env, DEFAULT_PART_SIZE);
  }

  S3Store(ProdguardConfig.S3 config, Map<String, String> env, long partSize) {
    this.config = config;
    this.partSize = partSize;
    this.client = client(config, env);
  }

  private static S3Client client(ProdguardConfig.S3 config, Map<String, String> env) {
    String key = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    String session = env.get("AWS_SESSION_TOKEN");
    if (key == null || key.isBlank() || secret == null || secret.isBlank()) {
      throw new GuardRefusal(
          Guarantee.G9,
          "keep backups in s3://" + config.bucket() + "/" + config.prefix(),
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set: prodguard reads S3"
              + " credentials from the environment only, never from prodguard.yml",
          "set them in the job's environment from the CI's secrets (see docs/configuration.md,"
              + " backup.store)");
    }
    Redactor.registerSecret(secret);
    AwsCredentials credentials;
    if (session != null && !session.isBlank()) {
      Redactor.registerSecret(session);
      credentials = AwsSessionCredentials.create(key, secret, session);
    } else {
      credentials = AwsBasicCredentials.create(key, secret);
    }
    String region =
        config.region().orElseGet(() -> env.getOrDefault("AWS_REGION", Region.US_EAST_1.id()));
    S3ClientBuilder b =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofMinutes(5)))
            .region(Region.of(region))
            .credentialsProvider(StaticCredentialsProvider.create(credentials))
            .forcePathStyle(config.pathStyle())
            // integrity is proven by reading the object back (see the class comment); the SDK's
            // own checksum headers are not understood alike by every S3-compatible server
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    config.endpoint().ifPresent(b::endpointOverride);
    return b.build();
  }

  @Override
  public String store(Path file, long size, String sha256) throws IOException {
    S3Location at = new S3Location(config.bucket(), config.prefix() + file.getFileName());
    String what = "store the backup in " + at;
    Map<String, String> metadata = Map.of(META_SHA256, sha256, META_SIZE, Long.toString(size));
    try {
      long part = Math.max(partSize, (size + MAX_PARTS - 1) / MAX_PARTS);
      if (size <= part) {
        client.putObject(
            r -> r.bucket(at.bucket()).key(at.key()).metadata(metadata).contentLength(size),
            RequestBody.fromFile(file));
      } else {
        multipart(at, file, size, part, metadata);
      }
    } catch (SdkException e) {
      throw refusal(what, e, "check backup.s3 (bucket, endpoint, region) and the credentials");
    }
    requireIntact(
        at.toString(),
        size,
        sha256,
        what,
        "run the backup again; if it fails again, check the bucket's storage (nothing was recorded)");
    Files.deleteIfExists(file);
    return at.toString();
  }

  private void multipart(
      S3Location at, Path file, long size, long part, Map<String, String> metadata) {
    String uploadId =
        client
            .createMultipartUpload(r -> r.bucket(at.bucket()).key(at.key()).metadata(metadata))
            .uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += part, number++) {
        long length = Math.min(part, size - offset);
        long from = offset;
        int n = number;
        String etag =
            client
                .uploadPart(
                    r ->
                        r.bucket(at.bucket())
                            .key(at.key())
                            .uploadId(uploadId)
                            .partNumber(n)
                            .contentLength(length),
                    RequestBody.fromContentProvider(
                        () -> range(file, from, length), length, "application/octet-stream"))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
      }
      client.completeMultipartUpload(
          r ->
              r.bucket(at.bucket())
                  .key(at.key())
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      try {
        client.abortMultipartUpload(r -> r.bucket(at.bucket()).key(at.key()).uploadId(uploadId));
      } catch (SdkException ignored) {
        // the upload failed already; the bucket's lifecycle rules remove what is left
      }
      throw e;
    }
  }

  /** {@code length} bytes of {@code file} from {@code offset}, streamed. */
  private static InputStream range(Path file, long offset, long length) {
    try {
      InputStream in = Files.newInputStream(file);
      in.skipNBytes(offset);
      return new FilterInputStream(in) {
        private long left = length;

        @Override
        public int read() throws IOException {
          if (left <= 0) {
            return -1;
          }
          int b = super.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int n = super.read(buf, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }
      };
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void requireIntact(String location, long size, String sha256, String what, String fix) {
    S3Location at = S3Location.parse(location);
    try {
      HeadObjectResponse head = client.headObject(r -> r.bucket(at.bucket()).key(at.key()));
      if (head.contentLength() == null || head.contentLength() != size) {
        throw changed(at, what, fix, size, sha256, head.contentLength() + " bytes");
      }
      MessageDigest md = Hashes.sha256();
      long read = 0;
      try (ResponseInputStream<GetObjectResponse> in =
          client.getObject(r -> r.bucket(at.bucket()).key(at.key()))) {
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
          read += n;
        }
      }
      String now = HexFormat.of().formatHex(md.digest());
      if (read != size || !now.equals(sha256)) {
        throw changed(at, what, fix, size, sha256, read + " bytes, sha256 " + now);
      }
    } catch (NoSuchKeyException e) {
      throw new GuardRefusal(
          Guarantee.G9, what, "the backup " + at + " no longer exists in the bucket", fix, e);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new GuardRefusal(
            Guarantee.G9, what, "the backup " + at + " no longer exists in the bucket", fix, e);
      }
      throw refusal(what, e, fix);
    } catch (SdkException e) {
      throw refusal(what, e, fix);
    } catch (IOException e) {
      throw new GuardRefusal(
          Guarantee.G9, what, "reading " + at + " back failed: " + e.getMessage(), fix, e);
    }
  }

  private static GuardRefusal changed(
      S3Location at, String what, String fix, long size, String sha256, String now) {
    return new GuardRefusal(
        Guarantee.G9,
        what,
        "the backup "
            + at
            + " is not the one recorded (recorded "
            + size
            + " bytes, sha256 "
            + sha256
            + "; the bucket holds "
            + now
            + ")",
        fix);
  }

  private static GuardRefusal refusal(String what, SdkException e, String fix) {
    String why;
    if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
      why =
          "S3 answered HTTP "
              + s.statusCode()
              + " "
              + s.awsErrorDetails().errorCode()
              + ": "
              + s.awsErrorDetails().errorMessage();
    } else {
      why = "the S3 request failed: " + e.getMessage();
    }
    return new GuardRefusal(Guarantee.G9, what, Redactor.redact(why), fix, e);
  }
}
