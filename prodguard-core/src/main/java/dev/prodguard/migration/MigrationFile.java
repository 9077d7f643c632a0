package dev.prodguard.migration;

import dev.prodguard.db.Hashes;
import java.util.Arrays;

/**
 * One migration-location file as read once from disk: what is hashed is exactly what the migration
 * tool executes.
 *
 * @param relativePath path inside its location, '/'-separated ({@code V1__init.sql})
 * @param location the configured location it came from
 */
public record MigrationFile(String relativePath, String location, byte[] bytes) {

  public MigrationFile {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Length without copying. */
  public int size() {
    return bytes.length;
  }

  /** Read-only view for the engine (no copy per read of a large data file). */
  public java.io.InputStream open() {
    return new java.io.ByteArrayInputStream(bytes);
  }

  /** File name without folders. */
  public String fileName() {
    int slash = relativePath.lastIndexOf('/');
    return slash < 0 ? relativePath : relativePath.substring(slash + 1);
  }

  public String sha256() {
    return Hashes.sha256(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationFile f
        && f.relativePath.equals(relativePath)
        && f.location.equals(location)
        && Arrays.equals(f.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return relativePath.hashCode();
  }

  @Override
  public String toString() {
    return location + "/" + relativePath;
  }
}
