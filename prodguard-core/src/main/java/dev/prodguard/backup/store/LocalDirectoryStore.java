package dev.prodguard.backup.store;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code backup.store: local}: the checked dump stays where it was written, in {@code
 * backup.directory}. It lives as long as that disk: on an ephemeral CI runner, only for the job.
 */
public final class LocalDirectoryStore implements BackupStore {
  @Override
  public String store(Path file, long size, String sha256) {
    return file.toAbsolutePath().toString();
  }

  @Override
  public void requireIntact(String location, long size, String sha256, String what, String fix) {
    Path p = Path.of(location);
    if (!Files.isRegularFile(p)) {
      throw new GuardRefusal(Guarantee.G9, what, "the backup file " + p + " no longer exists", fix);
    }
    try {
      long now = Files.size(p);
      String sha = Hashes.sha256(p);
      if (now != size || !sha.equals(sha256)) {
        throw new GuardRefusal(
            Guarantee.G9,
            what,
            "the backup file "
                + p
                + " changed since it was written (recorded "
                + size
                + " bytes, sha256 "
                + sha256
                + "; now "
                + now
                + " bytes, sha256 "
                + sha
                + ")",
            fix);
      }
    } catch (IOException e) {
      throw new GuardRefusal(
          Guarantee.G9, what, "cannot read the backup file " + p + ": " + e.getMessage(), fix, e);
    }
  }
}
