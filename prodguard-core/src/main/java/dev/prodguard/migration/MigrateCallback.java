package dev.prodguard.migration;

/**
 * A project callback (Flyway: a SQL callback such as {@code beforeMigrate.sql} in the migration
 * locations) and when the engine runs it during the deploy's migrate ({@link
 * MigrationEngine#migrateCallbacks}). {@code trace} replays the callbacks at these moments, so a
 * callback that locks or rewrites a table is traced like a migration (docs/trace.md).
 *
 * @param source the callback file, as {@link MigrationEngine#discover} found it
 * @param moment when a successful migrate runs it
 * @param event the engine's name for that moment ({@code beforeMigrate}), for messages
 */
public record MigrateCallback(MigrationSource source, Moment moment, String event) {

  /**
   * When a successful migrate runs a callback, in the order of a migrate (Flyway 13, {@code
   * DbValidate}, {@code DbMigrate}, {@code DefaultCallbackExecutor}, {@code
   * DefaultSqlScriptExecutor}).
   */
  public enum Moment {
    /**
     * Once, before the migrations, before the engine creates the schemas it lacks (Flyway: {@code
     * beforeValidate}, {@code afterValidate} of the validation on migrate, then {@code
     * createSchema}, {@code beforeCreateSchema}), in a session restored as before a migration, in
     * its own transaction unless it cannot run in one.
     */
    BEFORE_ALL,
    /**
     * Once, after the schemas are created, before the first migration (Flyway's {@code
     * beforeMigrate}); like {@link #BEFORE_ALL} otherwise.
     */
    BEFORE_MIGRATE,
    /** Inside each migration's transaction (its session), before its first statement. */
    BEFORE_EACH,
    /** Inside each migration's transaction, before each of its statements. */
    BEFORE_EACH_STATEMENT,
    /** Inside each migration's transaction, after each of its statements. */
    AFTER_EACH_STATEMENT,
    /** Inside each migration's transaction, after its last statement. */
    AFTER_EACH,
    /**
     * Once, between the last versioned and the first repeatable migration (and after the last
     * versioned one when no repeatable follows: Flyway's {@code afterVersioned}); like {@link
     * #BEFORE_ALL} otherwise.
     */
    AFTER_VERSIONED,
    /** Once, before the first repeatable migration; like {@link #BEFORE_ALL} otherwise. */
    BEFORE_REPEATABLES,
    /**
     * Once, after the migrations (Flyway: {@code afterMigrateApplied} when one was applied, then
     * {@code afterMigrate}, then {@code afterMigrateOperationFinish}); like {@link #BEFORE_ALL}
     * otherwise.
     */
    AFTER_ALL,
    /** Only when a migration fails (Flyway's {@code ...Error} events). */
    ON_ERROR,
    /** Not by migrate: by another command of the engine, which the deploy does not run. */
    NOT_IN_MIGRATE,
    /** The engine cannot say (trace is then incomplete: fail closed). */
    UNKNOWN
  }
}
