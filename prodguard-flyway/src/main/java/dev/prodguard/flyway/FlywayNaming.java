package dev.prodguard.flyway;

import dev.prodguard.contract.MigrationId;
import java.math.BigInteger;
import java.util.ArrayList;
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
      return Optional.of(new MigrationId(MigrationId.Kind.REPEATABLE, List.of(), normalise(desc)));
    }
    if (prefix != 'V' && prefix != 'U') {
      return Optional.empty();
    }
    Optional<List<BigInteger>> v = version(head.substring(1));
    return v.map(
        version ->
            new MigrationId(
                prefix == 'V' ? MigrationId.Kind.VERSIONED : MigrationId.Kind.UNDO,
                version,
                normalise(desc)));
  }

  private static Optional<List<BigInteger>> version(String s) {
    if (s.isEmpty()) {
      return Optional.empty();
    }
    List<BigInteger> parts = new ArrayList<>();
    for (String p : s.replace('_', '.').split("\\.", -1)) {
      if (p.isEmpty() || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Optional.empty();
      }
      parts.add(new BigInteger(p));
    }
    while (parts.size() > 1 && parts.get(parts.size() - 1).signum() == 0) {
      parts.remove(parts.size() - 1);
    }
    return Optional.of(parts);
  }

  private static String normalise(String description) {
    return description.replace('_', ' ').trim().toLowerCase(Locale.ROOT);
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
