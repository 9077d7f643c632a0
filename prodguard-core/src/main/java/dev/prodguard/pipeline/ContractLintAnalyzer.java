package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.PendingMigration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * G4 in {@code verify}: the pending migrations are linted against the contract with the dialect of
 * the target's resolved URL and its protection, and checked against the statements the engine will
 * send for each hashed file; the other migrations of the locations (those already applied) are read
 * for the routines they define, so a call is judged by the body it runs. Only when prodguard.yml
 * names no contract and the default file does not exist do the default rules apply (the contract
 * hash is then recorded as absent); a contract that cannot be read is a configuration error. The
 * linted files must still hold the bytes that were hashed, so what was analysed is what will be
 * deployed.
 */
public final class ContractLintAnalyzer implements MigrationAnalyzer {
  private final MigrationEngine engine;

  public ContractLintAnalyzer(MigrationEngine engine) {
    this.engine = java.util.Objects.requireNonNull(engine);
  }

  @Override
  public Analysis analyse(List<PendingMigration> pending, Target target) {
    ProdguardConfig config = target.config();
    Optional<Contract> loaded = ContractLoader.forConfig(config);
    Optional<String> sha = loaded.map(Contract::sha256);
    Contract contract =
        loaded.orElseGet(
            () ->
                ContractLoader.parse(
                    config.contract(), "version: 1\n".getBytes(StandardCharsets.UTF_8)));
    List<Path> paths = new ArrayList<>();
    List<Path> locations = new ArrayList<>();
    for (String location : config.migrationLocations()) {
      locations.add(MigrationFiles.resolve(config, location));
    }
    Map<Path, MigrationFile> snapshots = new HashMap<>();
    for (PendingMigration p : pending) {
      Path path =
          MigrationFiles.resolve(config, p.file().location()).resolve(p.file().relativePath());
      paths.add(path);
      snapshots.put(path, p.file());
    }
    Set<Path> linted = new HashSet<>();
    paths.forEach(p -> linted.add(p.toAbsolutePath().normalize()));
    List<Path> applied =
        dev.prodguard.lint.MigrationFiles.find(locations).stream()
            .map(dev.prodguard.lint.MigrationFiles.MigrationFile::path)
            .filter(p -> !linted.contains(p.toAbsolutePath().normalize()))
            .toList();
    DatabaseKind kind = target.dialect().kind();
    LintReport report =
        new Linter(kind)
            .crossCheck(
                (file, text) -> {
                  MigrationFile hashed = snapshots.get(file);
                  return hashed == null
                      ? EngineStatements.failed(file + " is not among the pending migrations")
                      : engine.statements(hashed, kind);
                })
            .lintFiles(paths, applied, contract, target.environment().isProtected());
    List<String> refusals = new ArrayList<>();
    for (Finding f : report.blocking()) {
      refusals.add(
          f.file() + ":" + f.line() + ": [" + f.rule() + "] " + f.message().replace("\n", " "));
    }
    for (int i = 0; i < pending.size(); i++) {
      if (!sameBytes(paths.get(i), pending.get(i).file())) {
        refusals.add(
            paths.get(i) + " changed while verify read it: run verify again on a quiet checkout");
      }
    }
    return new Analysis(refusals, sha);
  }

  private static boolean sameBytes(Path path, MigrationFile snapshot) {
    try {
      return Arrays.equals(Files.readAllBytes(path), snapshot.bytes());
    } catch (IOException e) {
      return false;
    }
  }
}
