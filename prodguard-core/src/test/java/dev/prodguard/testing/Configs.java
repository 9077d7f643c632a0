package dev.prodguard.testing;

import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a prodguard.yml into a folder and loads it. */
public final class Configs {
  private Configs() {}

  public static Path write(Path dir, String yaml) {
    try {
      Path file = dir.resolve("prodguard.yml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ProdguardConfig load(Path dir, String yaml) {
    return ConfigLoader.load(write(dir, yaml));
  }

  /**
   * A dev + prod configuration whose URLs come from DEV_DATABASE_URL and PROD_DATABASE_URL, with
   * the given fingerprints (null: none) and prod host patterns.
   */
  public static String devProd(String devFingerprint, String prodFingerprint, String prodHosts) {
    return "environments:\n"
        + "  dev:\n"
        + "    url: ${DEV_DATABASE_URL}\n"
        + (devFingerprint == null ? "" : "    fingerprint: " + devFingerprint + "\n")
        + "  prod:\n"
        + "    url: ${PROD_DATABASE_URL}\n"
        + (prodFingerprint == null ? "" : "    fingerprint: " + prodFingerprint + "\n")
        + "    protected: true\n"
        + (prodHosts == null ? "" : "    hosts: [" + prodHosts + "]\n");
  }
}
