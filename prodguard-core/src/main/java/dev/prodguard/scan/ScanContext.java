package dev.prodguard.scan;

import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.db.HostPattern;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the rules know about the repository besides the file in hand: its root, {@code
 * prodguard.yml} and the contract when they exist, and the list of files the scan covers.
 *
 * @param configPath repository-relative path of prodguard.yml (also when it does not exist)
 * @param contractPath repository-relative path of the contract (also when it does not exist)
 * @param files every listed file (tracked by git, or on disk outside .git), skipped ones included
 * @param git whether the file list came from git
 * @param testDatabases which test code provisions its own throwaway databases
 */
public record ScanContext(
    Path root,
    Optional<ProdguardConfig> config,
    String configPath,
    Optional<Contract> contract,
    String contractPath,
    Set<String> files,
    boolean git,
    TestDatabases testDatabases) {

  /** Flyway's default location, and prodguard's when there is no prodguard.yml. */
  public static final String DEFAULT_LOCATION = "db/migration";

  public ScanContext {
    files = Set.copyOf(files);
  }

  public boolean isMutationScript(String path) {
    return contract.map(c -> c.isMutationScript(path)).orElse(false);
  }

  /**
   * The variables in the URLs of protected environments ({@code PROD_DATABASE_URL}, and {@code
   * deploy-url}'s).
   */
  public Set<String> protectedVariables() {
    Set<String> out = new LinkedHashSet<>();
    for (EnvironmentConfig e : protectedEnvironments()) {
      out.addAll(e.urlVariables());
    }
    return out;
  }

  /**
   * Conventional names of production database URL variables ({@code PROD_DATABASE_URL}, {@code
   * PRODUCTION_DATABASE_URL}, {@code APP_PROD_DB_URL}, {@code DB_PRODUCTION_JDBC_URL}): a segment
   * {@code PROD} or {@code PRODUCTION} and a last segment {@code URL}, {@code URI} or {@code DSN}.
   * Used where no {@code prodguard.yml} names the protected environments (a team's first scan).
   */
  public static final Pattern CONVENTIONAL_PRODUCTION_URL =
      Pattern.compile(
          "(?<![A-Za-z0-9_])((?:[A-Za-z0-9]+_)*(?i:prod|production)(?:_[A-Za-z0-9]+)*_(?i:url|uri|dsn))"
              + "(?![A-Za-z0-9_])");

  /**
   * Whether the URL variables of protected environments are known only by convention: there is no
   * {@code prodguard.yml} ({@link #CONVENTIONAL_PRODUCTION_URL}).
   */
  public boolean conventionalProductionVariables() {
    return config.isEmpty();
  }

  public List<HostPattern> protectedHosts() {
    List<HostPattern> out = new ArrayList<>();
    for (EnvironmentConfig e : protectedEnvironments()) {
      for (String h : e.hosts()) {
        out.add(new HostPattern(h));
      }
    }
    return out;
  }

  public List<EnvironmentConfig> protectedEnvironments() {
    return config
        .map(
            c -> {
              List<EnvironmentConfig> out =
                  new ArrayList<>(
                      c.environments().values().stream()
                          .filter(EnvironmentConfig::isProtected)
                          .toList());
              // a protected fleet's listed targets are protected environments too
              c.fleets().values().stream()
                  .filter(dev.prodguard.config.FleetConfig::isProtected)
                  .forEach(f -> f.targets().forEach(t -> out.add(f.environmentOf(t))));
              return out;
            })
        .orElse(List.of());
  }

  /** The migration location where prodguard's Flyway callback ({@code CallbackFile}) lives. */
  public String callbackLocation() {
    return config.map(c -> c.migrationLocations().get(0)).orElse(DEFAULT_LOCATION);
  }

  /** The folder where prodguard writes its local audit log and, by default, its backups. */
  public static final String OUTPUT_FOLDER = ".prodguard/";

  /**
   * Whether {@code path} is what prodguard itself writes: the local audit log ({@code
   * .prodguard/audit.jsonl}) and the backups ({@code .prodguard/backups/}, or the configured {@code
   * backup.directory} when it is inside {@code .prodguard/}). They hold the words the scan looks
   * for (refusals quote them) and are not code; any other file in {@code .prodguard/} is scanned.
   */
  public boolean isProdguardOutput(String path) {
    if (!path.startsWith(OUTPUT_FOLDER)) {
      return false;
    }
    if (path.equals(OUTPUT_FOLDER + "audit.jsonl") || path.startsWith(OUTPUT_FOLDER + "backups/")) {
      return true;
    }
    return config
        .map(c -> c.backup().directory().toAbsolutePath().normalize())
        .filter(d -> d.startsWith(root.resolve(OUTPUT_FOLDER)))
        .map(d -> root.resolve(path).toAbsolutePath().normalize().startsWith(d))
        .orElse(false);
  }

  /** prodguard's own files: they define the protected variables and the exceptions. */
  public boolean isProdguardFile(String path) {
    return path.equals(configPath) || path.equals(contractPath);
  }
}
