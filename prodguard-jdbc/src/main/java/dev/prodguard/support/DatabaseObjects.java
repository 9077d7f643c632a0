package dev.prodguard.support;

import java.util.List;

/**
 * Each feature's database objects, as versioned SQL resources per feature and database ({@code
 * dev/prodguard/support/<database>/<feature>/V<n>.sql}, docs/database-objects.md). A released
 * version is never edited: a change to an installed object is a new version, which the installer
 * ({@code guard.PipelineSchema}) applies once and records in {@code prodguard_schema}.
 */
public interface DatabaseObjects {

  /** prodguard's tables, in the schema (PostgreSQL) or database (MySQL/MariaDB) it guards. */
  List<String> TABLES =
      List.of(
          "database_metadata",
          "prodguard_schema",
          "prodguard_run",
          "prodguard_session",
          "prodguard_audit",
          "prodguard_sync_change",
          "prodguard_guard_config",
          "prodguard_schema_digest");

  /** The versioned features, in installation order. */
  List<String> FEATURES = List.of("pipeline", "audit", "sync", "guards", "drift");

  /**
   * The statements of one version of a feature's objects, idempotent; empty beyond the newest (and
   * for a version that holds nothing on this database).
   */
  List<String> statements(String feature, int version);

  /** The newest version of a feature, the same on every database. */
  static int latest(String feature) {
    return SqlResources.latest(feature);
  }

  /** DDL that creates {@code database_metadata} (G2); run once, by init-fingerprint. */
  List<String> metadataTable();
}
