package dev.prodguard.lint;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.Adoption;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSource;
import java.util.ArrayList;
import java.util.Comparator;
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
   * @param files the snapshot {@code sources} come from (script configurations for the digest)
   * @throws ConfigException naming the contract's line when the baseline names no versioned
   *     migration among {@code sources}: a baseline above the newest migration would make every
   *     future one history; or when a history entry can match no database with these files ({@link
   *     #requirePossibleEntries})
   * @throws GuardRefusal (G4) when the history is not the reviewed one ({@link #requireReviewed})
   */
  public static History of(List<MigrationSource> sources, MigrationFiles files, Contract contract) {
    requirePossibleEntries(contract, sources);
    Optional<Adoption.Baseline> baseline = contract.adoption().baselineIfAny();
    if (baseline.isEmpty()) {
      return new History(sources, List.of());
    }
    requireReviewed(baseline.get(), sources, files);
    requireExistingExceptions(contract, baseline.get(), sources);
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
   * The files the baseline makes history, in version order (then undo before baseline migrations of
   * the same version, then by name): what {@code baseline.sha256} pins.
   */
  public static List<MigrationSource> historyFiles(
      Adoption.Baseline baseline, List<MigrationSource> sources) {
    return sources.stream()
        .filter(s -> isHistory(s, baseline))
        .sorted(
            Comparator.comparing(
                    (MigrationSource s) -> s.id().orElseThrow().version(),
                    MigrationId::compareVersions)
                .thenComparing(s -> s.id().orElseThrow().kind())
                .thenComparing(s -> s.file().relativePath()))
        .toList();
  }

  /**
   * SHA-256 of the history the baseline covers among {@code sources}: the history files in version
   * order, each with its script configuration, hashed by the migration set's own encoding ({@link
   * MigrationSet#sha256Of}). The value {@code baseline.sha256} must hold.
   */
  public static String sha256(
      Adoption.Baseline baseline, List<MigrationSource> sources, MigrationFiles files) {
    return MigrationSet.sha256Of(
        historyFiles(baseline, sources).stream().map(MigrationSource::file).toList(), files);
  }

  /**
   * G4: the baseline exempts only the history that was reviewed. It must name an existing migration
   * ({@link #requireExisting}), and {@code baseline.sha256} must be the digest of the history files
   * as they are now ({@link #sha256}): a history file edited, added, removed or given another
   * script configuration since review would otherwise run unjudged on any target where it is still
   * pending (a new environment, a tenant behind).
   *
   * @throws GuardRefusal (G4) for a baseline without {@code sha256} or with another digest, naming
   *     the digest of the history as it is now
   */
  public static void requireReviewed(
      Adoption.Baseline baseline, List<MigrationSource> sources, MigrationFiles files) {
    requireExisting(baseline, sources);
    List<MigrationSource> history = historyFiles(baseline, sources);
    String actual =
        MigrationSet.sha256Of(history.stream().map(MigrationSource::file).toList(), files);
    if (baseline.sha256IfAny().filter(actual::equals).isPresent()) {
      return;
    }
    String where = baseline.file() + ":" + baseline.line();
    String span =
        history.size()
            + (history.size() == 1 ? " file" : " files")
            + ", "
            + history.get(0).file().relativePath()
            + (history.size() > 1
                ? " ... " + history.get(history.size() - 1).file().relativePath()
                : "");
    String pin =
        "baseline: { version: \""
            + baseline.version().toString().substring(1)
            + "\", reason: \"...\", sha256: \""
            + actual
            + "\" }";
    if (baseline.sha256IfAny().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G4,
          "the contract's baseline " + baseline.version() + " (" + where + ")",
          "the baseline makes the migrations up to "
              + baseline.version()
              + " history that lint and verify do not judge, but it has no sha256: the history"
              + " is not pinned to what was reviewed, so a file at or below it edited or added"
              + " since would run unjudged on a target where it is still pending (a new"
              + " environment, a tenant behind)",
          "review the history (" + span + "), then pin it in the contract through review: " + pin);
    }
    throw new GuardRefusal(
        Guarantee.G4,
        "the contract's baseline " + baseline.version() + " (" + where + ")",
        "the history changed since the contract was reviewed: its "
            + span
            + " (with their script configuration) hash to "
            + actual
            + ", but baseline.sha256 is "
            + baseline.sha256()
            + ". A file at or below "
            + baseline.version()
            + " was edited, added, removed or renamed, and lint and verify would not judge it",
        "see what changed in the migration locations since the contract's review (git log -p);"
            + " a migration that ran in production is never edited, so revert the change, or,"
            + " when the new history is what was reviewed, write it in the contract: "
            + pin);
  }

  /**
   * An exception for a migration within the baseline covers it on a target behind the baseline (one
   * that got its history another way, where verify judges a pending history migration like a new
   * one); {@code lint} without arguments does not judge history, so it checks only that the named
   * migration is one of the history files.
   *
   * @throws ConfigException naming the exception's line when no history file has that version
   */
  static void requireExistingExceptions(
      Contract contract, Adoption.Baseline baseline, List<MigrationSource> sources) {
    for (Contract.MigrationException e : contract.exceptions()) {
      if (e.migration().kind() == MigrationId.Kind.REPEATABLE || !baseline.covers(e.migration())) {
        continue;
      }
      boolean exists =
          historyFiles(baseline, sources).stream()
              .map(s -> s.id().orElseThrow())
              .anyMatch(id -> e.migration().covers(id));
      if (!exists) {
        throw new ConfigException(
            e.file(),
            e.line(),
            "exceptions",
            "the exception names migration "
                + e.migration()
                + ", within the baseline ("
                + baseline.version()
                + "), which does not exist: remove it or fix the version");
      }
    }
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
