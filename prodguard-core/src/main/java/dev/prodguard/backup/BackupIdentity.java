package dev.prodguard.backup;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.environment.Target;
import dev.prodguard.jdbc.FingerprintCheck;
import dev.prodguard.support.DumpContents;
import dev.prodguard.support.DumpTool;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * G9: a backup is of this database, shown without restoring it. Before the dump, the database's own
 * {@code database_metadata} row and its tables are read; after it, the dump must hold a {@code
 * database_metadata} row with the same environment and fingerprint, and every one of those tables
 * ({@link DumpContents}: PostgreSQL reads the table of contents and that one table's data with
 * {@code pg_restore}; MySQL/MariaDB parses the SQL stream while it is hashed). A dump tool on the
 * PATH that dumps another database (another {@code PGDATABASE}, a wrapper script, a service file)
 * is refused here even without {@code restore-check}.
 */
final class BackupIdentity {
  private final String environment;
  private final String fingerprint;
  private final List<String> tables;

  private BackupIdentity(String environment, String fingerprint, List<String> tables) {
    this.environment = environment;
    this.fingerprint = fingerprint;
    this.tables = tables;
  }

  /** What a full dump of the database behind {@code control} must show, read before the dump. */
  static BackupIdentity expected(Connection control, Target target) throws SQLException {
    FingerprintCheck.Found live = FingerprintCheck.read(control, target.dialect());
    List<String> leftOut = target.dialect().dumpTool().tablesLeftOut(control);
    if (!leftOut.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G9,
          "back up '" + target.name() + "'",
          "the dump would leave out "
              + String.join(", ", leftOut)
              + ": the dump tool writes neither the definition nor the rows of an extension's"
              + " member tables (they are expected to come back with CREATE EXTENSION), so a"
              + " restore would not bring "
              + (leftOut.size() == 1 ? "it" : "them")
              + " back",
          "take the table out of the extension in a reviewed migration (ALTER EXTENSION name"
              + " DROP TABLE table), then back up again");
    }
    return new BackupIdentity(
        live.environment == null ? target.name() : live.environment,
        target.environment().fingerprint().orElse(live.fingerprint),
        target.dialect().dumpTool().expectedTables(control));
  }

  /**
   * Refuses (G9) unless {@code reader}, fed the dump {@code file}, shows this database.
   *
   * @param alreadyRun the output of commands the backup ran on this same file already (its
   *     table-of-contents check, which exited 0), by command: not run a second time
   */
  void require(
      Target target,
      DumpTool tool,
      DumpContents.Reader reader,
      Optional<Path> binDir,
      Path file,
      String toolName,
      Map<List<String>, String> alreadyRun)
      throws IOException, InterruptedException {
    String what = "back up '" + target.name() + "'";
    List<List<String>> commands = reader.commands(binDir, file);
    for (int i = 0; i < commands.size(); i++) {
      String known = alreadyRun.get(commands.get(i));
      if (known != null) {
        reader.output(i, known);
        continue;
      }
      ToolProcess.Result r =
          ToolProcess.run(
              commands.get(i), Map.of(), tool.clearedVariablePrefixes(), Optional.empty(), 600);
      if (r.exit() != 0) {
        throw new GuardRefusal(
            Guarantee.G9,
            what,
            "cannot read what the dump "
                + file
                + " holds ("
                + String.join(" ", commands.get(i))
                + " exited "
                + r.exit()
                + "): "
                + r.stderrTail(),
            "run the backup again; nothing was recorded");
      }
      reader.output(i, r.stdout());
    }
    DumpContents found = reader.contents();
    String fix =
        "make "
            + toolName
            + " on PATH (or in PRODGUARD_DUMP_BINDIR) the server's own client tool, with no"
            + " wrapper, service file or option file that points it at another database; then run"
            + " the backup again (nothing was recorded)";
    Optional<Map<String, String>> row = found.metadata();
    if (row.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G9,
          what,
          "the dump "
              + file
              + " written by "
              + toolName
              + " holds no database_metadata row"
              + (found.tables().isEmpty()
                  ? " and no tables"
                  : " (it holds " + found.tables().size() + " tables)")
              + ": it is not a dump of '"
              + target.name()
              + "' (fingerprint "
              + fingerprint
              + ")",
          fix);
    }
    String fp = row.get().get("fingerprint");
    String env = row.get().get("environment");
    if (!fingerprint.equals(fp) || !environment.equals(env)) {
      throw new GuardRefusal(
          Guarantee.G9,
          what,
          "the dump "
              + file
              + " written by "
              + toolName
              + " is of another database: its database_metadata says environment '"
              + env
              + "', fingerprint "
              + fp
              + "; this database is '"
              + environment
              + "', fingerprint "
              + fingerprint,
          fix);
    }
    TreeSet<String> missing = new TreeSet<>(tables);
    missing.removeAll(found.tables());
    if (!missing.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G9,
          what,
          "the dump "
              + file
              + " written by "
              + toolName
              + " lacks "
              + missing.size()
              + " of the database's "
              + tables.size()
              + " tables: "
              + String.join(", ", missing.stream().limit(20).toList())
              + (missing.size() > 20 ? ", ..." : "")
              + " (a table created or dropped while the dump ran also shows here)",
          fix);
    }
  }
}
