package dev.prodguard.fleet;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigValue;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Fingerprints;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The targets of a fleet: its static {@code targets:} list, then the rows of its {@code catalog:}
 * query. The catalog is read through an environment of prodguard.yml, so that connection passes G3
 * and G2 like every other. A row the catalog gets wrong (bad id, malformed fingerprint, unknown
 * wave, an id listed twice) is a configuration error naming the catalog query and the row: a
 * rollout never starts on a target list it cannot trust.
 */
public final class FleetTargets {
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final int MAX_TARGETS = 100_000;

  private static final Pattern REF = Pattern.compile("\\$\\{([^}]*)}");

  private FleetTargets() {}

  /**
   * Which part of {@code url} the text from {@code start} to {@code end} lies in: {@code password}
   * when wholly inside the password of {@code scheme://user:password@host} or the value of a {@code
   * password=} parameter; otherwise the part it touches ({@code scheme}, {@code user}, {@code
   * host}, {@code path}, {@code query}, {@code fragment}).
   */
  static String partOf(String url, int start, int end) {
    int scheme = url.indexOf("://");
    if (scheme < 0 || start < scheme + 3) {
      return "scheme";
    }
    int authority = scheme + 3;
    int authorityEnd = url.length();
    for (int i = authority; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        authorityEnd = i;
        break;
      }
    }
    if (start < authorityEnd) {
      int at = url.lastIndexOf('@', authorityEnd - 1);
      if (at < authority || start > at || end > at) {
        return "host";
      }
      int colon = url.indexOf(':', authority);
      return colon >= 0 && colon < at && start > colon ? "password" : "user";
    }
    int query = url.indexOf('?', authorityEnd);
    int fragment = url.indexOf('#', authorityEnd);
    if (fragment >= 0 && start >= fragment) {
      return "fragment";
    }
    if (query < 0 || start < query) {
      return "path";
    }
    int paramStart = Math.max(url.lastIndexOf('&', start), query) + 1;
    int paramEnd = url.indexOf('&', end);
    int stop = paramEnd < 0 ? (fragment < 0 ? url.length() : fragment) : paramEnd;
    String param = url.substring(paramStart, stop);
    int eq = param.indexOf('=');
    boolean password =
        eq > 0
            && param.substring(0, eq).equalsIgnoreCase("password")
            && start >= paramStart + eq + 1;
    return password ? "password" : "query";
  }

  /** Every target of {@code fleet}, static ones first, in the order listed or returned. */
  public static List<FleetConfig.Target> resolve(
      ProdguardConfig config, FleetConfig fleet, RunContext context) throws SQLException {
    List<FleetConfig.Target> out = new ArrayList<>(fleet.targets());
    if (fleet.catalog().isPresent()) {
      FleetConfig.Catalog catalog = fleet.catalog().get();
      List<FleetConfig.Target> rows = readCatalog(config, fleet, catalog, context);
      if (rows.isEmpty() && !catalog.allowEmpty()) {
        // attacker 23, finding 05: an empty read made a green, complete rollout with no target
        throw new ConfigException(
            catalog.file(),
            catalog.line(),
            "fleets." + fleet.name() + ".catalog.query",
            "the catalog query returned no target: a rollout never starts on a target list it"
                + " cannot trust (a catalog that lost its rows, a wrong where clause), and one"
                + " over no target would end green with no database migrated. Fix the query or"
                + " the catalog; if this fleet may really hold no catalog target, say so in"
                + " review with catalog.allow-empty: true");
      }
      out.addAll(rows);
    }
    Set<String> ids = new HashSet<>();
    for (FleetConfig.Target t : out) {
      if (config.environments().containsKey(t.id())) {
        throw new ConfigException(
            t.file(),
            t.line(),
            "fleets." + fleet.name(),
            "target '" + t.id() + "' has the name of an environment: give it another id");
      }
      for (FleetConfig other : config.fleets().values()) {
        if (!other.name().equals(fleet.name())
            && other.targets().stream().anyMatch(o -> o.id().equals(t.id()))) {
          throw new ConfigException(
              t.file(),
              t.line(),
              "fleets." + fleet.name(),
              "target '"
                  + t.id()
                  + "' is a target of fleet '"
                  + other.name()
                  + "' too: a database belongs to one fleet");
        }
      }
      if (!ids.add(t.id())) {
        throw new ConfigException(
            t.file(),
            t.line(),
            "fleets." + fleet.name(),
            "target '" + t.id() + "' is listed twice in fleet '" + fleet.name() + "'");
      }
    }
    return out;
  }

  /**
   * Every target's URL resolves and parses, and names only hosts the fleet's {@code hosts:} allow
   * (when it has any): checked for the whole rollout before the first target's connection, so a bad
   * row fails the run up front and no socket opens to a host outside the fleet (G3).
   *
   * @throws ConfigException naming the target's entry or catalog row when a URL cannot be used
   * @throws GuardRefusal G3 when a URL names a host outside the fleet's patterns
   */
  public static void requireUsableUrls(
      FleetConfig fleet, List<FleetConfig.Target> targets, RunContext context) {
    for (FleetConfig.Target t : targets) {
      List<FleetConfig.Target> one = List.of(t);
      for (ConfigValue v : urls(one)) {
        dev.prodguard.environment.UrlRule.fleetHosts(fleet, t.id(), v.databaseUrl(context.env()));
      }
    }
  }

  private static List<ConfigValue> urls(List<FleetConfig.Target> targets) {
    List<ConfigValue> out = new ArrayList<>();
    for (FleetConfig.Target t : targets) {
      out.add(t.url());
      t.deployUrl().ifPresent(out::add);
    }
    return out;
  }

  /** {@code config} with every target of the fleet as an environment, for the pipeline. */
  public static ProdguardConfig asEnvironments(
      ProdguardConfig config, FleetConfig fleet, List<FleetConfig.Target> targets) {
    return config.withEnvironments(targets.stream().map(fleet::environmentOf).toList());
  }

  private static List<FleetConfig.Target> readCatalog(
      ProdguardConfig config, FleetConfig fleet, FleetConfig.Catalog catalog, RunContext context)
      throws SQLException {
    String where = "fleets." + fleet.name() + ".catalog.query";
    Target source =
        Target.prepare(
            config,
            catalog.environment(),
            context,
            Target.Access.READ,
            "read the targets of fleet '" + fleet.name() + "'");
    List<FleetConfig.Target> out = new ArrayList<>();
    try (Connection c = source.connect()) {
      // a read: in a read-only transaction, rolled back, so a query that writes (a data-modifying
      // WITH, a second statement) fails on the server instead of changing the catalog's database
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (Statement set = c.createStatement()) {
        set.execute("SET TRANSACTION READ ONLY");
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(catalog.query())) {
        ResultSetMetaData md = rs.getMetaData();
        Set<String> columns = new HashSet<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          columns.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT));
        }
        for (String required : List.of("id", "url", "fingerprint")) {
          if (!columns.contains(required)) {
            throw new ConfigException(
                catalog.file(),
                catalog.line(),
                where,
                "the catalog query returns no column '"
                    + required
                    + "' (it must return id, url, fingerprint and may return wave)");
          }
        }
        boolean hasWave = columns.contains("wave");
        int row = 0;
        while (rs.next()) {
          row++;
          if (row > MAX_TARGETS) {
            throw new ConfigException(
                catalog.file(),
                catalog.line(),
                where,
                "the catalog query returns more than " + MAX_TARGETS + " targets");
          }
          out.add(row(fleet, catalog, where, row, rs, hasWave));
        }
      } finally {
        c.rollback();
      }
    }
    return out;
  }

  private static FleetConfig.Target row(
      FleetConfig fleet,
      FleetConfig.Catalog catalog,
      String where,
      int row,
      ResultSet rs,
      boolean hasWave)
      throws SQLException {
    String id = rs.getString("id");
    String at = "row " + row + (id == null ? "" : " (id '" + id + "')");
    if (id == null || !ID.matcher(id).matches()) {
      throw new ConfigException(
          catalog.file(),
          catalog.line(),
          where,
          at + ": target ids are lower-case letters, digits, '-' and '_'");
    }
    String url = rs.getString("url");
    if (url == null || url.isBlank()) {
      throw new ConfigException(catalog.file(), catalog.line(), where, at + ": no url");
    }
    String fingerprint = rs.getString("fingerprint");
    Optional<String> fp = Optional.ofNullable(fingerprint).filter(s -> !s.isBlank());
    if (fp.isPresent() && !Fingerprints.valid(id, fp.get())) {
      throw new ConfigException(
          catalog.file(),
          catalog.line(),
          where,
          at + ": the fingerprint is malformed (expected '" + id + "-' and 16 to 64 hex digits)");
    }
    String wave = fleet.waves().get(fleet.waves().size() - 1);
    if (hasWave) {
      String w = rs.getString("wave");
      if (w != null && !w.isBlank()) {
        if (!fleet.waves().contains(w)) {
          throw new ConfigException(
              catalog.file(),
              catalog.line(),
              where,
              at + ": wave '" + w + "' is not in the fleet's waves " + fleet.waves());
        }
        wave = w;
      }
    }
    ConfigValue u = new ConfigValue(url, catalog.file(), catalog.line(), where + " (" + at + ")");
    u.variables(); // a malformed ${...} is an error now, not at its turn
    java.util.regex.Matcher ref = REF.matcher(url);
    while (ref.find()) {
      String part = url.equals(ref.group()) ? "url" : partOf(url, ref.start(), ref.end());
      if (!part.equals("url") && !part.equals("password")) {
        // G3: the row chooses the host; a secret in any other part is sent to it in clear (the
        // user name, the database, a parameter) or chooses where it goes (the host)
        throw new ConfigException(
            catalog.file(),
            catalog.line(),
            where,
            at
                + ": its url reads ${"
                + ref.group(1)
                + "} in its "
                + part
                + " (G3): in a catalog row a ${VAR} may stand only for the whole url or for its"
                + " password, so whoever writes the catalog cannot place a CI secret where the"
                + " connection sends it elsewhere or shows it. Write that part of the row"
                + " literally, or put the whole url in a variable the fleet lists in"
                + " catalog.variables");
      }
    }
    for (String v : u.variables()) {
      if (!catalog.variables().contains(v)) {
        throw new ConfigException(
            catalog.file(),
            catalog.line(),
            where,
            at
                + ": its url reads ${"
                + v
                + "}, which the fleet's catalog.variables does not list:"
                + " a catalog may read only the variables its fleet declares (otherwise whoever"
                + " writes the catalog could send any secret of the CI job to a host of theirs)");
      }
    }
    return new FleetConfig.Target(
        id, u, Optional.empty(), fp, wave, catalog.file(), catalog.line());
  }
}
