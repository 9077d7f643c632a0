package dev.prodguard.migration;

import dev.prodguard.contract.MigrationId;
import java.util.Optional;

/**
 * One file of the migration locations as the engine reads it ({@link MigrationEngine#discover}):
 * its bytes, read once, what the engine makes of it, and its identity.
 *
 * @param role what the engine does with the file
 * @param id the identity a contract exception names (Flyway: {@code V3}, {@code R__views}); empty
 *     for callbacks and files the engine does not run
 * @param shown the file as reports name it (its path on disk when it came from a folder)
 */
public record MigrationSource(
    MigrationFile file, Role role, Optional<MigrationId> id, String shown) {

  /** What the engine does with a file. */
  public enum Role {
    /** Applied once, in version order. */
    VERSIONED,
    /**
     * Flyway's baseline migration ({@code B5__x.sql}): on a database with no history, the latest
     * one is applied instead of every versioned migration at or below its version; ignored where
     * any migration is already applied.
     */
    BASELINE,
    /** Applied again whenever it changes, after the versioned ones. */
    REPEATABLE,
    /** Run by an undo command of the engine; analysed like a migration. */
    UNDO,
    /** Run by the engine around migrations (Flyway: SQL callbacks such as afterMigrate.sql). */
    CALLBACK,
    /**
     * prodguard's own direct-run guard ({@link MigrationEngine#guardArtifacts}), exactly as
     * written: run by the engine, not analysed as the user's SQL. Edited, it is a {@link #CALLBACK}
     * like any other.
     */
    GUARD_ARTIFACT,
    /** Settings for the script of the same name (Flyway: {@code V3__x.sql.conf}). */
    SCRIPT_CONFIGURATION,
    /** A file the engine does not run (a name outside its naming). */
    NOT_RUN,
    /**
     * A file the engine refuses at migrate time for its name (Flyway, as prodguard runs it with
     * {@code validateMigrationNaming}: a {@code .sql} file that is neither a migration nor a
     * callback, such as {@code v2__x.sql}): analysed, and a certain deploy failure.
     */
    REFUSED_NAME;

    /** Whether lint and verify analyse files of this role: everything the engine runs as SQL. */
    public boolean analysed() {
      return this == VERSIONED
          || this == BASELINE
          || this == REPEATABLE
          || this == UNDO
          || this == CALLBACK
          || this == REFUSED_NAME;
    }

    /**
     * A migration (versioned, baseline, repeatable or undo), as opposed to a callback or other
     * file.
     */
    public boolean migration() {
      return this == VERSIONED || this == BASELINE || this == REPEATABLE || this == UNDO;
    }
  }

  @Override
  public String toString() {
    return shown;
  }
}
