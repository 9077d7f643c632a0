package dev.prodguard.db;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A database URL in JDBC form ({@code jdbc:postgresql://h:5432/db}) or libpq form ({@code
 * postgresql://user:pass@h/db}, {@code mysql://}, {@code mariadb://}). Credentials are kept apart
 * from the URL so that nothing printable ever contains them.
 *
 * <p>The URL is parsed once, strictly; what G3 judges (hosts, ports, database) is exactly what the
 * driver is given: {@link #jdbcUrl()} is rebuilt from the parsed parts with the database name
 * percent-encoded and no parameters, and every parameter travels as a driver property ({@link
 * #connectionProperties()}), so no decoded value can become URL syntax again. Anything the parser
 * could read two ways is refused: an {@code @} or {@code #} outside its one place, duplicate
 * parameters, parameters that choose the host, port, database, socket or service, malformed
 * percent-encoding, numeric hosts other than dotted quads.
 *
 * <p>No error message quotes the URL or any part of it that could hold a password: a password with
 * an unencoded {@code ?}, {@code /}, {@code @} or {@code #} shifts every later part, so only the
 * kind of problem is named (the configuration error around it names file, line and key).
 */
public final class DatabaseUrl {
  /**
   * Driver parameters that can send the connection somewhere other than the URL's host and
   * database, or take the destination or credentials from a file; G3 cannot vouch for a URL
   * carrying them. Lower case; compared case-insensitively.
   */
  private static final Set<String> REDIRECTING =
      Set.of(
          "pghost",
          "pgport",
          "pgdbname",
          "hostaddr",
          "service",
          "pgservicefile",
          "servicefile",
          "pgpassfile",
          "passfile",
          "socketfactory",
          "socketfactoryarg",
          "localsocket",
          "unixsocket",
          "pipe",
          "host",
          "port",
          "dbname",
          "database");

  /**
   * Driver parameters that make the server apply settings (or run SQL) at the start of every
   * session prodguard opens with the URL, the deploy's included: pgjdbc's {@code options} ({@code
   * -c session_replication_role=replica} switches foreign-key and user triggers off), MariaDB
   * Connector/J's {@code sessionVariables} ({@code foreign_key_checks=0}, {@code sql_log_bin=0})
   * and {@code initSql}, and {@code allowMultiQueries} (one statement string may then carry
   * several, so the server could run what the analysis read as one). A migration that does the same
   * is refused by the analysis; one line of configuration would do it for every migration, unseen.
   * Lower case; compared case-insensitively.
   */
  private static final Set<String> SESSION_SETTING =
      Set.of("options", "sessionvariables", "initsql", "allowmultiqueries");

  private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
  private static final Pattern NUMERIC_LOOKING = Pattern.compile("(?i)[0-9.]+|0x[0-9a-f.x]*");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern MARIADB_DATABASE = Pattern.compile("[A-Za-z0-9_$-]{1,64}");

  private static final String FORMS =
      "expected jdbc:postgresql://host:port/db, postgresql://user@host/db,"
          + " jdbc:mariadb://host:port/db, mysql://... or mariadb://...";
  private static final String ENCODE =
      "percent-encode them in a password or value: @ as %40, / %2F, ? %3F, # %23, % %25,"
          + " : %3A, & %26, space %20";

  private final DatabaseKind kind;
  private final List<HostPort> hosts;
  private final String database;
  private final Optional<String> user;
  private final Optional<String> password;
  private final Map<String, String> params;
  private final boolean passwordInQuery;

  /** A host and port; the host is lower-cased, IPv6 without brackets. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Same server: the same port and a host that is the same name or address (loopback aware). */
    public boolean sameServerAs(HostPort other) {
      if (port != other.port) {
        return false;
      }
      Set<String> mine = HostPattern.equivalents(host);
      return HostPattern.equivalents(other.host).stream().anyMatch(mine::contains);
    }
  }

  private DatabaseUrl(
      DatabaseKind kind,
      List<HostPort> hosts,
      String database,
      Optional<String> user,
      Optional<String> password,
      Map<String, String> params,
      boolean passwordInQuery) {
    this.passwordInQuery = passwordInQuery;
    this.kind = kind;
    this.hosts = List.copyOf(hosts);
    this.database = database;
    this.user = user;
    this.password = password;
    this.params = params;
    password.ifPresent(Redactor::registerSecret);
  }

  private static IllegalArgumentException bad(String why) {
    return new IllegalArgumentException("database URL: " + why);
  }

  public static DatabaseUrl parse(String text) {
    String t = text.strip();
    int sep = t.indexOf("://");
    if (sep < 0) {
      throw bad("not a database URL; " + FORMS);
    }
    String rest = t.substring(sep + 3);
    registerCandidateSecrets(rest);
    DatabaseKind kind =
        switch (t.substring(0, sep).toLowerCase(Locale.ROOT)) {
          case "jdbc:postgresql", "postgresql", "postgres" -> DatabaseKind.POSTGRESQL;
          case "jdbc:mariadb", "jdbc:mysql", "mariadb", "mysql" -> DatabaseKind.MARIADB;
          case "jdbc:postgres" ->
              throw bad("JDBC URLs use 'jdbc:postgresql://', not 'jdbc:postgres://'");
          default -> throw bad("unsupported scheme; " + FORMS);
        };
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw bad(
            "contains a space or control character; percent-encode it (space %20), or remove"
                + " a line break left by copying");
      }
    }
    if (rest.indexOf('#') >= 0) {
      throw bad("contains a '#' (a password or value holding it?); " + ENCODE);
    }
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '/' || c == '?') {
        end = i;
        break;
      }
    }
    String authority = rest.substring(0, end);
    String tail = rest.substring(end);
    int at = authority.lastIndexOf('@');
    if (authority.indexOf('@') != at || tail.indexOf('@') >= 0) {
      throw bad(
          "has an '@' that is not the one separator between user and host: a password or value"
              + " holds '@', '/' or '?'; "
              + ENCODE);
    }
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    if (at >= 0) {
      String userinfo = authority.substring(0, at);
      int colon = userinfo.indexOf(':');
      if (colon >= 0) {
        String pw = decode(userinfo.substring(colon + 1), "the password");
        Redactor.registerSecret(pw);
        password = Optional.of(pw);
      }
      String u = decode(colon < 0 ? userinfo : userinfo.substring(0, colon), "the user name");
      if (!u.isEmpty()) {
        user = Optional.of(u);
      } else if (password.isPresent()) {
        throw bad("has a password but no user name before it");
      }
    }
    List<HostPort> hosts = hosts(authority.substring(at + 1), kind);

    int q = tail.indexOf('?');
    String path = q < 0 ? tail : tail.substring(0, q);
    String query = q < 0 ? "" : tail.substring(q + 1);
    String database = path.isEmpty() ? "" : decode(path.substring(1), "the database name");
    if (database.isEmpty() || database.contains("/")) {
      throw bad("must name exactly one database after the host (…/database)");
    }
    checkPrintable(database, "the database name");
    if (kind == DatabaseKind.MARIADB && !MARIADB_DATABASE.matcher(database).matches()) {
      throw bad(
          "a MariaDB database name in a URL may hold only letters, digits, '_', '$' and '-'"
              + " (at most 64)");
    }

    Map<String, String> params = new LinkedHashMap<>();
    Set<String> seen = new java.util.HashSet<>();
    boolean passwordInQuery = hasPasswordParameter(query);
    boolean userInUrl = user.isPresent();
    boolean passwordInUrl = password.isPresent();
    for (String pair : query.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw bad(
            "has a parameter without '=value'"
                + (passwordInQuery ? " (not shown: it may be part of a misencoded password)" : "")
                + "; "
                + ENCODE);
      }
      String k = decode(pair.substring(0, eq), "a parameter name");
      String v = decode(pair.substring(eq + 1), "a parameter value");
      String lower = k.toLowerCase(Locale.ROOT);
      if (REDIRECTING.contains(lower)) {
        throw bad(
            "parameter '"
                + k
                + "' can redirect the connection away from the URL's host or database;"
                + " prodguard cannot check where it leads: put the host and database in the URL");
      }
      if (SESSION_SETTING.contains(lower)) {
        throw bad(
            "parameter '"
                + k
                + "' makes the server apply settings or run SQL at the start of every session"
                + " prodguard opens, the deploy's included, where the analysis of the migrations"
                + " cannot see them (a migration that sets session_replication_role,"
                + " foreign_key_checks or sql_log_bin is refused); remove it from the URL: the"
                + " deploy's own settings are prodguard.yml's pipeline keys, and a setting the"
                + " migrations need belongs in a reviewed migration");
      }
      if (!PARAM_NAME.matcher(k).matches()) {
        throw bad(
            "has a parameter whose name is not a plain word"
                + (passwordInQuery ? " (not shown: it may be part of a misencoded password)" : "")
                + "; "
                + ENCODE);
      }
      if (!seen.add(lower)) {
        throw bad(
            "gives parameter "
                + (passwordInQuery ? "" : "'" + k + "' ")
                + "more than once: which one is meant? Give each parameter once"
                + (passwordInQuery
                    ? " (the name is not shown: it may be part of a password)"
                    : ""));
      }
      switch (lower) {
        case "user" -> {
          if (userInUrl) {
            throw bad("names the user twice (before the host and as ?user=): give it once");
          }
          user = Optional.of(v);
        }
        case "password" -> {
          Redactor.registerSecret(v);
          if (passwordInUrl) {
            throw bad("gives the password twice (before the host and as ?password=): give it once");
          }
          password = Optional.of(v);
        }
        default -> {
          checkPrintable(v, "a parameter value");
          params.put(k, v);
        }
      }
    }
    user.ifPresent(u -> checkPrintable(u, "the user name"));
    if (password.isPresent() && password.get().indexOf('\0') >= 0) {
      throw bad("the password holds a NUL character, which no server accepts");
    }
    return new DatabaseUrl(kind, hosts, database, user, password, params, passwordInQuery);
  }

  /**
   * Registers, before anything can fail, whatever could be a password in a URL that may be
   * malformed: the text between the first ':' and the last '@', and every password= value, raw and
   * decoded. A later message that quotes the URL by mistake is then still masked.
   */
  private static void registerCandidateSecrets(String rest) {
    int lastAt = rest.lastIndexOf('@');
    if (lastAt > 0) {
      int colon = rest.indexOf(':');
      if (colon >= 0 && colon < lastAt) {
        String raw = rest.substring(colon + 1, lastAt);
        Redactor.registerSecret(raw);
        tryDecodeAndRegister(raw);
      }
    }
    java.util.regex.Matcher m = Pattern.compile("(?i)(?:^|[?&])password=([^&]*)").matcher(rest);
    while (m.find()) {
      Redactor.registerSecret(m.group(1));
      tryDecodeAndRegister(m.group(1));
    }
  }

  private static void tryDecodeAndRegister(String raw) {
    try {
      Redactor.registerSecret(decode(raw, "a password"));
    } catch (IllegalArgumentException e) {
      // malformed: the raw text is registered
    }
  }

  private static boolean hasPasswordParameter(String query) {
    for (String pair : query.split("&", -1)) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (k.equalsIgnoreCase("password") || k.toLowerCase(Locale.ROOT).contains("pass")) {
        return true;
      }
    }
    return false;
  }

  private static void checkPrintable(String value, String what) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < ' ' || c == 0x7f) {
        throw bad(what + " holds a control character after percent-decoding");
      }
    }
  }

  private static List<HostPort> hosts(String spec, DatabaseKind kind) {
    if (spec.isEmpty()) {
      throw bad("has no host: prodguard needs a TCP host to check against host patterns");
    }
    List<HostPort> out = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      String host;
      String port = null;
      if (part.startsWith("[")) {
        int close = part.indexOf(']');
        if (close < 0) {
          throw bad("has an unclosed '[' in a host");
        }
        host = part.substring(1, close);
        if (part.length() > close + 1) {
          if (part.charAt(close + 1) != ':') {
            throw bad("has text after a bracketed IPv6 address that is not ':port'");
          }
          port = part.substring(close + 2);
        }
        if (!IPV6.matcher(host).matches() || !host.contains(":")) {
          throw bad("has a bracketed host that is not an IPv6 address");
        }
        try {
          host = java.net.InetAddress.getByName("[" + host + "]").getHostAddress();
        } catch (java.net.UnknownHostException e) {
          throw bad("has a bracketed host that is not an IPv6 address");
        }
        host = HostPattern.compressIpv6(host);
      } else {
        int colon = part.indexOf(':');
        if (colon >= 0 && part.indexOf(':', colon + 1) >= 0) {
          throw bad("has a host with several ':'; write an IPv6 address in brackets: [::1]:5432");
        }
        host = colon < 0 ? part : part.substring(0, colon);
        port = colon < 0 ? null : part.substring(colon + 1);
        if (host.endsWith(".")) {
          host = host.substring(0, host.length() - 1);
        }
        if (host.isEmpty()) {
          throw bad("has an empty host (a stray ',' or ':'?)");
        }
        if (!HOST_NAME.matcher(host).matches()) {
          throw bad(
              "has a host that is not a host name, dotted IPv4 address or bracketed IPv6 address"
                  + " (a password with an unencoded character can look like one; "
                  + ENCODE
                  + ")");
        }
        if (NUMERIC_LOOKING.matcher(host).matches()) {
          if (!DOTTED_QUAD.matcher(host).matches() || !octetsInRange(host)) {
            throw bad(
                "has a numeric host that is not a plain dotted IPv4 address (a.b.c.d, each 0-255,"
                    + " no leading zeros): tools read such forms differently");
          }
        }
      }
      int p = kind == DatabaseKind.POSTGRESQL ? 5432 : 3306;
      if (port != null) {
        if (!port.matches("[0-9]{1,5}")) {
          throw bad("has a port that is not a number");
        }
        p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
          throw bad("has a port that is out of range (1-65535)");
        }
      }
      out.add(new HostPort(host.toLowerCase(Locale.ROOT), p));
    }
    return out;
  }

  private static boolean octetsInRange(String quad) {
    for (String o : quad.split("\\.")) {
      if (Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return true;
  }

  /** Strict percent-decoding: '%' must be followed by two hex digits, the bytes must be UTF-8. */
  private static String decode(String s, String what) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%') {
        if (i + 2 >= raw.length || hex(raw[i + 1]) < 0 || hex(raw[i + 2]) < 0) {
          throw bad(
              what
                  + " has a '%' that is not followed by two hex digits; write a literal '%' as"
                  + " %25");
        }
        bytes.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
        i += 2;
      } else {
        bytes.write(raw[i]);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw bad(what + " is not UTF-8 after percent-decoding");
    }
  }

  private static int hex(byte b) {
    return Character.digit((char) b, 16);
  }

  /** Percent-encodes everything but unreserved characters (RFC 3986). */
  private static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
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

  /** The URL's parameters (never user or password); they reach the driver as properties. */
  public Map<String, String> params() {
    return java.util.Collections.unmodifiableMap(params);
  }

  /** The same server and credentials, another database (a scratch copy for a restore check). */
  public DatabaseUrl withDatabase(String otherDatabase) {
    return new DatabaseUrl(
        kind, hosts, otherDatabase, user, password, new LinkedHashMap<>(params), passwordInQuery);
  }

  /**
   * The same server and database as another role ({@code otherUser} with {@code otherPassword}):
   * trace's unprivileged replay role on a configured scratch server. The URL's parameters are kept.
   */
  public DatabaseUrl withCredentials(String otherUser, String otherPassword) {
    return new DatabaseUrl(
        kind,
        hosts,
        database,
        Optional.of(otherUser),
        Optional.of(otherPassword),
        new LinkedHashMap<>(params),
        passwordInQuery);
  }

  /**
   * The JDBC URL to hand to the driver, built from the parsed parts: hosts, ports and the
   * percent-encoded database, no parameters (they travel in {@link #connectionProperties()}) and
   * never credentials.
   */
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
    sb.append('/').append(encode(database));
    return sb.toString();
  }

  /** Driver properties: the URL's parameters, user and password; none of them URL text. */
  public Properties connectionProperties() {
    Properties p = new Properties();
    params.forEach(p::setProperty);
    user.ifPresent(u -> p.setProperty("user", u));
    password.ifPresent(pw -> p.setProperty("password", pw));
    return p;
  }

  /**
   * Same server and database (ignores credentials and parameters): a host in common (loopback names
   * and addresses are one host, case and a trailing dot do not count, default ports are filled in)
   * and the same database name, compared without case.
   */
  public boolean sameDatabaseAs(DatabaseUrl other) {
    return kind == other.kind
        && database.equalsIgnoreCase(other.database)
        && hosts.stream().anyMatch(h -> other.hosts.stream().anyMatch(h::sameServerAs));
  }

  /**
   * Printable form: JDBC URL and parameters (encoded) with the user but never the password. When
   * the password came as a {@code password=} parameter the other parameters are not shown: after a
   * password with an unencoded '&' they may be pieces of it.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(jdbcUrl());
    char sepChar = '?';
    if (passwordInQuery && !params.isEmpty()) {
      sb.append("?(parameters not shown)");
    }
    for (Map.Entry<String, String> e :
        passwordInQuery ? Map.<String, String>of().entrySet() : params.entrySet()) {
      sb.append(sepChar).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
      sepChar = '&';
    }
    return Redactor.redact(sb + user.map(u -> " (user " + u + ")").orElse(""));
  }
}
