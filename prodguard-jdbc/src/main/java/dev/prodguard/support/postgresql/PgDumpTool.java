package dev.prodguard.support.postgresql;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.DumpContents;
import dev.prodguard.support.DumpTool;
import dev.prodguard.support.RestoreCheckList;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    cmd.add(PgClientTools.resolve(binDir, "pg_dump"));
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
    return List.of(PgClientTools.resolve(binDir, "pg_dump"), "--version");
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
    return List.of(PgClientTools.resolve(binDir, "pg_restore"), "--list", dump.toString());
  }

  @Override
  public Optional<String> completionMarker() {
    return Optional.empty();
  }

  @Override
  public List<String> restoreCommand(
      Optional<Path> binDir, DatabaseUrl url, Path dump, Optional<Path> list) {
    List<String> cmd = new ArrayList<>();
    cmd.add(PgClientTools.resolve(binDir, "pg_restore"));
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

  /**
   * Comments out (';' starts a comment in a pg_restore list) the entries the checking role cannot
   * create: EVENT TRIGGER always (prodguard's DDL guard; nothing the check compares), and for a
   * role that is not a superuser: EXTENSION (and its COMMENT) of an extension that is not trusted,
   * FUNCTION and PROCEDURE in an untrusted language, SUBSCRIPTION. Read from the source database's
   * catalog: {@code pg_available_extension_versions.trusted}, {@code pg_language.lanpltrusted}.
   */
  @Override
  public RestoreCheckList restoreCheckList(String toc, Connection c) throws SQLException {
    boolean superuser =
        bool(c, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user");
    Set<String> extensions = new HashSet<>();
    Set<String> functions = new HashSet<>();
    Set<String> tables = new HashSet<>();
    if (!superuser) {
      extensions.addAll(
          strings(
              c,
              "SELECT e.extname FROM pg_catalog.pg_extension e WHERE NOT EXISTS (SELECT 1 FROM"
                  + " pg_catalog.pg_available_extension_versions v WHERE v.name = e.extname AND"
                  + " v.version = e.extversion AND (v.trusted OR NOT v.superuser))"));
      functions.addAll(
          strings(
              c,
              "SELECT n.nspname || ' ' || p.proname FROM pg_catalog.pg_proc p"
                  + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                  + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
                  + " WHERE NOT l.lanpltrusted AND l.lanname <> 'internal'"
                  + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                  + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid ="
                  + " 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"));
      for (String ext : extensions) {
        tables.addAll(extensionTables(c, ext));
      }
    }
    StringBuilder sb = new StringBuilder();
    List<String> leftOut = new ArrayList<>();
    for (String line : toc.split("\n", -1)) {
      Optional<String> why =
          line.startsWith(";")
              ? Optional.empty()
              : leaveOut(line, extensions, functions, superuser);
      if (why.isPresent()) {
        sb.append(';');
        leftOut.add(why.get());
      }
      sb.append(line).append('\n');
    }
    return new RestoreCheckList(Optional.of(sb.toString()), leftOut, tables);
  }

  private static final Pattern TOC_ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ (.+)$");

  private static Optional<String> leaveOut(
      String line, Set<String> extensions, Set<String> functions, boolean superuser) {
    Matcher m = TOC_ENTRY.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    String entry = m.group(1);
    if (entry.startsWith("EVENT TRIGGER ")) {
      return Optional.of(
          "event trigger " + words(entry, 3) + " (prodguard's DDL guard needs a superuser)");
    }
    if (superuser) {
      return Optional.empty();
    }
    for (String ext : extensions) {
      if (entry.equals("EXTENSION - " + ext + " ") || entry.equals("EXTENSION - " + ext)) {
        return Optional.of("extension " + ext + " (not trusted: only a superuser may create it)");
      }
      if (entry.startsWith("COMMENT - EXTENSION " + ext)) {
        return Optional.of("the comment on extension " + ext);
      }
    }
    for (String kind : new String[] {"FUNCTION ", "PROCEDURE "}) {
      if (entry.startsWith(kind)) {
        String rest = entry.substring(kind.length());
        int paren = rest.indexOf('(');
        String schemaAndName = paren < 0 ? rest : rest.substring(0, paren);
        if (functions.contains(schemaAndName)) {
          return Optional.of(
              kind.strip().toLowerCase(java.util.Locale.ROOT)
                  + " "
                  + schemaAndName.replace(' ', '.')
                  + " (untrusted language: only a superuser may create it)");
        }
      }
    }
    if (entry.startsWith("SUBSCRIPTION ")) {
      return Optional.of("subscription " + words(entry, 2) + " (only a superuser may create it)");
    }
    return Optional.empty();
  }

  /** The name in a TOC entry "KIND [KIND2] schema name owner": the word after {@code skip}. */
  private static String words(String entry, int skip) {
    String[] w = entry.split(" ");
    return w.length > skip ? w[skip] : entry;
  }

  private static List<String> extensionTables(Connection c, String extension) throws SQLException {
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname)"
                + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid"
                + " JOIN pg_catalog.pg_class t ON t.oid = d.objid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass"
                + " AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'e'"
                + " AND t.relkind IN ('r', 'p') AND e.extname = ?")) {
      ps.setString(1, extension);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private static boolean bool(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
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

  /**
   * Extension members with rows that pg_dump does not dump (attacker 21/03): ordinary and
   * partitioned tables that depend on an extension ({@code pg_depend.deptype = 'e'}) and are not in
   * its {@code extconfig}. The extension's own script may have created such a table, and its rows
   * come back with {@code CREATE EXTENSION}; a table added with {@code ALTER EXTENSION ... ADD
   * TABLE} does not come back at all. The catalog cannot tell the two apart, so any such table with
   * a row counts; one whose rows the backup's role cannot read counts too.
   */
  @Override
  public List<String> tablesLeftOut(Connection c) throws SQLException {
    List<String[]> members = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname), e.extname"
                    + " FROM pg_catalog.pg_class t"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
                    + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass"
                    + " AND d.objid = t.oid AND d.deptype = 'e'"
                    + " AND d.refclassid = 'pg_catalog.pg_extension'::regclass"
                    + " JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid"
                    + " WHERE t.relkind IN ('r', 'p') AND t.relpersistence <> 't'"
                    + " AND NOT (t.oid = ANY (COALESCE(e.extconfig, '{}'::pg_catalog.oid[])))"
                    + " ORDER BY 1")) {
      while (rs.next()) {
        members.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    List<String> out = new ArrayList<>();
    for (String[] m : members) {
      boolean rows;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + m[0] + ")")) {
        rows = rs.next() && rs.getBoolean(1);
      } catch (SQLException e) {
        rows = true; // cannot be read: counts as holding rows
        if (!c.getAutoCommit()) {
          throw e; // the transaction is aborted: nothing after this could run
        }
      }
      if (rows) {
        out.add(
            m[0]
                + " (a member of extension "
                + m[1]
                + " that the extension does not mark as configuration data, holding rows)");
      }
    }
    return out;
  }

  @Override
  public String createDatabase(String name) {
    return "CREATE DATABASE " + PostgresSupport.INSTANCE.quote(name);
  }

  @Override
  public boolean marksScratchOwner() {
    return true;
  }

  @Override
  public String dropDatabase(String name) {
    return "DROP DATABASE IF EXISTS " + PostgresSupport.INSTANCE.quote(name) + " WITH (FORCE)";
  }
}
