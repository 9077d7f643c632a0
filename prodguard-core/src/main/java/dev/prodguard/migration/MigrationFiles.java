package dev.prodguard.migration;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A snapshot of every {@code .sql} file in the configured migration locations, and of the script
 * configuration files beside them ({@code V3__x.sql.conf}), read once, with the placeholder values
 * of the run ({@link Placeholders}). The engine is given these bytes and values, never the folders
 * or the environment, so a file or value changed after hashing cannot run.
 */
public final class MigrationFiles {
  /**
   * The largest migration file prodguard reads, in bytes (256 MiB). A file is analysed whole, as
   * Flyway reads it whole; a larger one is refused by name instead of running the JVM out of memory
   * (or past the largest array it can hold, 2 GiB) halfway through.
   */
  public static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

  private final Map<String, MigrationFile> byPath;
  private final Map<String, Path> folders;
  private final Placeholders placeholders;

  private MigrationFiles(
      Map<String, MigrationFile> byPath, Map<String, Path> folders, Placeholders placeholders) {
    this.byPath = byPath;
    this.folders = folders;
    this.placeholders = placeholders;
  }

  /** The placeholder values of this run ({@code migrations.placeholders}). */
  public Placeholders placeholders() {
    return placeholders;
  }

  /** The same files with other placeholder values. */
  public MigrationFiles with(Placeholders values) {
    return new MigrationFiles(byPath, folders, java.util.Objects.requireNonNull(values));
  }

  public static MigrationFiles of(List<MigrationFile> files) {
    return of(files, Map.of());
  }

  /** {@code folders}: where each location is on disk, so that reports can name the files. */
  private static MigrationFiles of(List<MigrationFile> files, Map<String, Path> folders) {
    Map<String, MigrationFile> m = new LinkedHashMap<>();
    for (MigrationFile f : files) {
      MigrationFile previous = m.putIfAbsent(f.relativePath(), f);
      if (previous != null) {
        throw new ConfigException(
            "migration file "
                + f.relativePath()
                + " exists in two locations ("
                + previous.location()
                + " and "
                + f.location()
                + "); which one would run is ambiguous");
      }
    }
    return new MigrationFiles(m, Map.copyOf(folders), Placeholders.NONE);
  }

  /**
   * Reads the configured locations (folders relative to prodguard.yml, or {@code filesystem:}),
   * with {@code migrations.placeholders} resolved from {@code env}.
   */
  public static MigrationFiles read(ProdguardConfig config, Map<String, String> env) {
    return read(config).with(Placeholders.resolve(config.placeholders(), env));
  }

  private static MigrationFiles read(ProdguardConfig config) {
    List<MigrationFile> files = new ArrayList<>();
    Map<String, Path> folders = new LinkedHashMap<>();
    for (String location : config.migrationLocations()) {
      Path dir = resolve(config, location);
      folders.put(location, dir);
      readFolder(dir, location, files);
    }
    return of(files, folders);
  }

  /**
   * Files and folders named on a command line ({@code prodguard lint PATHS}): a folder is read like
   * a location, a file as the one file of its folder.
   *
   * @throws ConfigException when a path does not exist
   */
  public static MigrationFiles read(List<Path> paths) {
    List<MigrationFile> files = new ArrayList<>();
    Map<String, Path> folders = new LinkedHashMap<>();
    for (Path given : paths) {
      Path p = given.toAbsolutePath().normalize();
      if (Files.isDirectory(p)) {
        String location = given.toString();
        folders.put(location, p);
        readFolder(p, location, files);
      } else if (Files.isRegularFile(p)) {
        Path parent = p.getParent();
        String location = String.valueOf(given.toAbsolutePath().getParent());
        folders.put(location, parent);
        try {
          files.add(new MigrationFile(p.getFileName().toString(), location, bytes(p, given)));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + given, e);
        }
      } else {
        throw new ConfigException(given.toString(), 0, null, "no such file or directory");
      }
    }
    return of(files, folders);
  }

  /**
   * The bytes of {@code file}, named {@code shown} in errors.
   *
   * @throws ConfigException when the file is larger than {@link #MAX_FILE_BYTES}
   */
  private static byte[] bytes(Path file, Path shown) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new ConfigException(
          shown.toString(),
          0,
          null,
          String.format(
              java.util.Locale.ROOT,
              "%.1f MiB, larger than the %d MiB a migration file may be: prodguard analyses a file"
                  + " whole, as Flyway reads it; split it into several migrations",
              size / (1024.0 * 1024.0),
              MAX_FILE_BYTES / (1024 * 1024)));
    }
    return Files.readAllBytes(file);
  }

  private static void readFolder(Path given, String location, List<MigrationFile> files) {
    Path dir;
    try {
      dir = given.toRealPath(); // a location that is itself a link: walked where it points
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration location " + given, e);
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> all = walk.toList();
      for (Path p : all) {
        requireNoFolderLink(p);
      }
      List<Path> regular = all.stream().filter(Files::isRegularFile).toList();
      for (Path p : regular) {
        requireLowerCaseSuffix(p);
        requireNoScript(p);
      }
      List<Path> sql =
          regular.stream()
              .filter(
                  p ->
                      p.getFileName().toString().endsWith(".sql")
                          || p.getFileName().toString().endsWith(".sql.conf"))
              .sorted()
              .toList();
      // read on every core (thousands of small files are mostly system calls), kept in order
      files.addAll(
          sql.parallelStream()
              .map(
                  p -> {
                    String rel = dir.relativize(p).toString().replace('\\', '/');
                    try {
                      return new MigrationFile(rel, location, bytes(p, p));
                    } catch (IOException e) {
                      throw new UncheckedIOException("cannot read " + p, e);
                    }
                  })
              .toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration location " + dir, e);
    }
  }

  /**
   * The suffixes of the scripts Flyway runs from its locations besides SQL (Flyway 13's script
   * migrations and callbacks: {@code V2__x.sh}, {@code afterMigrate.ps1}), matched ignoring case.
   */
  public static final List<String> SCRIPT_SUFFIXES =
      List.of(".sh", ".bash", ".py", ".ps1", ".cmd", ".bat");

  /** Whether Flyway would run a file of this name as a script migration or callback. */
  public static boolean isScript(String fileName) {
    String lower = fileName.toLowerCase(java.util.Locale.ROOT);
    return SCRIPT_SUFFIXES.stream().anyMatch(lower::endsWith);
  }

  /**
   * Flyway runs a shell, Python, PowerShell or batch file in its locations as a script migration or
   * callback ({@code afterMigrate.sh} on every migrate); prodguard cannot judge what a script does
   * to the database, so the set would hold a change nobody judged (G4, G7): refused by name.
   *
   * @throws ConfigException naming the file, for a script suffix Flyway runs
   */
  private static void requireNoScript(Path p) {
    String name = p.getFileName().toString();
    if (isScript(name)) {
      throw new ConfigException(
          p.toString(),
          0,
          null,
          "is a script (one of "
              + String.join(" ", SCRIPT_SUFFIXES)
              + ") in a migration location: Flyway runs it as a script migration or callback, and"
              + " prodguard cannot judge what a script does to the database (G4); move it out of"
              + " the migration locations and write the change as a SQL migration");
    }
  }

  /**
   * A symbolic link to a folder inside a location: Flyway follows it and runs the scripts behind
   * it, while prodguard's walk does not descend into it, so they would run unjudged (G4, G7).
   *
   * @throws ConfigException naming the link
   */
  private static void requireNoFolderLink(Path p) {
    if (Files.isSymbolicLink(p) && Files.isDirectory(p)) {
      throw new ConfigException(
          p.toString(),
          0,
          null,
          "is a symbolic link to a folder inside a migration location: Flyway follows it and runs"
              + " the files behind it, which prodguard would not read (G4); replace the link with"
              + " the files themselves, or add the folder it points to to migrations.locations");
    }
  }

  /**
   * Flyway matches a script's suffix ignoring case: it runs {@code afterMigrate.SQL} as a callback
   * and {@code V2__x.Sql} as a migration. prodguard reads the lower-case suffix only, so such a
   * file would run without being judged, hashed into the set or shown (G4, G7): refused by name.
   *
   * @throws ConfigException naming the file, for a {@code .sql} or {@code .sql.conf} suffix in
   *     another case
   */
  private static void requireLowerCaseSuffix(Path p) {
    String name = p.getFileName().toString();
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    for (String suffix : List.of(".sql", ".sql.conf")) {
      if (lower.endsWith(suffix) && !name.endsWith(suffix)) {
        throw new ConfigException(
            p.toString(),
            0,
            null,
            "ends in '"
                + name.substring(name.length() - suffix.length())
                + "': Flyway reads a suffix in any case and would run it, prodguard reads only '"
                + suffix
                + "' and would not judge it; rename it to end in '"
                + suffix
                + "'");
      }
    }
  }

  /**
   * How reports name {@code file}: its path on disk when its location was read from a folder, else
   * {@code location/relativePath}.
   */
  public String shown(MigrationFile file) {
    Path folder = folders.get(file.location());
    return folder == null ? file.toString() : folder.resolve(file.relativePath()).toString();
  }

  /**
   * The folder of a configured location: relative to prodguard.yml, {@code filesystem:} likewise,
   * {@code classpath:X} as {@code src/main/resources/X} (as {@code lint} reads it).
   */
  public static Path resolve(ProdguardConfig config, String location) {
    Path dir = config.locationFolder(location);
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(
          config.file(),
          0,
          "migrations.locations",
          "migration location '" + location + "' (" + dir + ") is not a folder");
    }
    return dir;
  }

  public List<MigrationFile> all() {
    return List.copyOf(byPath.values());
  }

  public Optional<MigrationFile> find(String relativePath) {
    return Optional.ofNullable(byPath.get(relativePath));
  }

  /** The script configuration of {@code script} ({@code <script>.conf}), if there is one. */
  public Optional<MigrationFile> scriptConfiguration(MigrationFile script) {
    return find(script.relativePath() + ".conf");
  }
}
