package dev.prodguard.flyway;

import dev.prodguard.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * The project's Flyway Java migrations, read from their sources ({@code migrations.java}): a class
 * {@code V3__Backfill_users} is version 3, description "Backfill users", as Flyway's {@code
 * BaseJavaMigration} names it; {@code R__Refresh} is repeatable. prodguard does not compile or run
 * them: each becomes a {@link Source} that Flyway resolves like the real class (same version,
 * description, no checksum, type JDBC), so an applied Java migration reads as applied, not as
 * missing. A pending one is refused by the engine before anything runs (G4): prodguard reads SQL
 * only, so the contract cannot judge what it would change.
 */
final class JavaSources {
  private static final Pattern NAME =
      Pattern.compile("([VR])([0-9][0-9_.]*)?__([A-Za-z0-9_]+)\\.(java|kt)");

  private JavaSources() {}

  /**
   * Every Java or Kotlin migration source directly in {@code folders} (Flyway scans a location's
   * package, not its subpackages' names as versions), sorted by name.
   *
   * @throws ConfigException when a folder cannot be listed
   */
  static List<Source> read(Path configFile, List<Path> folders) {
    List<Source> out = new ArrayList<>();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        throw new ConfigException(
            configFile, 0, "migrations.java", "'" + folder + "' is not a folder");
      }
      try (Stream<Path> files = Files.list(folder)) {
        for (Path f : files.sorted().toList()) {
          of(f).ifPresent(out::add);
        }
      } catch (IOException e) {
        throw new ConfigException(
            configFile, 0, "migrations.java", "cannot list '" + folder + "': " + e.getMessage());
      }
    }
    return out;
  }

  static Optional<Source> of(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    if (!m.matches()) {
      return Optional.empty();
    }
    boolean repeatable = m.group(1).equals("R");
    if (repeatable == (m.group(2) != null)) {
      return Optional.empty(); // V needs a version, R has none: Flyway skips such a class too
    }
    MigrationVersion version =
        repeatable ? null : MigrationVersion.fromVersion(m.group(2).replace('_', '.'));
    return Optional.of(new Source(file, version, m.group(3).replace('_', ' ')));
  }

  /**
   * One Java migration as Flyway resolves it, without its code. {@link #migrate} never runs: the
   * engine refuses a pending Java migration first; should Flyway reach it anyway, it fails.
   */
  static final class Source implements JavaMigration {
    private final Path file;
    private final MigrationVersion version;
    private final String description;

    Source(Path file, MigrationVersion version, String description) {
      this.file = file;
      this.version = version;
      this.description = description;
    }

    Path file() {
      return file;
    }

    String fileName() {
      return file.getFileName().toString();
    }

    @Override
    public MigrationVersion getVersion() {
      return version;
    }

    @Override
    public String getDescription() {
      return description;
    }

    @Override
    public Integer getChecksum() {
      return null; // BaseJavaMigration's default
    }

    @Override
    public boolean canExecuteInTransaction() {
      return true;
    }

    @Override
    public void migrate(Context context) {
      throw new FlywayException(
          "prodguard does not run Java migrations: " + fileName() + " was not deployed");
    }
  }
}
