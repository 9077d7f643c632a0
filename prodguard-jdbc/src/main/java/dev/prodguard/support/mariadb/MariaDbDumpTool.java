package dev.prodguard.support.mariadb;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.Binaries;
import dev.prodguard.support.DumpContents;
import dev.prodguard.support.DumpTool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code mariadb-dump}/{@code mysqldump} and the {@code mariadb}/{@code mysql} client. */
final class MariaDbDumpTool implements DumpTool {
  static final MariaDbDumpTool INSTANCE = new MariaDbDumpTool();

  private static final Pattern TABLE =
      Pattern.compile("Retrieving table structure for table `?([^`.]+)`?");

  private MariaDbDumpTool() {}

  @Override
  public String extension() {
    return ".sql";
  }

  /**
   * The database is a plain argument (not --databases), so the dump has no USE statement. Named
   * tables must be of the URL's database: the dump tool reads one database per call.
   */
  @Override
  public List<String> dumpCommand(
      Optional<Path> binDir, DatabaseUrl url, Optional<String> snapshot, List<String> tables) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.resolve(binDir, "mariadb-dump", "mysqldump"));
    cmd.add("--no-defaults");
    cmd.add("--single-transaction");
    cmd.add("--routines");
    cmd.add("--triggers");
    cmd.add("--events");
    cmd.add("--hex-blob");
    cmd.add("--verbose");
    connectionArgs(cmd, url);
    cmd.add("--");
    cmd.add(url.database());
    for (String t : tables) {
      int dot = t.indexOf('.');
      if (dot >= 0 && !t.substring(0, dot).equals(url.database())) {
        throw new IllegalArgumentException(
            "a dump of " + url.database() + " cannot contain " + t + " of another database");
      }
      cmd.add(dot < 0 ? t : t.substring(dot + 1));
    }
    return cmd;
  }

  private static void connectionArgs(List<String> cmd, DatabaseUrl url) {
    DatabaseUrl.HostPort hp = url.hosts().get(0);
    cmd.add("--host=" + hp.host());
    cmd.add("--port=" + hp.port());
    cmd.add("--protocol=TCP");
    url.user().ifPresent(u -> cmd.add("--user=" + u));
    for (Map.Entry<String, String> p : url.params().entrySet()) {
      String k = p.getKey().toLowerCase();
      String v = p.getValue().toLowerCase();
      if ((k.equals("sslmode") && v.equals("disable"))
          || (k.equals("usessl") && v.equals("false"))) {
        cmd.add("--skip-ssl");
      }
    }
  }

  @Override
  public List<String> versionCommand(Optional<Path> binDir) {
    return List.of(Binaries.resolve(binDir, "mariadb-dump", "mysqldump"), "--version");
  }

  /** No major-version rule here: an incompatible client fails the dump, which then refuses. */
  @Override
  public Optional<String> versionProblem(String clientVersionOutput, Connection c) {
    return Optional.empty();
  }

  @Override
  public String clientFix(Connection c) throws SQLException {
    String server = c.getMetaData().getDatabaseProductVersion();
    return "install the MariaDB or MySQL client tools matching the server ("
        + server
        + "; Debian/Ubuntu: apt-get install mariadb-client) so that mariadb-dump or mysqldump is"
        + " on PATH, or set PRODGUARD_DUMP_BINDIR to their folder";
  }

  @Override
  public Map<String, String> processEnvironment(DatabaseUrl url) {
    Map<String, String> env = new LinkedHashMap<>();
    String password = url.connectionProperties().getProperty("password");
    if (password != null) {
      env.put("MYSQL_PWD", password);
    }
    return env;
  }

  @Override
  public List<String> clearedVariablePrefixes() {
    return List.of("MYSQL", "MARIADB");
  }

  @Override
  public Optional<String> tableStarted(String line) {
    Matcher m = TABLE.matcher(line);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  @Override
  public List<String> listCommand(Optional<Path> binDir, Path dump) {
    return List.of();
  }

  @Override
  public Optional<String> completionMarker() {
    return Optional.of("-- Dump completed");
  }

  @Override
  public List<String> restoreCommand(
      Optional<Path> binDir, DatabaseUrl url, Path dump, Optional<Path> list) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.resolve(binDir, "mariadb", "mysql"));
    cmd.add("--no-defaults");
    connectionArgs(cmd, url);
    cmd.add("--database=" + url.database());
    return cmd;
  }

  @Override
  public boolean restoreReadsStdin() {
    return true;
  }

  /** MariaDB cannot share a snapshot with the dump: counts come from one taken just before it. */
  @Override
  public Optional<String> openSnapshot(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    }
    return Optional.empty();
  }

  @Override
  public List<String> userTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
                    + " AND table_type = 'BASE TABLE' ORDER BY 1")) {
      while (rs.next()) {
        out.add(MariaDbSupport.INSTANCE.quote(rs.getString(1)));
      }
    }
    return out;
  }

  @Override
  public DumpContents.Reader contentsReader() {
    return new MariaDbDumpContents();
  }

  @Override
  public List<String> expectedTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
                    + " AND table_type = 'BASE TABLE' ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Override
  public String createDatabase(String name) {
    return "CREATE DATABASE " + MariaDbSupport.INSTANCE.quote(name);
  }

  @Override
  public String dropDatabase(String name) {
    return "DROP DATABASE IF EXISTS " + MariaDbSupport.INSTANCE.quote(name);
  }
}
