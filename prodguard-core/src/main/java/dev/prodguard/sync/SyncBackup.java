package dev.prodguard.sync;

import dev.prodguard.environment.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A fresh dump of the tables a sync is about to change, taken before the write transaction. The
 * before-images in the audit are what {@code --revert} uses; the dump is the safety net.
 */
public interface SyncBackup {

  /** Where the dump went and the SHA-256 of its bytes. */
  record Result(Path file, String sha256, long bytes) {}

  /**
   * Dumps {@code tables} of the (already fingerprint-checked) {@code target} into a new file in
   * {@code directory}.
   *
   * @param control the fingerprint-checked connection to the target
   * @throws IOException when the dump could not be taken completely: the sync must not go on
   * @throws dev.prodguard.db.GuardRefusal when a G9 check refuses the dump
   */
  Result backup(Target target, Connection control, List<String> tables, Path directory)
      throws IOException, SQLException;
}
