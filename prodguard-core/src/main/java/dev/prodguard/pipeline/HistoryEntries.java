package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The contract's reviewed history entries ({@code history:}) against one target's history, as the
 * engine reads it ({@link MigrationEngine#irregularHistory}). One contract serves every database of
 * the project (production and a fresh staging, the old and the new tenants of a fleet), so an entry
 * for version {@code X} in state {@code S} is judged per target, on every environment alike:
 *
 * <ul>
 *   <li>it can never match any database with these files: an error everywhere (stale). A {@code
 *       missing} or {@code future} version whose file is there (the file was restored, the release
 *       rolled forward again), an {@code ignored} one whose file is not;
 *   <li>the target's history holds {@code X} in state {@code S}: the entry matches;
 *   <li>the target's history holds {@code X} in another reviewable state (a {@code future} version
 *       the entry calls {@code missing}): an error, the entry contradicts this history;
 *   <li>otherwise the target is not affected: it never ran the deleted or newer migration, it
 *       receives the ignored file in order or ran it, it was never baselined at {@code X}. A
 *       database that never applied a deleted migration has nothing to review; Flyway sees nothing
 *       irregular there either.
 * </ul>
 *
 * Failed rows are never reviewable: Flyway's validation refuses them whatever the contract says.
 */
final class HistoryEntries {
  private HistoryEntries() {}

  /** The contract's entries; none without a contract. */
  static List<Contract.HistoryEntry> of(ProdguardConfig config) {
    return ContractLoader.forConfig(config).map(Contract::history).orElse(List.of());
  }

  /** One line per entry that matches nothing here; empty when all match. */
  static List<String> unmatched(
      ProdguardConfig config,
      MigrationEngine engine,
      Target target,
      MigrationFiles files,
      DataSource reading) {
    List<Contract.HistoryEntry> entries = of(config);
    if (entries.isEmpty()) {
      return List.of();
    }
    List<MigrationEngine.HistoryFact> facts = engine.irregularHistory(files, reading);
    Set<java.util.List<java.math.BigInteger>> fileVersions = fileVersions(engine, target, files);
    List<String> out = new ArrayList<>();
    for (Contract.HistoryEntry e : entries) {
      MigrationId v = id(e.version());
      List<MigrationEngine.HistoryFact> here =
          facts.stream().filter(f -> id(f.version()).equals(v)).toList();
      if (here.stream().anyMatch(f -> f.state() == e.state())) {
        continue;
      }
      Optional<String> contradiction = contradiction(e, v, fileVersions);
      Optional<String> why =
          contradiction.or(
              () -> here.stream().findFirst().map(f -> "it is " + f.state().id() + " there"));
      if (why.isEmpty()) {
        continue; // not affected: this database never held the version in a reviewable state
      }
      out.add(
          "the contract's history entry "
              + e.label()
              + " ("
              + e.file()
              + " line "
              + e.line()
              + ") matches nothing in the history of '"
              + target.name()
              + "': "
              + why.get());
    }
    return out;
  }

  /**
   * One line per entry that the files alone contradict (a {@code missing} or {@code future} version
   * whose file is there, an {@code ignored} one whose file is not: no database can hold it so, as
   * lint refuses it), with the state this target holds the version in when it holds it in a
   * reviewable one; empty when none.
   */
  static List<String> impossible(
      ProdguardConfig config,
      MigrationEngine engine,
      Target target,
      MigrationFiles files,
      DataSource reading) {
    List<Contract.HistoryEntry> entries = of(config);
    if (entries.isEmpty()) {
      return List.of();
    }
    Set<java.util.List<java.math.BigInteger>> fileVersions = fileVersions(engine, target, files);
    List<MigrationEngine.HistoryFact> facts = null;
    List<String> out = new ArrayList<>();
    for (Contract.HistoryEntry e : entries) {
      Optional<String> contradiction = contradiction(e, id(e.version()), fileVersions);
      if (contradiction.isEmpty()) {
        continue;
      }
      if (facts == null) {
        facts = engine.irregularHistory(files, reading);
      }
      MigrationId v = id(e.version());
      Optional<MigrationEngine.HistoryFact> held =
          facts.stream().filter(f -> id(f.version()).version().equals(v.version())).findFirst();
      out.add(
          "the contract's history entry "
              + e.label()
              + " ("
              + e.file()
              + " line "
              + e.line()
              + ") matches nothing in the history of '"
              + target.name()
              + "', nor of any database: "
              + contradiction.get()
              + held.map(
                      f ->
                          "; '"
                              + target.name()
                              + "' holds it "
                              + f.state().id()
                              + " (Flyway's state), so the entry that reviews it there is {"
                              + " version: \""
                              + e.version()
                              + "\", state: "
                              + f.state().id()
                              + ", reason: \"...\" }")
                  .orElse(""));
    }
    return out;
  }

  private static Set<java.util.List<java.math.BigInteger>> fileVersions(
      MigrationEngine engine, Target target, MigrationFiles files) {
    // Versions only: the engine's ids carry the file's description too.
    return engine.discover(files, target.dialect().kind()).all().stream()
        .filter(s -> s.role() == MigrationSource.Role.VERSIONED)
        .map(s -> s.id().orElseThrow().version())
        .collect(Collectors.toSet());
  }

  private static Optional<String> contradiction(
      Contract.HistoryEntry e, MigrationId v, Set<java.util.List<java.math.BigInteger>> files) {
    return switch (e.state()) {
      case MISSING, FUTURE ->
          files.contains(v.version())
              ? Optional.of(
                  "its migration file is there, so no database can hold it " + e.state().id())
              : Optional.empty();
      case IGNORED ->
          files.contains(v.version())
              ? Optional.empty()
              : Optional.of(
                  "there is no migration file of that version, so no database can hold it"
                      + " ignored");
      case BASELINE -> Optional.empty();
    };
  }

  private static MigrationId id(String version) {
    return MigrationId.parse("V" + version.replace('_', '.'))
        .orElseThrow(() -> new IllegalArgumentException("not a version: " + version));
  }
}
