package dev.prodguard.lint;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.MigrationId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds Flyway SQL migrations (V, R, U) and callbacks in locations, in Flyway's order. */
public final class MigrationFiles {
  private static final Pattern CALLBACK =
      Pattern.compile("(before|after)[A-Za-z]*(__[^/]*)?\\.sql", Pattern.CASE_INSENSITIVE);

  private MigrationFiles() {}

  /** A SQL file with its Flyway identity (empty for callbacks and other SQL files). */
  public record MigrationFile(Path path, Optional<MigrationId> id) {}

  /**
   * Every migration and callback under the locations ({@code filesystem:} prefixes accepted),
   * sorted like Flyway: versioned by version, repeatable by description, undo, then callbacks. Two
   * files with the same version are an error, as they are for Flyway.
   */
  public static List<MigrationFile> find(List<Path> locations) {
    List<MigrationFile> out = new ArrayList<>();
    for (Path location : locations) {
      if (!Files.isDirectory(location)) {
        throw new ConfigException(
            location.toString(), 0, "migrations.locations", "migration location not found");
      }
      try (Stream<Path> walk = Files.walk(location)) {
        walk.filter(Files::isRegularFile)
            .filter(p -> p.getFileName().toString().toLowerCase().endsWith(".sql"))
            .forEach(
                p -> {
                  String name = p.getFileName().toString();
                  Optional<MigrationId> id = MigrationId.ofFileName(name);
                  if (id.isPresent() || CALLBACK.matcher(name).matches()) {
                    out.add(new MigrationFile(p, id));
                  }
                });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + location, e);
      }
    }
    return sort(out);
  }

  /** Explicit paths: files as given, directories expanded like locations. */
  public static List<MigrationFile> of(List<Path> paths) {
    List<MigrationFile> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        out.addAll(find(List.of(p)));
      } else if (Files.isRegularFile(p)) {
        out.add(new MigrationFile(p, MigrationId.ofFileName(p.getFileName().toString())));
      } else {
        throw new ConfigException(p.toString(), 0, null, "no such file or directory");
      }
    }
    return sort(out);
  }

  static List<MigrationFile> sort(List<MigrationFile> files) {
    List<MigrationFile> sorted = new ArrayList<>(files);
    sorted.sort(
        Comparator.<MigrationFile, Integer>comparing(f -> f.id().isPresent() ? 0 : 1)
            .thenComparing(
                (a, b) ->
                    a.id().isPresent() && b.id().isPresent()
                        ? MigrationId.flywayOrder(a.id().get(), b.id().get())
                        : 0)
            .thenComparing(f -> f.path().toString()));
    for (int i = 1; i < sorted.size(); i++) {
      Optional<MigrationId> a = sorted.get(i - 1).id();
      Optional<MigrationId> b = sorted.get(i).id();
      if (a.isPresent()
          && b.isPresent()
          && a.get().kind() != MigrationId.Kind.REPEATABLE
          && MigrationId.flywayOrder(a.get(), b.get()) == 0) {
        throw new ConfigException(
            sorted.get(i).path().toString(),
            0,
            null,
            "found more than one migration with version "
                + b.get()
                + " ("
                + sorted.get(i - 1).path().getFileName()
                + ", "
                + sorted.get(i).path().getFileName()
                + "): Flyway refuses this too");
      }
    }
    return sorted;
  }
}
