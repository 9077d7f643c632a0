package dev.prodguard.pipeline;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSources;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * G4 for many targets of one snapshot (a fleet rollout): the analysis is a function of the files,
 * the pending set, the contract, the server family and the protection, and every target with the
 * same ones gets the same analysis, so it is made once and handed to each of them. Each target
 * still runs its own verify, which refuses on the analysis exactly as before. A contract with
 * {@code protected-tables} makes the analysis read the target's foreign keys and dependencies: then
 * every target is analysed on its own.
 */
public final class SharedAnalysis implements MigrationAnalyzer {
  private final MigrationAnalyzer analyzer;
  private final Map<Key, Optional<Analysis>> made = new ConcurrentHashMap<>();

  public SharedAnalysis(MigrationAnalyzer analyzer) {
    this.analyzer = Objects.requireNonNull(analyzer);
  }

  /**
   * @param files the snapshot, by identity (one read of the files)
   * @param contract SHA-256 of the contract file as it is now
   */
  private record Key(
      MigrationFiles files,
      String set,
      DatabaseKind kind,
      boolean protectedEnv,
      Optional<String> contract) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.files == files
          && k.set.equals(set)
          && k.kind == kind
          && k.protectedEnv == protectedEnv
          && k.contract.equals(contract);
    }

    @Override
    public int hashCode() {
      return Objects.hash(System.identityHashCode(files), set, kind, protectedEnv, contract);
    }
  }

  @Override
  public Analysis analyse(MigrationSet set, MigrationSources sources, Target target) {
    Key key =
        new Key(
            sources.files(),
            set.sha256(),
            target.dialect().kind(),
            target.environment().isProtected(),
            ContractHashAnalyzer.contractSha256(target.config()));
    Optional<Analysis> known = made.get(key);
    if (known != null) {
      return known.isPresent() ? known.get() : analyzer.analyse(set, sources, target);
    }
    Analysis a = analyzer.analyse(set, sources, target);
    boolean perTarget =
        ContractLoader.forConfig(target.config())
            .map(Contract::protectedTables)
            .map(t -> !t.isEmpty())
            .orElse(false);
    made.putIfAbsent(key, perTarget ? Optional.empty() : Optional.of(a));
    return a;
  }
}
