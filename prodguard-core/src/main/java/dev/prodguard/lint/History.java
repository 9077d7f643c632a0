package dev.prodguard.lint;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.Adoption;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.migration.MigrationSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The contract's reviewed baseline applied to discovered migrations: versioned and undo migrations
 * at or below its version are history ({@code lint} reads them only for the routines they define),
 * the rest is judged. Repeatable migrations and callbacks are always judged: they run again.
 *
 * @param judged what lint and verify analyse against the contract
 * @param history what the baseline makes history, in the engine's order
 */
public record History(List<MigrationSource> judged, List<MigrationSource> history) {

  public History {
    judged = List.copyOf(judged);
    history = List.copyOf(history);
  }

  /**
   * Splits every migration of the locations (as {@code lint} without arguments discovered them).
   *
   * @throws ConfigException naming the contract's line when the baseline names no versioned
   *     migration among {@code sources}: a baseline above the newest migration would make every
   *     future one history; or when a history entry can match no database with these files ({@link
   *     #requirePossibleEntries})
   */
  public static History of(List<MigrationSource> sources, Contract contract) {
    requirePossibleEntries(contract, sources);
    Optional<Adoption.Baseline> baseline = contract.adoption().baselineIfAny();
    if (baseline.isEmpty()) {
      return new History(sources, List.of());
    }
    requireExisting(baseline.get(), sources);
    List<MigrationSource> judged = new ArrayList<>();
    List<MigrationSource> history = new ArrayList<>();
    for (MigrationSource s : sources) {
      (isHistory(s, baseline.get()) ? history : judged).add(s);
    }
    return new History(judged, history);
  }

  /**
   * A finding in a history file that means the file will not run as written on {@code kind}'s
   * server, whatever the database holds: a certain deploy failure ({@code deploy-will-fail}), or on
   * MySQL/MariaDB a statement that starts with {@code --} not followed by a space (the server reads
   * a comment only with the space: a syntax error). History is not judged for style, but a new
   * environment replays it, and such a replay would stop part way.
   */
  public static boolean wouldFailAsWritten(
      dev.prodguard.findings.Finding f, dev.prodguard.db.DatabaseKind kind) {
    if (f.rule().equals(dev.prodguard.lint.rules.Rules.DEPLOY_WILL_FAIL.id())) {
      return true;
    }
    return dev.prodguard.sql.SqlSyntax.of(kind).dashCommentNeedsSpace()
        && f.rule().equals(dev.prodguard.contract.RuleIds.UNKNOWN_STATEMENT)
        && f.excerpt().matches("(?s)--[^\\s-].*");
  }

  /** True when the baseline makes {@code source} history. */
  public static boolean isHistory(MigrationSource source, Adoption.Baseline baseline) {
    return source.role().migration() && source.id().map(baseline::covers).orElse(false);
  }

  /**
   * The baseline must name a versioned or baseline migration ({@code B1.20__x.sql}) that exists
   * (Flyway's version comparison).
   */
  public static void requireExisting(Adoption.Baseline baseline, List<MigrationSource> sources) {
    boolean exists =
        sources.stream()
            .map(MigrationSource::id)
            .flatMap(Optional::stream)
            .anyMatch(
                id ->
                    (id.kind() == MigrationId.Kind.VERSIONED
                            || id.kind() == MigrationId.Kind.BASELINE)
                        && MigrationId.compareVersions(id.version(), baseline.version().version())
                            == 0);
    if (!exists) {
      throw new ConfigException(
          baseline.file(),
          baseline.line(),
          "baseline.version",
          "the baseline names "
              + baseline.version()
              + ", which is not a migration of the locations: name the last migration that ran in"
              + " production (a baseline above the newest migration would make future ones"
              + " history)");
    }
  }

  /**
   * The contract's history entries that no database can hold with these files, known without any
   * database (as {@code verify} and {@code status} judge them per target, pipeline {@code
   * HistoryEntries}): a {@code missing} or {@code future} version whose versioned file is among
   * {@code sources}, an {@code ignored} one whose file is not.
   *
   * @throws ConfigException naming the entry's line in the contract
   */
  public static void requirePossibleEntries(Contract contract, List<MigrationSource> sources) {
    for (Contract.HistoryEntry e : contract.history()) {
      Optional<MigrationId> v = MigrationId.parse("V" + e.version().replace('_', '.'));
      if (v.isEmpty()) {
        continue; // the loader names a malformed version itself
      }
      Optional<MigrationSource> file =
          sources.stream()
              .filter(s -> s.role() == MigrationSource.Role.VERSIONED)
              .filter(
                  s ->
                      s.id()
                          .map(
                              id ->
                                  MigrationId.compareVersions(id.version(), v.get().version()) == 0)
                          .orElse(false))
              .findFirst();
      String why =
          switch (e.state()) {
            case MISSING, FUTURE ->
                file.map(
                        f ->
                            "its migration file "
                                + f.shown()
                                + " is there, so no database can hold it "
                                + e.state().id()
                                + ": remove the entry (the file was restored) or the file")
                    .orElse(null);
            case IGNORED ->
                file.isEmpty()
                    ? "there is no migration file of that version, so no database can hold it"
                        + " ignored: remove the entry"
                    : null;
            case BASELINE -> null;
          };
      if (why != null) {
        throw new ConfigException(
            e.file(),
            e.line(),
            "history",
            "the contract's history entry " + e.label() + " matches no database: " + why);
      }
    }
  }
}
