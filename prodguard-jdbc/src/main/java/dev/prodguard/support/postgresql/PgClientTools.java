package dev.prodguard.support.postgresql;

import dev.prodguard.support.Binaries;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A PostgreSQL client tool ({@code pg_dump}, {@code pg_restore}, {@code psql}) as {@link
 * Binaries#resolve} finds it, except that Debian's and Ubuntu's {@code postgresql-common} wrapper
 * ({@code /usr/bin/pg_dump} is a link to the Perl script {@code pg_wrapper}) is resolved to the
 * binary it would run: a Perl start costs about 35 ms of CPU per call, three calls per backup,
 * which a fleet rollout pays hundreds of times. prodguard always runs these tools with {@code
 * PGHOST} set (or with no connection at all), and for that case the wrapper runs the newest
 * installed version that has the tool ({@code /usr/lib/postgresql/<newest>/bin/<tool>}); that is
 * the one returned here. A {@code pg_restore} of the same newest version reads every dump the
 * newest {@code pg_dump} writes (the wrapper would pick the local cluster's version for a {@code
 * pg_restore} without {@code PGHOST}, which can be older than the dump). The version check of a
 * backup still runs on the binary chosen ({@code pg_dump --version} against the server).
 */
final class PgClientTools {
  /** Where postgresql-common installs each version's binaries (its {@code $binroot}). */
  static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

  /** A version folder as the wrapper reads them ({@code PgCommon::get_versions}). */
  private static final Pattern VERSION = Pattern.compile("\\d+\\.?\\d+");

  private PgClientTools() {}

  /** The tool in {@code binDir} when given, else on PATH, through the wrapper when it is one. */
  static String resolve(Optional<Path> binDir, String tool) {
    String found = Binaries.resolve(binDir, tool);
    if (binDir.isPresent()) {
      return found;
    }
    return unwrapped(Path.of(found), tool, DEBIAN_ROOT).map(Path::toString).orElse(found);
  }

  /**
   * The binary {@code pg_wrapper} runs for {@code tool} when {@code command} is that wrapper; empty
   * when it is not (or no installed version has the tool: then the wrapper runs and reports it).
   */
  static Optional<Path> unwrapped(Path command, String tool, Path root) {
    Path real;
    try {
      if (!command.isAbsolute() || !Files.isSymbolicLink(command)) {
        return Optional.empty();
      }
      real = command.toRealPath();
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    if (!real.getFileName().toString().equals("pg_wrapper")
        || real.getParent() == null
        || !real.getParent().getFileName().toString().equals("postgresql-common")) {
      return Optional.empty();
    }
    return newest(root, tool);
  }

  /**
   * {@code root/<version>/bin/tool} of the highest version (numerically) where it is executable.
   */
  static Optional<Path> newest(Path root, String tool) {
    Path best = null;
    double bestVersion = -1;
    try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
      for (Path v : versions) {
        String name = v.getFileName().toString();
        if (!VERSION.matcher(name).matches()) {
          continue;
        }
        Path bin = v.resolve("bin").resolve(tool);
        double number = Double.parseDouble(name);
        if (number > bestVersion && Files.isExecutable(bin)) {
          best = bin;
          bestVersion = number;
        }
      }
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(best);
  }
}
