package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.environment.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The analyser until the contract linter is plugged in: refuses nothing, records the contract's
 * hash (or that there is no contract) so that deploy can tell if it changed.
 */
public final class ContractHashAnalyzer implements MigrationAnalyzer {

  @Override
  public Analysis analyse(List<PendingMigration> pending, Target target) {
    return new Analysis(List.of(), contractSha256(target.config()));
  }

  /** SHA-256 of the configured contract file; empty when it does not exist. */
  public static Optional<String> contractSha256(ProdguardConfig config) {
    Path contract = config.contract();
    try {
      return Optional.of(Hashes.sha256(Files.readAllBytes(contract)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the contract " + contract, e);
    }
  }
}
