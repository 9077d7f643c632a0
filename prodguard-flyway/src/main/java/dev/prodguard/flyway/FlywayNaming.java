package dev.prodguard.flyway;

import dev.prodguard.contract.MigrationId;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Flyway's SQL migration naming, as prodguard configures Flyway (default prefixes {@code V}, {@code
 * U}, {@code B}, {@code R}, separator {@code __}, suffix {@code .sql}): {@code
 * V1.2__add_orders.sql} is version 1.2 (also written {@code V1_2}), {@code B1.20__baseline.sql} a
 * baseline migration of version 1.20, {@code R__views.sql} a repeatable migration. Versions compare
 * numerically per part, trailing zero parts ignored, as Flyway's {@code MigrationVersion} does.
 */
final class FlywayNaming {
  private FlywayNaming() {}

  /**
   * The identity of a file name ({@code V42__add_orders.sql}); empty when the name does not follow
   * Flyway's naming (then Flyway does not run it as a migration).
   */
  static Optional<MigrationId> migrationId(String fileName) {
    int sep = fileName.indexOf("__");
    if (sep < 1 || !fileName.toLowerCase(Locale.ROOT).endsWith(".sql")) {
      return Optional.empty();
    }
    String head = fileName.substring(0, sep);
    String desc = fileName.substring(sep + 2, fileName.length() - 4);
    char prefix = head.charAt(0);
    if (prefix == 'R' && head.length() == 1) {
      return Optional.of(
          new MigrationId(MigrationId.Kind.REPEATABLE, List.of(), MigrationId.normalise(desc)));
    }
    MigrationId.Kind kind = MigrationId.versionedKind(prefix);
    if (kind == null) {
      return Optional.empty();
    }
    Optional<List<BigInteger>> v = MigrationId.parseVersion(head.substring(1));
    return v.map(version -> new MigrationId(kind, version, MigrationId.normalise(desc)));
  }

  /**
   * Flyway's order: versioned and baseline migrations by version (at one version, the baseline
   * migration first), then repeatable by description; undo last. Zero only for two files Flyway
   * refuses side by side (two migrations of one kind and version, or one repeatable description).
   */
  static int order(MigrationId a, MigrationId b) {
    if (rank(a.kind()) != rank(b.kind())) {
      return Integer.compare(rank(a.kind()), rank(b.kind()));
    }
    if (a.kind() == MigrationId.Kind.REPEATABLE) {
      return a.description().compareTo(b.description());
    }
    int byVersion = MigrationId.compareVersions(a.version(), b.version());
    if (byVersion != 0 || a.kind() == b.kind()) {
      return byVersion;
    }
    return a.kind() == MigrationId.Kind.BASELINE ? -1 : 1;
  }

  private static int rank(MigrationId.Kind k) {
    return switch (k) {
      case VERSIONED, BASELINE -> 0;
      case REPEATABLE -> 1;
      case UNDO -> 2;
    };
  }
}
