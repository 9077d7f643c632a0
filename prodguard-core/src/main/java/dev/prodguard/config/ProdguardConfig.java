package dev.prodguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The loaded, validated {@code prodguard.yml}. Paths are resolved against the file's folder. */
public record ProdguardConfig(
    Path file,
    Map<String, EnvironmentConfig> environments,
    List<String> migrationLocations,
    Path contract,
    CiConfig ci,
    Pipeline pipeline,
    Backup backup) {

  public ProdguardConfig {
    environments =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environments));
    migrationLocations = List.copyOf(migrationLocations);
  }

  /** {@code pipeline:} time limits of verification and backup. */
  public record Pipeline(Duration verificationTtl, Duration backupTtl) {}

  /** {@code backup:} where dumps go and whether to restore-check them. */
  public record Backup(Path directory, boolean restoreCheck) {}

  public Path baseDir() {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of(".") : parent;
  }

  public Optional<EnvironmentConfig> find(String name) {
    return Optional.ofNullable(environments.get(name));
  }

  /** The environment by name, or a usage error listing the ones that exist. */
  public EnvironmentConfig environment(String name) {
    EnvironmentConfig env = environments.get(name);
    if (env == null) {
      throw new ConfigException(
          file,
          0,
          "environments." + name,
          "no environment '"
              + name
              + "' in "
              + file.getFileName()
              + " (defined: "
              + String.join(", ", environments.keySet())
              + ")");
    }
    return env;
  }
}
