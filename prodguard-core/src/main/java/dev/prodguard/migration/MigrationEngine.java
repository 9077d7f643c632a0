package dev.prodguard.migration;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The migration tool behind the pipeline (Flyway in {@code prodguard-flyway}). It owns what a
 * migration is: which files of the snapshot it runs and in which order ({@link #discover}), its
 * history table, and the artifacts that make a hand-run of it fail ({@link #guardArtifacts}). It
 * works only on the snapshot it is given ({@link MigrationFiles}, read once) and only through
 * connections prodguard hands it, and it never loosens its own safety settings from the
 * environment. {@code lint}, {@code verify} and {@code deploy} all see the files through it.
 */
public interface MigrationEngine {

  /** Name and version for receipts, e.g. {@code flyway 13.12.0}. */
  String name();

  /**
   * Problems with what is already applied (an applied migration edited or deleted, one skipped, a
   * failed one left behind). Empty when valid.
   */
  List<String> validate(MigrationFiles files, DataSource dataSource);

  /**
   * Loads what the engine's first command needs (its classes, its configuration machinery) without
   * reading files or connecting, so that a process can do it on another thread while it connects;
   * changes nothing any command reads or decides.
   */
  default void warmUp() {}

  /**
   * This engine, letting exactly the contract's reviewed history entries ({@code history:}) through
   * {@link #validate} and {@link #migrate}: each one version in one state, nothing wider. An engine
   * that cannot tell such states apart returns itself and reports no {@link #irregularHistory}, so
   * no entry lets anything through: its own validation refuses every irregular entry (fail closed).
   */
  default MigrationEngine reviewing(List<Contract.HistoryEntry> history) {
    return this;
  }

  /**
   * This engine with the settings of {@code config} that it hands the migration tool as its own
   * ({@code migrations.schemas}, {@code migrations.default-schema}); itself when it has none.
   */
  default MigrationEngine configuredBy(dev.prodguard.config.ProdguardConfig config) {
    return this;
  }

  /**
   * The entries of the target's history in a state a contract must review ({@link
   * Contract.HistoryState}): applied and deleted since, skipped below the applied versions, applied
   * by a newer release, a baseline. Reads the history; changes nothing.
   */
  default List<HistoryFact> irregularHistory(MigrationFiles files, DataSource dataSource) {
    return List.of();
  }

  /**
   * One irregular history entry.
   *
   * @param version as the engine prints it ({@code 3}, {@code 1.2})
   */
  record HistoryFact(String version, Contract.HistoryState state, String description) {
    public String label() {
      return "V" + version + " " + state.id() + " (" + description + ")";
    }
  }

  /** What {@link #migrate} would apply, in order. */
  List<PendingMigration> pending(MigrationFiles files, DataSource dataSource);

  /**
   * {@link #validate} and, when it finds nothing, {@link #pending}, read together where the engine
   * can (one set of reads of the target's history instead of two).
   */
  default Validated validateAndPending(MigrationFiles files, DataSource dataSource) {
    List<String> problems = validate(files, dataSource);
    return new Validated(problems, problems.isEmpty() ? pending(files, dataSource) : List.of());
  }

  /**
   * @param problems what {@link #validate} reports; empty when what is applied matches the files
   * @param pending the pending set; empty when there are problems
   * @param version the newest version applied to the target, when the engine tells it
   */
  record Validated(
      List<String> problems, List<PendingMigration> pending, Optional<String> version) {
    public Validated {
      problems = List.copyOf(problems);
      pending = List.copyOf(pending);
    }

    public Validated(List<String> problems, List<PendingMigration> pending) {
      this(problems, pending, Optional.empty());
    }
  }

  /**
   * The engine's schema history table (Flyway: {@code flyway_schema_history}), qualified as {@code
   * schema.table} when it lives in another schema than the connection's (Flyway's default schema,
   * {@code migrations.default-schema}), else in the schema prodguard's objects live in. G6 guards
   * it with triggers so that only a guarded deploy writes it; empty for an engine that keeps no
   * such table.
   */
  default Optional<String> historyTable() {
    return Optional.empty();
  }

  /**
   * Refuses (G7, {@link dev.prodguard.db.GuardRefusal}) a database whose history is not where the
   * configuration says but under another name the engine recognises (Flyway: {@code
   * schema_version}, or a table with Flyway's history columns, without {@code migrations.table}
   * naming it). Reads the catalog only. Nothing to refuse by default.
   *
   * @throws java.sql.SQLException when the catalog cannot be read
   */
  default void requireHistoryWhereConfigured(java.sql.Connection c) throws java.sql.SQLException {}

  /**
   * What the engine makes of each file of the snapshot, needing no connection: migrations in the
   * order the engine applies them (Flyway: versioned by version, repeatable by description, undo),
   * then callbacks, then the rest. A callback exactly as {@link #guardArtifacts} writes it for a
   * database of {@code kind} is a {@link MigrationSource.Role#GUARD_ARTIFACT}.
   *
   * @throws dev.prodguard.config.ConfigException when two migrations share a version (the engine
   *     would refuse them too)
   */
  MigrationSources discover(MigrationFiles files, DatabaseKind kind);

  /**
   * The files that make a hand-run of this engine fail on a protected database of this kind (G6),
   * written by {@code init-fingerprint} and required by {@code verify} and {@code deploy}; empty
   * for an engine that has none (then only the database-side guards stop a hand-run).
   */
  default List<GuardArtifact> guardArtifacts(DatabaseSupport d) {
    return List.of();
  }

  /**
   * Where each of {@link #guardArtifacts} stands in the first migration location ({@code status},
   * {@code check}): missing, modified or as written, and stale files the engine knows next to it
   * (Flyway: a {@code beforeMigrate.sql} of an earlier prodguard). Reads only.
   */
  default List<GuardArtifactFiles.Check> checkGuardArtifacts(
      ProdguardConfig config, DatabaseSupport d) {
    return guardArtifacts(d).stream().map(a -> GuardArtifactFiles.check(config, a)).toList();
  }

  /**
   * Writes each of {@link #guardArtifacts} into the first migration location unless it is already
   * exactly as written ({@code init-fingerprint}), and removes stale files of the engine's that
   * prodguard itself wrote earlier; a user's own files stay.
   */
  default List<GuardArtifactFiles.Write> writeGuardArtifacts(
      ProdguardConfig config, DatabaseSupport d) {
    return guardArtifacts(d).stream().map(a -> GuardArtifactFiles.write(config, a)).toList();
  }

  /**
   * The statements the engine will send for this file to a database of this kind, in order, as its
   * own parser splits them at migrate time; needs no connection. {@code lint} and {@code verify}
   * check prodguard's analysis against them (G4), so what was judged is what runs. A file the
   * engine cannot read is a {@link EngineStatements#failed failure}, not an exception.
   */
  EngineStatements statements(MigrationFile file, DatabaseKind kind);

  /**
   * As {@link #statements(MigrationFile, DatabaseKind)}, with the file's script configuration and
   * the placeholder values of {@code files}, the snapshot the file belongs to.
   */
  default EngineStatements statements(MigrationFiles files, MigrationFile file, DatabaseKind kind) {
    return statements(file, kind);
  }

  /**
   * The text of {@code file} as the server will receive it: decoded, placeholders replaced as the
   * engine replaces them ({@link ScriptText}); needs no connection. {@code lint} and {@code verify}
   * analyse this text. By default the bytes as UTF-8, nothing replaced.
   */
  default ScriptText text(MigrationFiles files, MigrationFile file) {
    return ScriptText.utf8(file.bytes());
  }

  /**
   * Applies the pending migrations.
   *
   * @throws MigrationFailure when a migration fails; what was applied before is in it
   */
  Report migrate(MigrationFiles files, DataSource dataSource);

  /**
   * {@link #migrate}, telling {@code listener} as each migration starts and ends (the deploy's
   * progress). An engine that cannot tell leaves the listener silent.
   */
  default Report migrate(MigrationFiles files, DataSource dataSource, Listener listener) {
    return migrate(files, dataSource);
  }

  /**
   * The project's callbacks that a migrate run again would run again outside the migrations'
   * transactions (Flyway: {@code beforeMigrate}, {@code beforeValidate}, {@code
   * afterEachMigrateError}, ...): what they changed in the failed attempt stays. Callbacks that run
   * inside each migration's transaction (Flyway: {@code beforeEachMigrate}, {@code
   * afterEachMigrate} and the per-statement events) are rolled back with it and are not listed. The
   * default, for an engine that cannot tell, lists every callback (fail closed: no retry).
   */
  default List<MigrationSource> callbacksOutsideMigrations(
      MigrationFiles files, DatabaseKind kind) {
    return discover(files, kind).all().stream()
        .filter(s -> s.role() == MigrationSource.Role.CALLBACK)
        .toList();
  }

  /**
   * The event of a callback ({@link MigrationSource.Role#CALLBACK}) that the engine runs on every
   * migrate, nothing pending included (Flyway: {@code beforeMigrate}, {@code afterMigrate}, {@code
   * beforeValidate}, ...): an application that migrates at start-up runs it at every start. Empty
   * for other files and for callbacks that run only when a migration is applied ({@code
   * beforeEachMigrate}, {@code afterMigrateApplied}, ...).
   */
  default Optional<String> everyMigrateEvent(MigrationSource source) {
    return Optional.empty();
  }

  /**
   * The event of a callback ({@link MigrationSource.Role#CALLBACK}) that the engine runs only when
   * an operation fails (Flyway: {@code afterMigrateError}, {@code afterEachMigrateError}, {@code
   * afterEachMigrateStatementError}, ...): on the target, after a failure trace's copy may never
   * reproduce. Empty for other files.
   */
  default Optional<String> errorEvent(MigrationSource source) {
    return Optional.empty();
  }

  /**
   * The project's callbacks ({@link MigrationSource.Role#CALLBACK}, not prodguard's own guard
   * artifacts) with when the deploy's migrate runs each, in the order the engine runs those of one
   * moment. The default, for an engine that cannot tell, says {@link
   * MigrateCallback.Moment#UNKNOWN} for each (trace then stops as incomplete: fail closed).
   */
  default List<MigrateCallback> migrateCallbacks(MigrationFiles files, DatabaseKind kind) {
    return discover(files, kind).all().stream()
        .filter(s -> s.role() == MigrationSource.Role.CALLBACK)
        .map(s -> new MigrateCallback(s, MigrateCallback.Moment.UNKNOWN, s.file().fileName()))
        .toList();
  }

  /**
   * Whether the migration that failed ran inside a transaction that the failure rolled back, so
   * that running it again starts from the same state (Flyway: the migration was executable in a
   * transaction). False when the engine cannot tell.
   */
  default boolean failedInTransaction(MigrationFailure failure) {
    return false;
  }

  /** Hears each migration of a {@link #migrate} as it starts and ends. */
  interface Listener {
    /** {@code migration}: {@code V5 orders shipped}, {@code R views}. */
    default void started(String migration) {}

    default void ended(String migration, long millis, boolean applied) {}

    Listener NONE = new Listener() {};
  }

  /**
   * Removes the history's record of the failed migration {@code script} (Flyway records a failed
   * migration that ran outside a transaction, and refuses every later migrate until it is gone), so
   * that the next deploy runs it again. prodguard calls it only when nothing of that migration
   * remains in the database.
   *
   * @return whether such a record was there and is now gone
   */
  default boolean forgetFailed(MigrationFiles files, DataSource dataSource, String script) {
    return false;
  }

  /**
   * The scripts whose history entry records a failed migration (Flyway records one that ran outside
   * a transaction, or on a database without transactional DDL, and refuses every later migrate
   * until it is gone). Reads the history; changes nothing.
   */
  default List<String> failedMigrations(MigrationFiles files, DataSource dataSource) {
    return List.of();
  }

  /** One applied migration. */
  record Applied(Optional<String> version, String description, String script, long millis) {
    /** {@code V3 add orders}, {@code B3 baseline} (a baseline migration), {@code R views}. */
    public String label() {
      String name =
          script.substring(Math.max(script.lastIndexOf('/'), script.lastIndexOf('\\')) + 1);
      return version.map(v -> (name.startsWith("B") ? "B" : "V") + v).orElse("R")
          + " "
          + description;
    }
  }

  /** What a migrate did. */
  record Report(List<Applied> applied, String engine) {
    public Report {
      applied = List.copyOf(applied);
    }
  }

  /**
   * Where a failed migration failed: its script (as in {@link Applied#script()}) and the 1-based
   * line of the statement the server refused; empty when the engine does not say (a Java migration,
   * a failure outside a statement).
   */
  default Optional<FailedStatement> failedStatement(MigrationFailure failure) {
    return Optional.empty();
  }

  /** The statement a migration failed on. */
  record FailedStatement(String script, int line) {}

  /** A migration failed; those in {@code applied} succeeded before it. */
  final class MigrationFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Applied> applied;

    public MigrationFailure(String message, List<Applied> applied, Throwable cause) {
      super(message, cause);
      this.applied = List.copyOf(applied);
    }

    public List<Applied> applied() {
      return applied;
    }
  }
}
