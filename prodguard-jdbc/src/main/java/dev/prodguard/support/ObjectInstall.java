package dev.prodguard.support;

import java.util.List;

/**
 * A facet of {@link DatabaseSupport}: installing prodguard's database objects: their SQL and how
 * upgrades are serialised. Implemented per database in {@code support.postgresql} and {@code
 * support.mariadb}.
 */
public interface ObjectInstall {

  /**
   * Each feature's database objects ({@code database_metadata}, {@code prodguard_run}, {@code
   * prodguard_session}, {@code prodguard_audit}, {@code prodguard_sync_change}, the G6 guard's
   * routines and tables), versioned SQL resources of this database (docs/database-objects.md).
   */
  DatabaseObjects objects();

  /** Whether DDL is transactional (PostgreSQL): upgrades then run in one transaction. */
  boolean transactionalDdl();

  /** Serialises schema upgrades between processes (PostgreSQL: until the transaction ends). */
  List<String> lockSchema();

  /** Ends {@link #lockSchema()} where the lock is not bound to a transaction. */
  List<String> unlockSchema();

  /** Inserts ({@code component}, {@code version}) into prodguard_schema or raises it; 2 params. */
  String upsertSchemaVersion();
}
