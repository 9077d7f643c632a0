package dev.prodguard.pipeline;

import dev.prodguard.config.ConfigLoader;
import dev.prodguard.db.RunContext;
import dev.prodguard.flyway.FlywayMigrationEngine;
import java.nio.file.Path;
import java.util.Optional;

/** A deploy in a process of its own, for tests that kill it: {@code DeployProcess CONFIG ENV}. */
public final class DeployProcess {
  private DeployProcess() {}

  public static void main(String[] args) throws Exception {
    new Pipeline(
            ConfigLoader.load(Path.of(args[0])), RunContext.system(), new FlywayMigrationEngine())
        .deploy(args[1], Optional.empty());
    System.out.println("deployed");
  }
}
