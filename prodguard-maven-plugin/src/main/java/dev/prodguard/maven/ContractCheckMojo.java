package dev.prodguard.maven;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.lint.ContractMarkdown;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * {@code prodguard:contract-check}, bound to {@code verify}: as {@code prodguard contract check},
 * fails the build when the contract cannot be read or {@code PRODUCTION_MUTATION_CONTRACT.md} is
 * missing or does not match it (reviewers would read a contract that is not the one enforced).
 */
@Mojo(name = "contract-check", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class ContractCheckMojo extends AbstractProdguardMojo {
  @Override
  String goal() {
    return "contract-check";
  }

  @Override
  void run() throws IOException {
    Optional<ProdguardConfig> cfg = optionalConfig();
    Path file =
        cfg.map(ProdguardConfig::contract)
            .orElse(base().resolve(ContractLoader.DEFAULT_FILE))
            .toAbsolutePath()
            .normalize();
    Path namedBy =
        cfg.filter(ProdguardConfig::contractNamed).map(ProdguardConfig::file).orElse(null);
    Contract c = ContractLoader.parse(file, ContractLoader.read(file, namedBy));
    Path md = file.resolveSibling(ContractMarkdown.FILE);
    String expected = ContractMarkdown.render(c, file.getFileName().toString());
    String fix = "run 'prodguard contract render' and commit " + ContractMarkdown.FILE;
    if (!Files.exists(md)) {
      throw new GuardRefusal(
          Guarantee.G4,
          ContractMarkdown.FILE + " is missing",
          "the human-readable contract must be committed next to " + file.getFileName(),
          fix);
    }
    if (!Files.readString(md, StandardCharsets.UTF_8).equals(expected)) {
      throw new GuardRefusal(
          Guarantee.G4,
          ContractMarkdown.FILE + " is out of date",
          "it does not match "
              + file.getFileName()
              + " (sha256 "
              + c.sha256()
              + "): reviewers would read a contract that is not the one enforced",
          fix);
    }
    getLog()
        .info(
            "prodguard contract-check ok: "
                + ContractMarkdown.FILE
                + " matches the contract (sha256 "
                + c.sha256()
                + ")");
  }
}
