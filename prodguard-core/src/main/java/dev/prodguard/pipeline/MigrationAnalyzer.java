package dev.prodguard.pipeline;

import dev.prodguard.environment.Target;
import dev.prodguard.migration.PendingMigration;
import java.util.List;
import java.util.Optional;

/**
 * Contract and safety analysis of the pending migrations before they may reach an environment (G4).
 * {@code verify} refuses when {@link Analysis#refusals()} is not empty.
 */
public interface MigrationAnalyzer {

  Analysis analyse(List<PendingMigration> pending, Target target);

  /**
   * @param refusals one line per reason to refuse; empty when the migrations may be deployed
   * @param contractSha256 SHA-256 of the contract file, empty when there is none
   */
  record Analysis(List<String> refusals, Optional<String> contractSha256) {
    public Analysis {
      refusals = List.copyOf(refusals);
    }
  }
}
