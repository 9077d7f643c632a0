package dev.prodguard.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds a client tool in the configured folder or on PATH. */
public final class Binaries {
  private Binaries() {}

  /** The first of {@code names} that exists; the first name (for the error) when none does. */
  public static String resolve(Optional<Path> binDir, String... names) {
    for (String name : names) {
      if (binDir.isPresent()) {
        Path p = binDir.get().resolve(name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
        continue;
      }
      String path = System.getenv("PATH");
      if (path == null) {
        continue;
      }
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    return binDir.map(d -> d.resolve(names[0]).toString()).orElse(names[0]);
  }
}
