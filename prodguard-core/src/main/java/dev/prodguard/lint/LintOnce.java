package dev.prodguard.lint;

import dev.prodguard.contract.Contract;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One lint of the same inputs per process: verify's contract analysis and trace's judgement of the
 * same pending migrations (trace runs beside verify on its own thread) lint the same bytes with the
 * same rules, contract and protection; the second asks for the first's report (waiting while it is
 * being made) instead of linting everything again. The report is the one {@link
 * Linter#forEngine}{@code .lint(...)} gives for exactly these inputs: the snapshot of the files (by
 * identity: one reading, one hash), the engine, the dialect, the files linted and the context in
 * their order, the contract as parsed, the protection and {@code complete}. A linter given the
 * target's foreign keys, dependencies or partitions is never shared (its facts are not in the key).
 * A lint that failed is not kept: the next caller lints again and fails the same way (fail closed).
 * Only the last few reports are kept, so a long fleet rollout holds no more than that.
 */
public final class LintOnce {
  private static final int KEPT = 4;

  private record Key(
      MigrationFiles snapshot,
      Class<?> engine,
      DatabaseKind kind,
      List<MigrationSource> files,
      List<MigrationSource> context,
      Contract contract,
      boolean protectedEnv,
      boolean complete) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.snapshot == snapshot
          && k.engine == engine
          && k.kind == kind
          && k.protectedEnv == protectedEnv
          && k.complete == complete
          && k.files.equals(files)
          && k.context.equals(context)
          && k.contract.equals(contract);
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          System.identityHashCode(snapshot), engine, kind, files, context, protectedEnv, complete);
    }
  }

  private static final Map<Key, CompletableFuture<LintReport>> MADE =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<LintReport>> e) {
          return size() > KEPT;
        }
      };

  private LintOnce() {}

  /**
   * {@code Linter.forEngine(kind, engine, snapshot).lint(files, context, contract, protectedEnv,
   * complete)}, made once per process for the same inputs.
   */
  public static LintReport lint(
      DatabaseKind kind,
      MigrationEngine engine,
      MigrationFiles snapshot,
      List<MigrationSource> files,
      List<MigrationSource> context,
      Contract contract,
      boolean protectedEnv,
      boolean complete) {
    Key key =
        new Key(
            snapshot,
            engine.getClass(),
            kind,
            List.copyOf(files),
            List.copyOf(context),
            contract,
            protectedEnv,
            complete);
    CompletableFuture<LintReport> mine = new CompletableFuture<>();
    CompletableFuture<LintReport> known;
    synchronized (MADE) {
      known = MADE.putIfAbsent(key, mine);
    }
    if (known != null) {
      try (var t = dev.prodguard.db.PhaseTimer.start("lint made once, waited for")) {
        return known.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the lint", e);
      } catch (ExecutionException e) {
        // the first lint failed: this caller lints itself (and fails the same way, or passes)
        return Linter.forEngine(kind, engine, snapshot)
            .lint(files, context, contract, protectedEnv, complete);
      }
    }
    try {
      LintReport r =
          Linter.forEngine(kind, engine, snapshot)
              .lint(files, context, contract, protectedEnv, complete);
      mine.complete(r);
      return r;
    } catch (RuntimeException | Error e) {
      synchronized (MADE) {
        MADE.remove(key, mine);
      }
      mine.completeExceptionally(e);
      throw e;
    }
  }
}
