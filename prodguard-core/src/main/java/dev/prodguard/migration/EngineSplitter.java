package dev.prodguard.migration;

/**
 * Splits one migration file as the migration tool will at migrate time (for Flyway: its parser for
 * the target's database type), so that the linter can check that prodguard analysed the statements
 * that will actually be sent. Implemented over {@code MigrationEngine#statements}.
 */
@FunctionalInterface
public interface EngineSplitter {

  /**
   * @param file the file being linted, with the bytes prodguard read and analysed
   */
  EngineStatements split(MigrationFile file);
}
