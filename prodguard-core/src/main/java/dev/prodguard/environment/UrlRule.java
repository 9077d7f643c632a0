package dev.prodguard.environment;

import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.HostPattern;
import dev.prodguard.db.RunContext;
import java.util.List;
import java.util.function.Predicate;

/**
 * G3: refuses, before any socket opens, a URL that leads where its environment must not go: at
 * another environment's hosts, at another environment's database, or at a protected environment
 * from outside CI. Mutation commands are also refused while a protected environment's URL variable
 * sits in a non-CI shell. Whether the process is CI is G1's answer ({@code CiVerifiers#inCi}): with
 * {@code ci.mode: oidc} a verified token is CI, {@code CI=true} or not.
 */
public final class UrlRule {
  private UrlRule() {}

  public static void check(
      ProdguardConfig config,
      EnvironmentConfig target,
      DatabaseUrl url,
      RunContext context,
      boolean mutation,
      boolean inCi) {
    otherEnvironments(config, target, url, context);
    String what = "connect to environment '" + target.name() + "'";
    if (target.isProtected() && !inCi) {
      throw new GuardRefusal(
          Guarantee.G3,
          what,
          "'" + target.name() + "' is a protected environment and this process is not CI",
          "protected environments are reached only from the CI pipeline; run it there");
    }
    if (mutation && !inCi) {
      for (EnvironmentConfig other : config.environments().values()) {
        if (!other.isProtected() || other.name().equals(target.name())) {
          continue;
        }
        for (String variable : other.urlVariables()) {
          String value = context.get(variable);
          if (value != null && !value.isEmpty()) {
            throw new GuardRefusal(
                Guarantee.G3,
                "change environment '" + target.name() + "'",
                variable
                    + " (the URL of protected environment '"
                    + other.name()
                    + "') is set in this non-CI shell: one typo away from running against '"
                    + other.name()
                    + "'",
                "unset " + variable + " in this shell; only CI holds it");
          }
        }
      }
    }
  }

  /**
   * A protected fleet's targets are read only from CI: one refusal for the whole fleet, before the
   * catalog read or any target's connection, instead of the same G3 refusal once per target.
   *
   * @param what the command's action, for example {@code read the targets of fleet 'tenants'}
   * @throws GuardRefusal G3 when the fleet is protected and this process is not CI
   */
  public static void protectedFleet(FleetConfig fleet, String what, boolean inCi) {
    if (fleet.isProtected() && !inCi) {
      throw new GuardRefusal(
          Guarantee.G3,
          what,
          "fleet '"
              + fleet.name()
              + "' is protected (every target is a protected environment) and this process is"
              + " not CI",
          "protected fleets are reached only from the CI pipeline; run it there (or one target"
              + " of an unprotected fleet: protected: false)");
    }
  }

  /**
   * A target of a fleet with {@code hosts:} patterns names only hosts they match: every command
   * that connects to a target (promote, status, drift, audit, ...) is held to it, before any socket
   * opens.
   *
   * @throws GuardRefusal G3 when {@code url} names a host none of the fleet's patterns matches
   */
  public static void fleetHosts(FleetConfig fleet, String targetId, DatabaseUrl url) {
    if (fleet.hosts().isEmpty()) {
      return;
    }
    for (DatabaseUrl.HostPort hp : url.hosts()) {
      if (fleet.hosts().stream().noneMatch(g -> new HostPattern(g).matches(hp.host()))) {
        throw new GuardRefusal(
            Guarantee.G3,
            "connect to target '" + targetId + "' of fleet '" + fleet.name() + "'",
            "its URL names host "
                + hp.host()
                + ", which none of the fleet's host patterns "
                + fleet.hosts()
                + " matches",
            "point target '"
                + targetId
                + "' at a host of the fleet, or add its pattern to the fleet's hosts through"
                + " review");
      }
    }
  }

  /**
   * Rules 1 and 2 only: the URL of {@code target} must not name a host of another environment's
   * {@code hosts} patterns, nor lead to the same database as another environment's URL resolvable
   * in {@code context}. This is what an application is held to (the Spring Boot starter): it is
   * entitled to its own environment's database, protected or not, and refused every other one.
   *
   * @throws GuardRefusal G3, before anything connects
   */
  public static void otherEnvironments(
      ProdguardConfig config, EnvironmentConfig target, DatabaseUrl url, RunContext context) {
    String what = "connect to environment '" + target.name() + "'";
    // a fleet's host patterns belong to its targets: no other environment may name such a host
    for (FleetConfig fleet : config.fleets().values()) {
      if (fleet.isTarget(target)) {
        continue; // the fleet's patterns are its targets' own
      }
      for (String glob : fleet.hosts()) {
        HostPattern pattern = new HostPattern(glob);
        for (DatabaseUrl.HostPort hp : url.hosts()) {
          if (pattern.matches(hp.host())) {
            throw new GuardRefusal(
                Guarantee.G3,
                what,
                "the URL of '"
                    + target.name()
                    + "' names host "
                    + hp.host()
                    + ", which matches host pattern '"
                    + glob
                    + "' of fleet '"
                    + fleet.name()
                    + "'"
                    + variableNote(target),
                "point the URL of '" + target.name() + "' at a '" + target.name() + "' host");
          }
        }
      }
    }
    // the fleets the target belongs to, and a set-backed test of their other targets (built when
    // first needed): linear in the number of environments, not quadratic
    List<FleetConfig> ownFleets =
        config.fleets().values().stream().filter(f -> f.isTarget(target)).toList();
    for (FleetConfig fleet : ownFleets) {
      fleetHosts(fleet, target.name(), url);
    }
    Predicate<EnvironmentConfig> inOwnFleet = null;
    for (EnvironmentConfig other : config.environments().values()) {
      if (other.name().equals(target.name())) {
        continue;
      }
      boolean sameFleet = false;
      if (!other.hosts().isEmpty() && !ownFleets.isEmpty()) {
        if (inOwnFleet == null) {
          inOwnFleet =
              ownFleets.stream()
                  .map(FleetConfig::targetTest)
                  .reduce(Predicate::or)
                  .orElse(e -> false);
        }
        sameFleet = inOwnFleet.test(other);
      }
      for (String glob : other.hosts()) {
        if (sameFleet) {
          continue; // targets of one fleet share its patterns
        }
        HostPattern pattern = new HostPattern(glob);
        for (DatabaseUrl.HostPort hp : url.hosts()) {
          if (pattern.matches(hp.host())) {
            throw new GuardRefusal(
                Guarantee.G3,
                what,
                "the URL of '"
                    + target.name()
                    + "' names host "
                    + hp.host()
                    + ", which matches host pattern '"
                    + glob
                    + "' of environment '"
                    + other.name()
                    + "'"
                    + variableNote(target),
                "point the URL of '" + target.name() + "' at a '" + target.name() + "' host");
          }
        }
      }
      if (other.url().resolvable(context.env())) {
        DatabaseUrl otherUrl;
        try {
          otherUrl = other.url().databaseUrl(context.env());
        } catch (RuntimeException e) {
          continue; // the other environment's URL is reported when it is used
        }
        if (url.sameDatabaseAs(otherUrl)) {
          throw new GuardRefusal(
              Guarantee.G3,
              what,
              "the URL of '"
                  + target.name()
                  + "' leads to the same database as the URL of '"
                  + other.name()
                  + "' ("
                  + url.jdbcUrl()
                  + ")"
                  + variableNote(target),
              "give each environment its own database URL");
        }
      }
    }
  }

  /** Where the URL came from: its variables, or a fleet's catalog row (which may read some). */
  private static String variableNote(EnvironmentConfig target) {
    if (target.url().key().contains(".catalog.query")) {
      // a catalog target's URL is the row's, not its variables' (they hold only credentials)
      return " (its URL is from " + target.url().key() + ")";
    }
    var vars = target.url().variables();
    return vars.isEmpty() ? "" : " (from " + String.join(", ", vars) + ")";
  }
}
