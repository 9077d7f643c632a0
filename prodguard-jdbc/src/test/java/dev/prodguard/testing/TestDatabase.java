package dev.prodguard.testing;

import dev.prodguard.db.DatabaseKind;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A uniquely named database on the real test server, created for one test and dropped after it.
 * Servers come from {@code PRODGUARD_TEST_PG_URL} / {@code PRODGUARD_TEST_MYSQL_URL} (JDBC URLs of
 * an admin connection); an unreachable server fails the test with the way to fix it, never skips.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String PG_ADMIN =
      env("PRODGUARD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
  public static final String MYSQL_ADMIN =
      env("PRODGUARD_TEST_MYSQL_URL", "jdbc:mariadb://127.0.0.1:3306/?user=root&sslMode=disable");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final DatabaseKind kind;
  private final String name;
  private final List<String> roles = new ArrayList<>();
  private final List<String> users = new ArrayList<>();
  private boolean dropped;

  private TestDatabase(DatabaseKind kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  public static TestDatabase postgres() {
    return create(DatabaseKind.POSTGRESQL);
  }

  public static TestDatabase mariadb() {
    return create(DatabaseKind.MARIADB);
  }

  public static TestDatabase create(DatabaseKind kind) {
    byte[] r = new byte[6];
    RANDOM.nextBytes(r);
    String name = "pgt_" + HexFormat.of().formatHex(r);
    TestDatabase db = new TestDatabase(kind, name);
    db.admin("CREATE DATABASE " + name);
    return db;
  }

  public DatabaseKind kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  /** JDBC URL of this database, credentials included as parameters (test servers have none). */
  public String jdbcUrl() {
    return kind == DatabaseKind.POSTGRESQL
        ? PG_ADMIN.replaceFirst("/postgres(\\?|$)", "/" + name + "$1")
        : MYSQL_ADMIN.replaceFirst("/(\\?|$)", "/" + name + "$1");
  }

  /** The same URL in the libpq style users write ({@code postgresql://user@host:port/db}). */
  public String libpqUrl() {
    String jdbc = jdbcUrl().substring("jdbc:".length());
    String user = kind == DatabaseKind.POSTGRESQL ? "postgres" : "root";
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("user=([^&]+)").matcher(jdbc);
    if (m.find()) {
      user = m.group(1);
    }
    String withoutUser = jdbc.replaceAll("([?&])user=[^&]*&?", "$1").replaceAll("[?&]$", "");
    return withoutUser.replaceFirst("://", "://" + user + "@");
  }

  /** The libpq-style URL of this database for another user (no password: trust on loopback). */
  public String libpqUrl(String user) {
    return libpqUrl().replaceFirst("://[^@/]+@", "://" + user + "@");
  }

  /**
   * PostgreSQL: a new login role without superuser that owns this database (so it may create tables
   * in its public schema); dropped by {@link #close()} after the database.
   */
  public String createOwnerRole() {
    return createOwnerRole(false);
  }

  /**
   * PostgreSQL: a new login role without superuser that owns nothing (an application's role);
   * dropped by {@link #close()} after the database.
   */
  public String createLoginRole() {
    if (kind != DatabaseKind.POSTGRESQL) {
      throw new IllegalStateException("roles are created on PostgreSQL only");
    }
    byte[] r = new byte[4];
    RANDOM.nextBytes(r);
    String role = "pgt_app_" + HexFormat.of().formatHex(r);
    admin("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB");
    roles.add(role);
    return role;
  }

  /** Like {@link #createOwnerRole()}; {@code createDb}: the role may create databases. */
  public String createOwnerRole(boolean createDb) {
    if (kind != DatabaseKind.POSTGRESQL) {
      throw new IllegalStateException("roles are created on PostgreSQL only");
    }
    byte[] r = new byte[4];
    RANDOM.nextBytes(r);
    String role = "pgt_role_" + HexFormat.of().formatHex(r);
    admin(
        "CREATE ROLE "
            + role
            + " LOGIN NOSUPERUSER NOCREATEROLE "
            + (createDb ? "CREATEDB" : "NOCREATEDB"));
    roles.add(role);
    admin("ALTER DATABASE " + name + " OWNER TO " + role);
    return role;
  }

  /**
   * MariaDB: a new account {@code 'name'@'%'} without a password holding {@code privileges} on this
   * database (e.g. {@code "SELECT, INSERT, UPDATE, DELETE, EXECUTE"}, or empty for none); dropped
   * by {@link #close()}.
   */
  public String createUser(String privileges) {
    String user = mariaDbName("pgt_user_");
    admin("CREATE USER '" + user + "'@'%'");
    users.add("'" + user + "'@'%'");
    if (!privileges.isBlank()) {
      admin("GRANT " + privileges + " ON " + name + ".* TO '" + user + "'@'%'");
    }
    return user;
  }

  /** MariaDB: a new role holding {@code privileges} on this database; dropped by close(). */
  public String createRole(String privileges) {
    String role = mariaDbName("pgt_role_");
    admin("CREATE ROLE " + role);
    users.add(role);
    if (!privileges.isBlank()) {
      admin("GRANT " + privileges + " ON " + name + ".* TO " + role);
    }
    return role;
  }

  /** MariaDB: a statement as the server's administrator (GRANT, REVOKE), e.g. on a test's user. */
  public void adminStatement(String sql) {
    if (kind != DatabaseKind.MARIADB) {
      throw new IllegalStateException("for MariaDB accounts only");
    }
    admin(sql);
  }

  /** The JDBC URL of this database for another user (no password). */
  public String jdbcUrl(String user) {
    return jdbcUrl()
        .replace("user=" + (kind == DatabaseKind.POSTGRESQL ? "postgres" : "root"), "user=" + user);
  }

  private String mariaDbName(String prefix) {
    if (kind != DatabaseKind.MARIADB) {
      throw new IllegalStateException("MariaDB accounts only; PostgreSQL: createOwnerRole");
    }
    byte[] r = new byte[4];
    RANDOM.nextBytes(r);
    return prefix + HexFormat.of().formatHex(r);
  }

  public String host() {
    return "127.0.0.1";
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  /**
   * Runs statements in this database as the test's administrator (a superuser). On PostgreSQL, when
   * prodguard's DDL guard is installed, the statements run in one transaction with its event
   * triggers paused, as any superuser can do (docs/g6-direct-migration.md): fixtures set up tables
   * and attacks edit state as a DBA would. G6 tests use {@link #connect()} for unprivileged paths.
   */
  public void execute(String... sql) {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      List<String> guard = kind == DatabaseKind.POSTGRESQL ? enabledDdlGuard(st) : List.of();
      if (!guard.isEmpty()) {
        c.setAutoCommit(false);
        for (String t : guard) {
          st.execute("ALTER EVENT TRIGGER " + t + " DISABLE");
        }
      }
      for (String s : sql) {
        st.execute(s);
      }
      if (!guard.isEmpty()) {
        for (String t : guard) {
          // unless the statements dropped it
          try (ResultSet rs =
              st.executeQuery("SELECT 1 FROM pg_event_trigger WHERE evtname = '" + t + "'")) {
            if (!rs.next()) {
              continue;
            }
          }
          st.execute("ALTER EVENT TRIGGER " + t + " ENABLE ALWAYS");
        }
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed on " + name + ": " + e.getMessage(), e);
    }
  }

  private static List<String> enabledDdlGuard(Statement st) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs =
        st.executeQuery(
            "SELECT evtname FROM pg_event_trigger WHERE evtname LIKE 'prodguard_ddl_guard%'"
                + " AND evtenabled <> 'D'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private void admin(String sql) {
    String url = kind == DatabaseKind.POSTGRESQL ? PG_ADMIN : MYSQL_ADMIN;
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      String server = kind == DatabaseKind.POSTGRESQL ? "PostgreSQL" : "MariaDB";
      throw new AssertionError(
          server
              + " test server at "
              + url
              + " failed: "
              + e.getMessage()
              + "\nStart the test servers with scripts/test (it starts or installs them), or set "
              + (kind == DatabaseKind.POSTGRESQL
                  ? "PRODGUARD_TEST_PG_URL"
                  : "PRODGUARD_TEST_MYSQL_URL"),
          e);
    }
  }

  @Override
  public void close() {
    if (dropped) {
      return;
    }
    dropped = true;
    if (kind == DatabaseKind.POSTGRESQL) {
      admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      for (String role : roles) {
        admin("DROP ROLE IF EXISTS " + role);
      }
    } else {
      admin("DROP DATABASE IF EXISTS " + name);
      for (String user : users) {
        admin((user.contains("@") ? "DROP USER IF EXISTS " : "DROP ROLE IF EXISTS ") + user);
      }
    }
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + ":" + name;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
