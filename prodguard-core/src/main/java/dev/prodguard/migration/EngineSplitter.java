package dev.prodguard.migration;

import java.nio.file.Path;

/**
 * Splits one migration file as the migration tool will at migrate time (for Flyway: its parser for
 * the target's database type), so that the linter can check that prodguard analysed the statements
 * that will actually be sent. Implemented over {@code MigrationEngine#statements}.
 */
@FunctionalInterface
public interface EngineSplitter {

  /**
   * @param file the file being linted
   * @param text its content, exactly as prodguard read it (UTF-8)
   */
  EngineStatements split(Path file, String text);
}
