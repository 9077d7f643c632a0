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

/**
 * What the rules know about the repository besides the file in hand: its root, {@code
 * prodguard.yml} and the contract when they exist, and the list of files the scan covers.
 *
 * @param configPath repository-relative path of prodguard.yml (also when it does not exist)
 * @param contractPath repository-relative path of the contract (also when it does not exist)
 * @param files every listed file (tracked by git, or on disk outside .git), skipped ones included
 * @param git whether the file list came from git
 */
public record ScanContext(
    Path root,
    Optional<ProdguardConfig> config,
    String configPath,
    Optional<Contract> contract,
    String contractPath,
    Set<String> files,
    boolean git) {

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

  /** prodguard's own files: they define the protected variables and the exceptions. */
  public boolean isProdguardFile(String path) {
    return path.equals(configPath) || path.equals(contractPath);
  }
}
