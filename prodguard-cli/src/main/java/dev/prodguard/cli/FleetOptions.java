package dev.prodguard.cli;

import dev.prodguard.fleet.Shard;
import picocli.CommandLine.Option;

/** {@code --fleet NAME} and how much of it: shared by promote, status and init-fingerprint. */
final class FleetOptions {
  @Option(
      names = "--fleet",
      paramLabel = "NAME",
      description = "a fleet of prodguard.yml: every target (or --shard of them) instead of ENV")
  String fleet;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description =
          "targets at once (1-64; default: the fleet's 'parallel', else four per core, 4 to 16)")
  Integer parallel;

  @Option(
      names = "--shard",
      paramLabel = "i/n",
      description =
          "only the targets of shard i of n (zero-based; stable: SHA-256 of the target id mod n),"
              + " for a CI matrix or a Kubernetes Indexed Job")
  String shard;

  boolean present() {
    return fleet != null;
  }

  Shard shard() {
    return shard == null ? Shard.ALL : Shard.parse(shard);
  }
}
