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
 * engine reads it ({@link MigrationEngine#irregularHistory}). An entry matches when the target's
 * history holds its version in its state. On a protected environment an entry that matches nothing
 * is an error (a stale review must not wait for a history that would fit it); on an unprotected one
 * (a fresh dev database never ran the deleted migration) only when the files contradict it: a
 * {@code missing} or {@code future} version whose file is there, an {@code ignored} one whose file
 * is not.
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
    // Versions only: the engine's ids carry the file's description too.
    Set<java.util.List<java.math.BigInteger>> fileVersions =
        engine.discover(files, target.dialect().kind()).all().stream()
            .filter(s -> s.role() == MigrationSource.Role.VERSIONED)
            .map(s -> s.id().orElseThrow().version())
            .collect(Collectors.toSet());
    boolean strict = target.environment().isProtected();
    List<String> out = new ArrayList<>();
    for (Contract.HistoryEntry e : entries) {
      MigrationId v = id(e.version());
      boolean matched =
          facts.stream().anyMatch(f -> f.state() == e.state() && id(f.version()).equals(v));
      if (matched) {
        continue;
      }
      Optional<String> contradiction =
          switch (e.state()) {
            case MISSING, FUTURE ->
                fileVersions.contains(v.version())
                    ? Optional.of("its migration file is there")
                    : Optional.empty();
            case IGNORED ->
                fileVersions.contains(v.version())
                    ? Optional.empty()
                    : Optional.of("there is no migration file of that version");
            case BASELINE -> Optional.empty();
          };
      if (!strict && contradiction.isEmpty()) {
        continue;
      }
      String now =
          facts.stream()
              .filter(f -> id(f.version()).equals(v))
              .map(f -> "it is " + f.state().id() + " there")
              .findFirst()
              .orElse(contradiction.orElse("it is not " + e.state().id() + " there"));
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
              + now);
    }
    return out;
  }

  private static MigrationId id(String version) {
    return MigrationId.parse("V" + version.replace('_', '.'))
        .orElseThrow(() -> new IllegalArgumentException("not a version: " + version));
  }
}
