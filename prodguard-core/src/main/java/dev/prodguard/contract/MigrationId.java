package dev.prodguard.contract;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A migration identity as written in a contract exception, or as the migration engine derives it
 * from a file (Flyway: {@code FlywayMigrationEngine#discover}): {@code V42}, {@code V1.2.3} (or
 * {@code V1_2_3}), {@code U42}, {@code R__description}, or a baseline migration {@code B1.20}
 * (Flyway's {@code B1_20__x.sql}: what a fresh database runs instead of every versioned migration
 * at or below its version). Versions compare like Flyway's: numerically per part, trailing zero
 * parts ignored.
 */
public record MigrationId(Kind kind, List<BigInteger> version, String description) {
  public enum Kind {
    VERSIONED,
    UNDO,
    REPEATABLE,
    /** Flyway's baseline migration ({@code B} prefix). */
    BASELINE
  }

  public MigrationId {
    version = List.copyOf(version);
  }

  // equals and hashCode as a record's own, written out: the generated ones are bootstrapped
  // through method handles on first use, which costs a short command (lint) tens of classes.
  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationId m
        && kind == m.kind
        && version.equals(m.version)
        && java.util.Objects.equals(description, m.description);
  }

  @Override
  public int hashCode() {
    return (java.util.Objects.hashCode(kind) * 31 + version.hashCode()) * 31
        + java.util.Objects.hashCode(description);
  }

  /**
   * Parses {@code V42}, {@code V1_2}, {@code U3}, {@code B1.20}, {@code R__name}; empty when
   * malformed.
   */
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
    Kind kind = versionedKind(prefix);
    if (kind == null) {
      return Optional.empty();
    }
    return parseVersion(rest).map(v -> new MigrationId(kind, v, ""));
  }

  /** The kind of a versioned prefix ({@code V}, {@code U}, {@code B}); null for any other. */
  public static Kind versionedKind(char prefix) {
    return switch (prefix) {
      case 'V' -> Kind.VERSIONED;
      case 'U' -> Kind.UNDO;
      case 'B' -> Kind.BASELINE;
      default -> null;
    };
  }

  /**
   * A version as Flyway reads it: digits separated by {@code .} or {@code _}, trailing zero parts
   * dropped ({@code 1.0} is {@code 1}); empty when {@code s} is not a version.
   */
  public static Optional<List<BigInteger>> parseVersion(String s) {
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

  /** A description as prodguard compares them: underscores as spaces, trimmed, lower case. */
  public static String normalise(String description) {
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

  /** Compares two versions part by part, numerically; missing parts count as zero. */
  public static int compareVersions(List<BigInteger> a, List<BigInteger> b) {
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

  /**
   * How the contract and reports write it: {@code V1.2}, {@code U3}, {@code B1.20}, {@code
   * R__views}.
   */
  @Override
  public String toString() {
    if (kind == Kind.REPEATABLE) {
      return "R__" + description.replace(' ', '_');
    }
    StringBuilder sb =
        new StringBuilder(
            switch (kind) {
              case VERSIONED -> "V";
              case UNDO -> "U";
              case BASELINE -> "B";
              case REPEATABLE -> throw new IllegalStateException();
            });
    for (int i = 0; i < version.size(); i++) {
      sb.append(i == 0 ? "" : ".").append(version.get(i));
    }
    return sb.toString();
  }
}
