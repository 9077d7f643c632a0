package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.Hashes;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSources;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The analyser until the contract linter is plugged in: refuses nothing, records the contract's
 * hash (or that there is no contract) so that deploy can tell if it changed.
 */
public final class ContractHashAnalyzer implements MigrationAnalyzer {

  @Override
  public Analysis analyse(MigrationSet set, MigrationSources sources, Target target) {
    return new Analysis(List.of(), contractSha256(target.config()));
  }

  /**
   * SHA-256 of the configured contract file; empty only when {@code prodguard.yml} names no
   * contract and the default file does not exist.
   *
   * @throws dev.prodguard.config.ConfigException when a contract that should be read cannot be
   */
  public static Optional<String> contractSha256(ProdguardConfig config) {
    Path contract = config.contract();
    if (!config.contractNamed() && Files.notExists(contract, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(
        Hashes.sha256(
            ContractLoader.read(contract, config.contractNamed() ? config.file() : null)));
  }
}
