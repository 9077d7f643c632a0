package dev.prodguard.config;

import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code fleets:} in prodguard.yml (DESIGN section 12): a named set of databases that
 * run the same migrations, each with its own fingerprint. Every target is promoted as an
 * environment of its own: {@link #environmentOf(Target)} gives it the fleet's {@code protected},
 * {@code hosts} and {@code database}, so G1–G10 hold per target exactly as for a named environment.
 *
 * @param name the fleet's name (same syntax as an environment name)
 * @param isProtected {@code protected:} (default true: a fleet is production's shape)
 * @param hosts {@code hosts:} G3 host patterns every target URL must match when used outside CI
 * @param waves {@code waves:} the rollout order; a target names its wave, default the last one
 * @param failureThreshold {@code failure-threshold:} how many targets may fail before the rollout
 *     halts (default 0: the first failure halts it after the targets already running end)
 * @param parallel {@code parallel:} targets promoted at once (default four per core, 4 to 16,
 *     {@link FleetConfigLoader#defaultParallel}; {@code --parallel} wins)
 * @param targets the static {@code targets:} list (may be empty when {@code catalog:} is set)
 * @param catalog {@code catalog:} where the dynamic targets are read, when set
 */
public record FleetConfig(
    String name,
    boolean isProtected,
    List<String> hosts,
    Optional<dev.prodguard.db.DatabaseKind> database,
    List<String> waves,
    Threshold failureThreshold,
    int parallel,
    List<Target> targets,
    Optional<Catalog> catalog,
    String file,
    int line) {

  /** The default wave list: one wave holding every target. */
  public static final List<String> DEFAULT_WAVES = List.of("all");

  public FleetConfig {
    hosts = List.copyOf(hosts);
    waves = List.copyOf(waves);
    targets = List.copyOf(targets);
  }

  /**
   * One database of the fleet: {@code id} doubles as its environment name (its fingerprint starts
   * with it, its runs and audit name it), {@code url} and {@code deploy-url} may use {@code ${VAR}}
   * as an environment's do.
   */
  public record Target(
      String id,
      ConfigValue url,
      Optional<ConfigValue> deployUrl,
      Optional<String> fingerprint,
      String wave,
      String file,
      int line) {}

  /**
   * {@code catalog: { environment: E, query: "select id, url, fingerprint[, wave] ..." }}: the
   * targets are the rows the query returns on environment {@code E} (a read, through G2 and G3 like
   * any other connection). Column {@code url} may hold {@code ${VAR}} references (credentials stay
   * in the environment), but only to the variables listed in {@code variables:}: whoever writes the
   * catalog must not be able to send any other secret of the CI job to a host of their choosing.
   */
  /**
   * {@code catalog:}: where a dynamic fleet reads its targets.
   *
   * @param allowEmpty {@code catalog.allow-empty}: a query that returns no row is a fleet of no
   *     catalog targets, not a refusal (default false: an empty read is a catalog that lost its
   *     rows or a wrong {@code where}, and a rollout over it would end green with no target done)
   */
  public record Catalog(
      String environment,
      String query,
      List<String> variables,
      boolean allowEmpty,
      String file,
      int line) {
    public Catalog {
      variables = List.copyOf(variables);
    }
  }

  /**
   * {@code failure-threshold}: a count ({@code 3}) or a share of the targets ({@code 5%}).
   *
   * @param count failures allowed when {@code percent} is false
   * @param percent true when {@code value} is a percentage of the targets in the rollout
   */
  public record Threshold(int value, boolean percent) {
    public static final Threshold NONE = new Threshold(0, false);

    /** Failures allowed among {@code targets} targets, before the rollout halts. */
    public int allowed(int targets) {
      return percent ? (int) Math.floor(targets * value / 100.0) : value;
    }

    @Override
    public String toString() {
      return percent ? value + "%" : Integer.toString(value);
    }
  }

  /**
   * True when {@code e} is one of this fleet's targets as {@link #environmentOf} made it: a listed
   * target by id, a catalog target by the catalog query it came from (its file and line).
   */
  public boolean isTarget(EnvironmentConfig e) {
    for (Target t : targets) {
      if (t.id().equals(e.name()) && t.file().equals(e.file()) && t.line() == e.line()) {
        return true;
      }
    }
    return catalog.isPresent()
        && catalog.get().file().equals(e.file())
        && catalog.get().line() == e.line();
  }

  /**
   * {@link #isTarget} for many environments: the targets' ids, files and lines are put in a set
   * once, so testing every environment of a fleet of hundreds of targets stays linear (G3 checks a
   * target's URL against every other environment before each step).
   */
  public java.util.function.Predicate<EnvironmentConfig> targetTest() {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (Target t : targets) {
      keys.add(t.id() + "\u0000" + t.file() + "\u0000" + t.line());
    }
    return e ->
        keys.contains(e.name() + "\u0000" + e.file() + "\u0000" + e.line())
            || (catalog.isPresent()
                && catalog.get().file().equals(e.file())
                && catalog.get().line() == e.line());
  }

  /** The environment a target is promoted as: the fleet's settings with the target's URL. */
  public EnvironmentConfig environmentOf(Target t) {
    return new EnvironmentConfig(
        t.id(),
        t.url(),
        t.deployUrl(),
        t.fingerprint(),
        isProtected,
        hosts,
        database,
        t.file(),
        t.line());
  }
}
