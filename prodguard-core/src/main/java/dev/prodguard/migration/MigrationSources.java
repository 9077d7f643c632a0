package dev.prodguard.migration;

import java.util.List;
import java.util.Optional;

/**
 * Every file of one snapshot ({@link MigrationFiles}) as the engine discovered it: migrations in
 * the order the engine applies them, then callbacks and prodguard's guard artifacts, then the rest.
 * The one answer to "what is a migration" for {@code lint}, {@code verify} and {@code deploy}.
 */
public record MigrationSources(MigrationFiles files, List<MigrationSource> all) {

  public MigrationSources {
    all = List.copyOf(all);
  }

  /** What lint and verify analyse: migrations and callbacks, in order. */
  public List<MigrationSource> analysed() {
    return all.stream().filter(s -> s.role().analysed()).toList();
  }

  /** The source of one file of the snapshot. */
  public Optional<MigrationSource> of(MigrationFile file) {
    return all.stream().filter(s -> s.file().equals(file)).findFirst();
  }
}
