package dev.prodguard.migration;

import java.util.Optional;

/**
 * A migration the engine would apply next, in order.
 *
 * @param version empty for a repeatable migration
 */
public record PendingMigration(Optional<String> version, String description, MigrationFile file) {

  /** {@code V3 add orders} / {@code B3 baseline} / {@code R refresh views}. */
  public String label() {
    return version.map(v -> (file.fileName().startsWith("B") ? "B" : "V") + v).orElse("R")
        + " "
        + description;
  }
}
