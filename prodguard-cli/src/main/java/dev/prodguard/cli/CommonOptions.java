package dev.prodguard.cli;

import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command shares. */
public final class CommonOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "prodguard.yml to use (default: ${DEFAULT-VALUE})",
      defaultValue = ConfigLoader.DEFAULT_FILE)
  Path config;

  @Option(names = "--debug", description = "print stack traces of unexpected failures")
  boolean debug;

  /** The configuration once loaded, so that a refusal can be logged next to it. */
  ProdguardConfig loaded;

  ProdguardConfig load() {
    loaded = ConfigLoader.load(config);
    return loaded;
  }

  RunContext context() {
    return RunContext.system();
  }
}
