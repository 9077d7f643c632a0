package dev.prodguard.flyway;

import dev.prodguard.contract.Contract;
import dev.prodguard.migration.MigrationEngine.HistoryFact;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.baseline.BaselineMigrationType;

/**
 * The contract's reviewed history entries ({@code history:}) mapped onto Flyway's validation,
 * version by version.
 *
 * <p>Flyway's own knob, {@code ignoreMigrationPatterns}, is per type and state ({@code
 * versioned:missing}), never per version (Flyway 13, {@code ValidatePattern.matchesMigration}), so
 * it is never handed over as such:
 *
 * <ul>
 *   <li>{@code validate}: Flyway validates strictly, and prodguard drops exactly the invalid
 *       migrations whose version and state ({@link MigrationInfo#getState()}) a reviewed entry
 *       names;
 *   <li>{@code migrate}: Flyway validates again before it applies anything ({@code
 *       validateOnMigrate}); {@link #patterns} adds {@code versioned:<state>} only when every
 *       migration of the history in that state is reviewed, read from the history just before, on a
 *       deploy that holds the deploy lock (G8) and whose history table only guarded sessions may
 *       write (G6).
 * </ul>
 *
 * Flyway states: {@code MISSING_SUCCESS} is missing (applied, file deleted), {@code IGNORED} is
 * ignored (a file below the applied versions, which {@code outOfOrder(false)} never runs), {@code
 * FUTURE_SUCCESS} is future (applied, newer than every file), {@code BASELINE} is a baseline row
 * (other than prodguard's own version 0 of a schema that held only its metadata). Failed states are
 * never reviewable: a failed row is repaired, not accepted.
 */
final class ReviewedHistory {
  static final ReviewedHistory NONE = new ReviewedHistory(List.of());

  /** The description of prodguard's own baseline, {@code FlywayMigrationEngine} writes it. */
  static final String OWN_BASELINE = dev.prodguard.db.ProdguardOnlySchema.BASELINE_DESCRIPTION;

  private final List<Contract.HistoryEntry> entries;

  ReviewedHistory(List<Contract.HistoryEntry> entries) {
    this.entries = List.copyOf(entries);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The history's entries in a reviewable state, in Flyway's order. */
  static List<HistoryFact> facts(MigrationInfo[] all) {
    List<HistoryFact> out = new ArrayList<>();
    for (MigrationInfo i : all) {
      state(i)
          .ifPresent(
              s -> out.add(new HistoryFact(i.getVersion().getVersion(), s, i.getDescription())));
    }
    return out;
  }

  private static Optional<Contract.HistoryState> state(MigrationInfo i) {
    if (i.getVersion() == null || i.getType() instanceof BaselineMigrationType) {
      // A baseline migration (B5__x.sql) is Flyway's regular reading of the files: applied on a
      // fresh database (state BASELINE), ignored where history exists (IGNORED), as Flyway
      // validates them; nothing of it to review.
      return Optional.empty();
    }
    MigrationState s = i.getState();
    if (s == MigrationState.MISSING_SUCCESS) {
      return Optional.of(Contract.HistoryState.MISSING);
    }
    if (s == MigrationState.IGNORED) {
      return Optional.of(Contract.HistoryState.IGNORED);
    }
    if (s == MigrationState.FUTURE_SUCCESS) {
      return Optional.of(Contract.HistoryState.FUTURE);
    }
    if (s == MigrationState.BASELINE && !OWN_BASELINE.equals(i.getDescription())) {
      return Optional.of(Contract.HistoryState.BASELINE);
    }
    return Optional.empty();
  }

  /** True when {@code version} is in the history in the very state a reviewed entry names. */
  boolean covers(String version, List<HistoryFact> facts) {
    if (version == null || version.isEmpty()) {
      return false;
    }
    for (HistoryFact f : facts) {
      if (same(f.version(), version) && reviewed(f)) {
        return true;
      }
    }
    return false;
  }

  /** A reviewed entry names this fact's version and state. */
  boolean reviewed(HistoryFact f) {
    return entries.stream().anyMatch(e -> e.state() == f.state() && same(e.version(), f.version()));
  }

  /** Baselines of the history that no entry reviews, as validation problems. */
  List<String> unreviewedBaselines(List<HistoryFact> facts) {
    List<String> out = new ArrayList<>();
    for (HistoryFact f : facts) {
      if (f.state() == Contract.HistoryState.BASELINE && !reviewed(f)) {
        out.add(
            "V"
                + f.version()
                + " "
                + f.description()
                + ": the history starts with a baseline at version "
                + f.version()
                + " (the schema below it was not made by these migrations); not reviewed in the"
                + " contract's history");
      }
    }
    return out;
  }

  /**
   * The patterns migrate may use: {@code versioned:<state>} for each state whose every entry in
   * {@code facts} is reviewed (a baseline needs none: Flyway accepts it).
   */
  List<String> patterns(List<HistoryFact> facts) {
    Set<Contract.HistoryState> covered = EnumSet.noneOf(Contract.HistoryState.class);
    Set<Contract.HistoryState> uncovered = EnumSet.noneOf(Contract.HistoryState.class);
    for (HistoryFact f : facts) {
      (reviewed(f) ? covered : uncovered).add(f.state());
    }
    covered.removeAll(uncovered);
    covered.remove(Contract.HistoryState.BASELINE);
    return covered.stream().map(s -> "versioned:" + s.id()).toList();
  }

  static boolean same(String a, String b) {
    return MigrationVersion.fromVersion(a.replace('_', '.'))
        .equals(MigrationVersion.fromVersion(b.replace('_', '.')));
  }
}
