package dev.prodguard.sync;

import dev.prodguard.backup.BackupRunner;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@link SyncBackup} through G9's backup path ({@link BackupRunner#runTables}): the same client
 * version check, every host of a multi-host URL, SHA-256 of the bytes written and completeness
 * check as {@code prodguard backup}, limited to the tables the sync changes.
 */
public final class TableBackup implements SyncBackup {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final RunContext context;
  private final Progress progress;

  public TableBackup(RunContext context) {
    this(context, Progress.NONE);
  }

  public TableBackup(RunContext context, Progress progress) {
    this.context = context;
    this.progress = progress;
  }

  @Override
  public Result backup(Target target, Connection control, List<String> tables, Path directory)
      throws IOException, SQLException {
    String base = target.name() + "-sync-" + STAMP.format(context.clock().instant());
    try {
      BackupRunner.Result r =
          new BackupRunner(target, context, progress).runTables(control, directory, base, tables);
      return new Result(r.file(), r.sha256(), r.size());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the sync's backup ran");
    }
  }
}
