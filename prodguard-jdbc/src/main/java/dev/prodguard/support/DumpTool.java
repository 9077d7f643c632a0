package dev.prodguard.support;

import dev.prodguard.db.DatabaseUrl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server family's own dump and restore tools ({@code pg_dump}/{@code pg_restore}, {@code
 * mariadb-dump}/{@code mariadb}): how to call them, read their progress and check their output.
 * Running them is the backup package's job.
 */
public interface DumpTool {

  /** File name extension of a dump, with the dot. */
  String extension();

  /**
   * The dump command; it writes the dump to standard output.
   *
   * @param tables the (possibly schema-qualified) tables to dump, all of the database when empty; a
   *     name that matches no table fails the dump
   */
  List<String> dumpCommand(
      Optional<Path> binDir, DatabaseUrl url, Optional<String> snapshot, List<String> tables);

  /** The command that prints the client's version. */
  List<String> versionCommand(Optional<Path> binDir);

  /**
   * Why the client cannot dump this server faithfully (with the exact fix), or empty when it can.
   */
  Optional<String> versionProblem(String clientVersionOutput, Connection connection)
      throws SQLException;

  /** The fix for an old or missing client, naming the server's major version. */
  String clientFix(Connection connection) throws SQLException;

  /**
   * Variables for the tool process: connection and credentials (never on the command line, where
   * {@code ps} shows them).
   */
  Map<String, String> processEnvironment(DatabaseUrl url);

  /**
   * Prefixes of inherited variables to remove so that nothing in the caller's shell (a service
   * file, another host) redirects the tool to a database other than the fingerprinted one.
   */
  List<String> clearedVariablePrefixes();

  /** The table a verbose stderr line says the tool has started dumping. */
  Optional<String> tableStarted(String stderrLine);

  /** A command that reads the dump's table of contents (exit 0 = readable), or empty. */
  List<String> listCommand(Optional<Path> binDir, Path dump);

  /** Text the last bytes of a complete dump contain, or empty when the format has none. */
  Optional<String> completionMarker();

  /**
   * The command that restores {@code dump} into {@code url}'s database, only the entries of {@code
   * list} when given (from {@link #restoreCheckList}).
   */
  List<String> restoreCommand(
      Optional<Path> binDir, DatabaseUrl url, Path dump, Optional<Path> list);

  /**
   * The restore check's entries, from the full table of contents ({@link #listCommand} output) and
   * the source database as the checking role sees it ({@code c}, connected as the role the restore
   * runs as). Leaves out, and says so, every object that role cannot create: on PostgreSQL event
   * triggers (prodguard's DDL guard, G6), and for a role that is not a superuser extensions that
   * are not trusted (pg_stat_statements), functions in untrusted languages (C, plpython3u) and
   * subscriptions. None of them holds the data the check compares.
   */
  default RestoreCheckList restoreCheckList(String toc, Connection c) throws SQLException {
    return RestoreCheckList.everything();
  }

  /** The restore command reads the dump on standard input. */
  boolean restoreReadsStdin();

  /**
   * Opens a read-only snapshot on {@code c} for counting rows as the dump sees them; returns the
   * snapshot id to give the dump tool when the server can share it.
   */
  Optional<String> openSnapshot(Connection c) throws SQLException;

  /** Quoted, qualified names of the user tables in the connection's database. */
  List<String> userTables(Connection c) throws SQLException;

  /**
   * A fresh reader of what a dump of this tool holds ({@link DumpContents}), for one dump (G9: the
   * backup is of this database).
   */
  DumpContents.Reader contentsReader();

  /**
   * The tables a full dump of the connection's database must create, named as {@link
   * DumpContents#tables()} names them: every user table, less those an extension owns (the dump
   * creates them with the extension).
   */
  List<String> expectedTables(Connection c) throws SQLException;

  /**
   * Tables that hold rows a full dump of this tool leaves out although no other object brings them
   * back, each as "schema.table (why)": on PostgreSQL a table made a member of an extension (ALTER
   * EXTENSION ... ADD TABLE) that the extension does not mark as configuration data ({@code
   * pg_extension.extconfig}): pg_dump writes neither its definition nor its rows. Read before the
   * dump; a table whose rows cannot be read counts as holding rows (fail closed).
   */
  default List<String> tablesLeftOut(Connection c) throws SQLException {
    return List.of();
  }

  String createDatabase(String name);

  /**
   * Whether the restore check marks its scratch database with its owner session and reaps the ones
   * whose owner is gone (PostgreSQL: a database comment, {@code pg_stat_activity}); {@code
   * dev.prodguard.backup.RestoreCheckScratch}.
   */
  default boolean marksScratchOwner() {
    return false;
  }

  String dropDatabase(String name);
}
