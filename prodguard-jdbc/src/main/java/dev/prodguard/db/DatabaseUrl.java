package dev.prodguard.db;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database URL in JDBC form ({@code jdbc:postgresql://h:5432/db}) or libpq form ({@code
 * postgresql://user:pass@h/db}, {@code mysql://}, {@code mariadb://}). Credentials are kept apart
 * from the URL so that nothing printable ever contains them.
 */
public final class DatabaseUrl {
  private static final Pattern SHAPE =
      Pattern.compile(
          "(?i)(?:jdbc:)?(postgresql|postgres|mysql|mariadb)://(?:([^@/?#]*)@)?([^/?#]*)(?:/([^?#]*))?(?:\\?([^#]*))?");

  /**
   * Driver parameters that can send the connection somewhere other than the URL's host and
   * database; G3 cannot vouch for a URL carrying them.
   */
  private static final java.util.Set<String> REDIRECTING =
      java.util.Set.of(
          "pghost",
          "pgport",
          "pgdbname",
          "service",
          "socketfactory",
          "socketfactoryarg",
          "localsocket",
          "pipe",
          "host",
          "port",
          "dbname",
          "database");

  private final DatabaseKind kind;
  private final List<HostPort> hosts;
  private final String database;
  private final Optional<String> user;
  private final Optional<String> password;
  private final Map<String, String> params;

  /** A host and port; the host is lower-cased, IPv6 without brackets. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private DatabaseUrl(
      DatabaseKind kind,
      List<HostPort> hosts,
      String database,
      Optional<String> user,
      Optional<String> password,
      Map<String, String> params) {
    this.kind = kind;
    this.hosts = List.copyOf(hosts);
    this.database = database;
    this.user = user;
    this.password = password;
    this.params = params;
    password.ifPresent(Redactor::registerSecret);
  }

  public static DatabaseUrl parse(String text) {
    String trimmed = text.trim();
    Matcher m = SHAPE.matcher(trimmed);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "cannot parse database URL '"
              + Redactor.redact(trimmed)
              + "': expected jdbc:postgresql://host:port/db, postgresql://user@host/db,"
              + " mysql://... or mariadb://...");
    }
    DatabaseKind kind =
        switch (m.group(1).toLowerCase(Locale.ROOT)) {
          case "postgresql", "postgres" -> DatabaseKind.POSTGRESQL;
          default -> DatabaseKind.MARIADB;
        };
    if (trimmed.regionMatches(true, 0, "jdbc:postgres://", 0, 16)) {
      throw new IllegalArgumentException(
          "JDBC URLs use 'jdbc:postgresql://', not 'jdbc:postgres://'");
    }
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    String userinfo = m.group(2);
    if (userinfo != null && !userinfo.isEmpty()) {
      int colon = userinfo.indexOf(':');
      user = Optional.of(decode(colon < 0 ? userinfo : userinfo.substring(0, colon)));
      if (colon >= 0) {
        password = Optional.of(decode(userinfo.substring(colon + 1)));
      }
    }
    List<HostPort> hosts = hosts(m.group(3), kind);
    String database = m.group(4) == null ? "" : decode(m.group(4));
    if (database.isEmpty() || database.contains("/")) {
      throw new IllegalArgumentException(
          "database URL '" + Redactor.redact(trimmed) + "' must name exactly one database");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (m.group(5) != null && !m.group(5).isEmpty()) {
      for (String pair : m.group(5).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = decode(eq < 0 ? pair : pair.substring(0, eq));
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (REDIRECTING.contains(k.toLowerCase(Locale.ROOT))) {
          throw new IllegalArgumentException(
              "database URL parameter '"
                  + k
                  + "' can redirect the connection away from the URL's host or database;"
                  + " prodguard cannot check where it leads: put the host and database in the URL");
        }
        switch (k.toLowerCase(Locale.ROOT)) {
          case "user" -> user = Optional.of(v);
          case "password" -> password = Optional.of(v);
          default -> params.put(k, v);
        }
      }
    }
    password.ifPresent(Redactor::registerSecret);
    return new DatabaseUrl(kind, hosts, database, user, password, params);
  }

  private static List<HostPort> hosts(String spec, DatabaseKind kind) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "database URL has no host: prodguard needs a TCP host to check against host patterns");
    }
    List<HostPort> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String host;
      String port = null;
      if (part.startsWith("[")) {
        int close = part.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("unclosed '[' in host '" + part + "'");
        }
        host = part.substring(1, close);
        if (part.length() > close + 1) {
          if (part.charAt(close + 1) != ':') {
            throw new IllegalArgumentException("bad host '" + part + "'");
          }
          port = part.substring(close + 2);
        }
      } else {
        int colon = part.lastIndexOf(':');
        host = colon < 0 ? part : part.substring(0, colon);
        port = colon < 0 ? null : part.substring(colon + 1);
      }
      if (host.isEmpty() || !host.matches("[A-Za-z0-9._:%-]+")) {
        throw new IllegalArgumentException("bad host '" + part + "' in database URL");
      }
      int p = kind == DatabaseKind.POSTGRESQL ? 5432 : 3306;
      if (port != null) {
        try {
          p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad port '" + port + "' in database URL");
        }
        if (p < 1 || p > 65535) {
          throw new IllegalArgumentException("port " + p + " is out of range");
        }
      }
      out.add(new HostPort(host.toLowerCase(Locale.ROOT), p));
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad percent-encoding in database URL");
    }
  }

  public DatabaseKind kind() {
    return kind;
  }

  public List<HostPort> hosts() {
    return hosts;
  }

  public String database() {
    return database;
  }

  public Optional<String> user() {
    return user;
  }

  public Map<String, String> params() {
    return Map.copyOf(params);
  }

  /** The same server and credentials, another database (a scratch copy for a restore check). */
  public DatabaseUrl withDatabase(String otherDatabase) {
    return new DatabaseUrl(kind, hosts, otherDatabase, user, password, new LinkedHashMap<>(params));
  }

  /** The JDBC URL to hand to the driver: never contains credentials. */
  public String jdbcUrl() {
    StringBuilder sb =
        new StringBuilder(
            kind == DatabaseKind.POSTGRESQL ? "jdbc:postgresql://" : "jdbc:mariadb://");
    for (int i = 0; i < hosts.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(hosts.get(i));
    }
    sb.append('/').append(database);
    if (!params.isEmpty()) {
      sb.append('?');
      boolean first = true;
      for (Map.Entry<String, String> e : params.entrySet()) {
        if (!first) {
          sb.append('&');
        }
        first = false;
        sb.append(e.getKey()).append('=').append(e.getValue());
      }
    }
    return sb.toString();
  }

  /** Driver properties: user and password travel here, not in the URL. */
  public Properties connectionProperties() {
    Properties p = new Properties();
    user.ifPresent(u -> p.setProperty("user", u));
    password.ifPresent(pw -> p.setProperty("password", pw));
    return p;
  }

  /** Same server and database (ignores credentials and parameters). */
  public boolean sameDatabaseAs(DatabaseUrl other) {
    return kind == other.kind
        && database.equals(other.database)
        && hosts.stream().anyMatch(other.hosts::contains);
  }

  /** Printable form: JDBC URL with the user but never the password. */
  @Override
  public String toString() {
    return jdbcUrl() + user.map(u -> " (user " + u + ")").orElse("");
  }
}
