package dev.prodguard.support.postgresql;

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
import java.util.stream.Collectors;

/** {@code pg_dump -Fc} and {@code pg_restore}. */
final class PgDumpTool implements DumpTool {
  static final PgDumpTool INSTANCE = new PgDumpTool();

  private static final Pattern CLIENT_MAJOR = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");
  private static final Pattern TABLE = Pattern.compile("dumping contents of table \"?([^\"]+)\"?");

  private PgDumpTool() {}

  @Override
  public String extension() {
    return ".dump";
  }

  @Override
  public List<String> dumpCommand(
      Optional<Path> binDir, DatabaseUrl url, Optional<String> snapshot, List<String> tables) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.resolve(binDir, "pg_dump"));
    cmd.add("--format=custom");
    cmd.add("--verbose");
    cmd.add("--no-password");
    snapshot.ifPresent(s -> cmd.add("--snapshot=" + s));
    if (!tables.isEmpty()) {
      cmd.add("--strict-names");
      for (String t : tables) {
        cmd.add("--table=" + PostgresSupport.INSTANCE.quoteQualified(t));
      }
    }
    return cmd;
  }

  @Override
  public List<String> versionCommand(Optional<Path> binDir) {
    return List.of(Binaries.resolve(binDir, "pg_dump"), "--version");
  }

  @Override
  public Optional<String> versionProblem(String clientVersionOutput, Connection c)
      throws SQLException {
    int server = serverMajor(c);
    Matcher m = CLIENT_MAJOR.matcher(clientVersionOutput);
    if (!m.find()) {
      return Optional.of(
          "cannot tell the version of pg_dump from its output '"
              + clientVersionOutput.strip()
              + "'");
    }
    int client = Integer.parseInt(m.group(1));
    if (client < server) {
      return Optional.of(
          "pg_dump "
              + client
              + " is older than the PostgreSQL "
              + server
              + " server; pg_dump cannot reliably dump a newer server");
    }
    return Optional.empty();
  }

  @Override
  public String clientFix(Connection c) throws SQLException {
    int server = serverMajor(c);
    return "install the PostgreSQL "
        + server
        + " client tools or newer (Debian/Ubuntu: apt-get install postgresql-client-"
        + server
        + " from apt.postgresql.org; macOS: brew install postgresql@"
        + server
        + ") and put its pg_dump first on PATH, or set PRODGUARD_DUMP_BINDIR=/usr/lib/postgresql/"
        + server
        + "/bin";
  }

  private static int serverMajor(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1).trim()) / 10000;
    }
  }

  @Override
  public Map<String, String> processEnvironment(DatabaseUrl url) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(
        "PGHOST",
        url.hosts().stream().map(DatabaseUrl.HostPort::host).collect(Collectors.joining(",")));
    env.put(
        "PGPORT",
        url.hosts().stream().map(h -> Integer.toString(h.port())).collect(Collectors.joining(",")));
    env.put("PGDATABASE", url.database());
    url.user().ifPresent(u -> env.put("PGUSER", u));
    String password = url.connectionProperties().getProperty("password");
    if (password != null) {
      env.put("PGPASSWORD", password);
    }
    Map<String, String> params = url.params();
    for (Map.Entry<String, String> p : params.entrySet()) {
      switch (p.getKey().toLowerCase()) {
        case "sslmode" -> env.put("PGSSLMODE", p.getValue());
        case "sslrootcert" -> env.put("PGSSLROOTCERT", p.getValue());
        case "sslcert" -> env.put("PGSSLCERT", p.getValue());
        case "sslkey" -> env.put("PGSSLKEY", p.getValue());
        default -> {
          // JDBC-only parameters mean nothing to libpq
        }
      }
    }
    env.put("PGCONNECT_TIMEOUT", "10");
    env.put("PGAPPNAME", "prodguard-backup");
    return env;
  }

  @Override
  public List<String> clearedVariablePrefixes() {
    return List.of("PG");
  }

  @Override
  public Optional<String> tableStarted(String line) {
    Matcher m = TABLE.matcher(line);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  @Override
  public List<String> listCommand(Optional<Path> binDir, Path dump) {
    return List.of(Binaries.resolve(binDir, "pg_restore"), "--list", dump.toString());
  }

  @Override
  public Optional<String> completionMarker() {
    return Optional.empty();
  }

  @Override
  public List<String> restoreCommand(
      Optional<Path> binDir, DatabaseUrl url, Path dump, Optional<Path> list) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.resolve(binDir, "pg_restore"));
    cmd.add("--no-password");
    cmd.add("--exit-on-error");
    cmd.add("--no-owner");
    cmd.add("--no-privileges");
    cmd.add("--single-transaction");
    list.ifPresent(l -> cmd.add("--use-list=" + l));
    cmd.add("--dbname=" + url.database());
    cmd.add(dump.toString());
    return cmd;
  }

  /** Comments out EVENT TRIGGER entries (';' starts a comment in a pg_restore list). */
  @Override
  public Optional<String> restoreCheckList(String toc) {
    StringBuilder sb = new StringBuilder();
    for (String line : toc.split("\n", -1)) {
      if (!line.startsWith(";") && line.contains(" EVENT TRIGGER ")) {
        sb.append(';');
      }
      sb.append(line).append('\n');
    }
    return Optional.of(sb.toString());
  }

  @Override
  public boolean restoreReadsStdin() {
    return false;
  }

  @Override
  public Optional<String> openSnapshot(Connection c) throws SQLException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
      rs.next();
      return Optional.of(rs.getString(1));
    }
  }

  @Override
  public List<String> userTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
                    + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND schemaname NOT LIKE 'pg\\_temp%' ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Override
  public DumpContents.Reader contentsReader() {
    return new PgDumpContents();
  }

  /** Ordinary and partitioned tables outside the system schemas that no extension owns. */
  @Override
  public List<String> expectedTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT n.nspname || '.' || t.relname FROM pg_catalog.pg_class t"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
                    + " WHERE t.relkind IN ('r', 'p') AND t.relpersistence <> 't'"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND n.nspname NOT LIKE 'pg\\_%'"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
                    + " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = t.oid"
                    + " AND d.deptype = 'e') ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Override
  public String createDatabase(String name) {
    return "CREATE DATABASE " + PostgresSupport.INSTANCE.quote(name);
  }

  @Override
  public String dropDatabase(String name) {
    return "DROP DATABASE IF EXISTS " + PostgresSupport.INSTANCE.quote(name) + " WITH (FORCE)";
  }
}
