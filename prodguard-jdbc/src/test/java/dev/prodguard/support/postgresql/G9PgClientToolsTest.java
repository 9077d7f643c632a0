package dev.prodguard.support.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup's client tools (G9) through Debian's {@code pg_wrapper}: prodguard runs the binary the
 * wrapper would run (the newest installed version with the tool, as for a call with {@code
 * PGHOST}), and anything that is not the wrapper exactly as found.
 */
@DisplayName(
    "G9 backup: pg_dump and pg_restore behind Debian's pg_wrapper are the binaries it runs")
class G9PgClientToolsTest {
  @TempDir Path dir;

  private Path executable(Path p) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void theWrapperResolvesToTheNewestVersionThatHasTheTool() throws Exception {
    Path root = dir.resolve("lib/postgresql");
    executable(root.resolve("9.6/bin/pg_dump"));
    Path v13 = executable(root.resolve("13/bin/pg_dump"));
    executable(root.resolve("12/bin/pg_dump"));
    // a newer version without the tool (a server-only package) is not chosen
    executable(root.resolve("16/bin/postgres"));
    Files.createDirectories(root.resolve("notes"));
    Path wrapper = executable(dir.resolve("share/postgresql-common/pg_wrapper"));
    Path link = dir.resolve("bin/pg_dump");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, wrapper);

    assertThat(PgClientTools.unwrapped(link, "pg_dump", root)).contains(v13);
  }

  @Test
  void anythingElseIsRunAsFound() throws Exception {
    Path root = dir.resolve("lib/postgresql");
    executable(root.resolve("15/bin/pg_dump"));
    // a plain binary, a link to a binary, a script named pg_wrapper elsewhere: not unwrapped
    Path plain = executable(dir.resolve("bin/pg_dump"));
    Path other = executable(dir.resolve("opt/pg_wrapper"));
    Path link = dir.resolve("bin2/pg_dump");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, other);

    assertThat(PgClientTools.unwrapped(plain, "pg_dump", root)).isEmpty();
    assertThat(PgClientTools.unwrapped(link, "pg_dump", root)).isEmpty();
    assertThat(PgClientTools.unwrapped(Path.of("pg_dump"), "pg_dump", root)).isEmpty();
  }

  @Test
  void aWrapperWithNoInstalledToolIsLeftToTheWrapper() throws Exception {
    Path root = dir.resolve("lib/postgresql");
    Files.createDirectories(root);
    Path wrapper = executable(dir.resolve("share/postgresql-common/pg_wrapper"));
    Path link = dir.resolve("bin/pg_restore");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, wrapper);

    assertThat(PgClientTools.unwrapped(link, "pg_restore", root)).isEmpty();
  }

  /** On a Debian machine: what the wrapper runs with PGHOST set is the binary chosen here. */
  @Test
  void onThisMachineTheChosenBinaryIsTheOneTheWrapperRuns() throws Exception {
    Path onPath = Path.of("/usr/bin/pg_dump");
    assumeTrue(
        Files.isSymbolicLink(onPath)
            && onPath.toRealPath().getFileName().toString().equals("pg_wrapper"),
        "no postgresql-common wrapper on this machine");
    String chosen = PgClientTools.resolve(Optional.empty(), "pg_dump");
    assertThat(chosen).startsWith(PgClientTools.DEBIAN_ROOT.toString()).endsWith("/bin/pg_dump");
    assertThat(version(List.of(chosen, "--version")))
        .isEqualTo(version(List.of(onPath.toString(), "--version")));
  }

  private static String version(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("PGHOST", "127.0.0.1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    return out;
  }
}
