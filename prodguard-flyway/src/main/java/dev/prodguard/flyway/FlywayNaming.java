package dev.prodguard.flyway;

import dev.prodguard.contract.MigrationId;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Flyway's SQL migration naming, as prodguard configures Flyway (default prefixes {@code V}, {@code
 * U}, {@code R}, separator {@code __}, suffix {@code .sql}): {@code V1.2__add_orders.sql} is
 * version 1.2 (also written {@code V1_2}), {@code R__views.sql} a repeatable migration. Versions
 * compare numerically per part, trailing zero parts ignored, as Flyway's {@code MigrationVersion}
 * does.
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
    if (prefix != 'V' && prefix != 'U') {
      return Optional.empty();
    }
    Optional<List<BigInteger>> v = MigrationId.parseVersion(head.substring(1));
    return v.map(
        version ->
            new MigrationId(
                prefix == 'V' ? MigrationId.Kind.VERSIONED : MigrationId.Kind.UNDO,
                version,
                MigrationId.normalise(desc)));
  }

  /** Flyway's order: versioned by version, then repeatable by description; undo last. */
  static int order(MigrationId a, MigrationId b) {
    if (a.kind() != b.kind()) {
      return Integer.compare(rank(a.kind()), rank(b.kind()));
    }
    if (a.kind() == MigrationId.Kind.REPEATABLE) {
      return a.description().compareTo(b.description());
    }
    return MigrationId.compareVersions(a.version(), b.version());
  }

  private static int rank(MigrationId.Kind k) {
    return switch (k) {
      case VERSIONED -> 0;
      case REPEATABLE -> 1;
      case UNDO -> 2;
    };
  }
}
