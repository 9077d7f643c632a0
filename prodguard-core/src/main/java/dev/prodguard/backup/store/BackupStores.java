package dev.prodguard.backup.store;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;

/**
 * The store {@code backup.store} names. The S3 client (and the AWS SDK behind it) is loaded only
 * here and only for {@code store: s3}, so no other command pays for its classes.
 */
public final class BackupStores {
  private BackupStores() {}

  /** The configured store; S3 credentials come from {@code context}'s environment. */
  public static BackupStore open(ProdguardConfig.Backup backup, RunContext context) {
    if (backup.s3().isPresent()) {
      return new S3Store(backup.s3().get(), context.env());
    }
    return new LocalDirectoryStore();
  }

  /**
   * The store that can re-check {@code location} as it was recorded: an {@code s3://} location
   * needs {@code backup.store: s3} (its endpoint and region) in the current configuration.
   */
  public static BackupStore forLocation(
      String location, ProdguardConfig.Backup backup, RunContext context) {
    if (BackupStore.isRemote(location)) {
      if (backup.s3().isEmpty()) {
        throw new dev.prodguard.db.GuardRefusal(
            dev.prodguard.db.Guarantee.G9,
            "re-check the backup " + location,
            "it was stored in S3, but prodguard.yml no longer says 'backup.store: s3'",
            "restore 'backup.store: s3' and 'backup.s3' as they were when the backup was taken");
      }
      return new S3Store(backup.s3().get(), context.env());
    }
    return new LocalDirectoryStore();
  }
}
