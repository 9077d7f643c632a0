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

  /**
   * The files the engine runs around migrations (SQL callbacks, prodguard's guard artifacts
   * included), in order: part of the migration set that verify hashes and deploy runs.
   */
  public List<MigrationFile> callbacks() {
    return all.stream()
        .filter(
            s ->
                s.role() == MigrationSource.Role.CALLBACK
                    || s.role() == MigrationSource.Role.GUARD_ARTIFACT)
        .map(MigrationSource::file)
        .toList();
  }

  /** The source of one file of the snapshot. */
  public Optional<MigrationSource> of(MigrationFile file) {
    return all.stream().filter(s -> s.file().equals(file)).findFirst();
  }
}
