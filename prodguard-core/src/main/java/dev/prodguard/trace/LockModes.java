package dev.prodguard.trace;

import java.util.List;

/**
 * PostgreSQL's table lock modes ({@code pg_locks.mode}), weakest first, and what each blocks for
 * other sessions (PostgreSQL documentation, "Explicit Locking", table-level lock modes).
 */
final class LockModes {
  static final List<String> ORDER =
      List.of(
          "AccessShareLock",
          "RowShareLock",
          "RowExclusiveLock",
          "ShareUpdateExclusiveLock",
          "ShareLock",
          "ShareRowExclusiveLock",
          "ExclusiveLock",
          "AccessExclusiveLock");

  private LockModes() {}

  /** The mode's rank, weakest 0; -1 for none (null) or a mode this list does not know. */
  static int strength(String mode) {
    return mode == null ? -1 : ORDER.indexOf(mode);
  }

  /** {@code AccessExclusiveLock} → {@code ACCESS EXCLUSIVE}. */
  static String sqlName(String mode) {
    String m = mode.endsWith("Lock") ? mode.substring(0, mode.length() - 4) : mode;
    return m.replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(java.util.Locale.ROOT);
  }

  /** What other sessions cannot do while the lock is held; null when it blocks neither. */
  static String blocks(String mode) {
    return switch (mode) {
      case "AccessExclusiveLock" -> "reads and writes";
      case "ExclusiveLock", "ShareRowExclusiveLock", "ShareLock" -> "writes";
      default -> null;
    };
  }
}
