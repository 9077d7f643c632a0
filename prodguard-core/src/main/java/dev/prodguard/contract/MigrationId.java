package dev.prodguard.contract;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Flyway migration identity as written in a contract exception or derived from a file name:
 * {@code V42}, {@code V1.2.3} (or {@code V1_2_3}), {@code U42}, or {@code R__description}. Versions
 * compare like Flyway's: numerically per part, trailing zero parts ignored.
 */
public record MigrationId(Kind kind, List<BigInteger> version, String description) {
  public enum Kind {
    VERSIONED,
    UNDO,
    REPEATABLE
  }

  public MigrationId {
    version = List.copyOf(version);
  }

  /** Parses {@code V42}, {@code V1_2}, {@code U3}, {@code R__name}; empty when malformed. */
  public static Optional<MigrationId> parse(String text) {
    if (text == null || text.length() < 2) {
      return Optional.empty();
    }
    char prefix = Character.toUpperCase(text.charAt(0));
    String rest = text.substring(1);
    if (prefix == 'R') {
      if (!rest.startsWith("__") || rest.length() == 2) {
        return Optional.empty();
      }
      return Optional.of(new MigrationId(Kind.REPEATABLE, List.of(), normalise(rest.substring(2))));
    }
    if (prefix != 'V' && prefix != 'U') {
      return Optional.empty();
    }
    return parseVersion(rest)
        .map(v -> new MigrationId(prefix == 'V' ? Kind.VERSIONED : Kind.UNDO, v, ""));
  }

  /**
   * The identity of a Flyway SQL file name ({@code V42__add_orders.sql}); empty when the name does
   * not follow Flyway's naming (then Flyway would not run it either).
   */
  public static Optional<MigrationId> ofFileName(String fileName) {
    int sep = fileName.indexOf("__");
    if (sep < 1 || !fileName.toLowerCase(Locale.ROOT).endsWith(".sql")) {
      return Optional.empty();
    }
    String head = fileName.substring(0, sep);
    String desc = fileName.substring(sep + 2, fileName.length() - 4);
    char prefix = head.charAt(0);
    if (prefix == 'R' && head.length() == 1) {
      return Optional.of(new MigrationId(Kind.REPEATABLE, List.of(), normalise(desc)));
    }
    if (prefix != 'V' && prefix != 'U') {
      return Optional.empty();
    }
    Optional<List<BigInteger>> v = parseVersion(head.substring(1));
    return v.map(
        version ->
            new MigrationId(prefix == 'V' ? Kind.VERSIONED : Kind.UNDO, version, normalise(desc)));
  }

  private static Optional<List<BigInteger>> parseVersion(String s) {
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

  /** True when a contract entry (this) names the migration {@code file}. */
  public boolean covers(MigrationId file) {
    if (kind != file.kind) {
      return false;
    }
    return kind == Kind.REPEATABLE
        ? description.equals(file.description)
        : version.equals(file.version);
  }

  /** Flyway's order: versioned by version, then repeatable by description; undo last. */
  public static int flywayOrder(MigrationId a, MigrationId b) {
    if (a.kind != b.kind) {
      return Integer.compare(rank(a.kind), rank(b.kind));
    }
    if (a.kind == Kind.REPEATABLE) {
      return a.description.compareTo(b.description);
    }
    return compareVersions(a.version, b.version);
  }

  private static int rank(Kind k) {
    return switch (k) {
      case VERSIONED -> 0;
      case REPEATABLE -> 1;
      case UNDO -> 2;
    };
  }

  static int compareVersions(List<BigInteger> a, List<BigInteger> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      BigInteger x = i < a.size() ? a.get(i) : BigInteger.ZERO;
      BigInteger y = i < b.size() ? b.get(i) : BigInteger.ZERO;
      int c = x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** How the contract and reports write it: {@code V1.2}, {@code U3}, {@code R__views}. */
  @Override
  public String toString() {
    if (kind == Kind.REPEATABLE) {
      return "R__" + description.replace(' ', '_');
    }
    StringBuilder sb = new StringBuilder(kind == Kind.VERSIONED ? "V" : "U");
    for (int i = 0; i < version.size(); i++) {
      sb.append(i == 0 ? "" : ".").append(version.get(i));
    }
    return sb.toString();
  }
}
