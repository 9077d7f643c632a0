package dev.prodguard.migration;

import java.util.Optional;

/**
 * A migration the engine would apply next, in order.
 *
 * @param version empty for a repeatable migration
 */
public record PendingMigration(Optional<String> version, String description, MigrationFile file) {

  /** {@code V3 add orders} / {@code R refresh views}. */
  public String label() {
    return version.map(v -> "V" + v).orElse("R") + " " + description;
  }
}
