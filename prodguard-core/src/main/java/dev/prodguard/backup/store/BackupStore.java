package dev.prodguard.backup.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a checked backup is kept until a deploy relies on it (G9). The dump is always written,
 * hashed and checked in the local {@code backup.directory} first ({@code BackupRunner}); the store
 * then keeps it: {@link LocalDirectoryStore} leaves it there, {@link S3Store} streams it to an
 * S3-compatible bucket, verifies the SHA-256 of what the bucket holds, and removes the local copy.
 * A deploy re-checks the stored backup through the same store.
 */
public interface BackupStore {
  /**
   * Keeps {@code file}, whose size and SHA-256 were measured while it was written.
   *
   * @return the location recorded on the run: an absolute path, or {@code s3://bucket/key}
   * @throws dev.prodguard.db.GuardRefusal G9 when the store does not hold exactly these bytes
   */
  String store(Path file, long size, String sha256) throws IOException;

  /**
   * Re-reads the stored backup and refuses (G9) unless it is there with exactly {@code size} bytes
   * and the SHA-256 {@code sha256}.
   *
   * @param what the refused action, e.g. {@code deploy prod}
   * @param fix the one way forward when it is missing or changed
   */
  void requireIntact(String location, long size, String sha256, String what, String fix);

  /** True when {@code location} was recorded by an object store rather than as a local path. */
  static boolean isRemote(String location) {
    return location.startsWith(S3Location.SCHEME);
  }
}
