package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/install}: one command installs the CLI (launcher + jar) into a prefix, and the
 * installed {@code prodguard} works in a repository that is not prodguard's own, from any working
 * directory and through a symbolic link, without building anything there.
 */
@DisplayName("Install: scripts/install puts a working prodguard on any repository's PATH")
class InstallScriptIT {
  @TempDir Path tmp;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", tmp.resolve("home").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  private Path install(Path prefix) throws Exception {
    Cli.Result r =
        Processes.run(
            Processes.repositoryRoot(),
            env(),
            List.of(
                "bash",
                "scripts/install",
                "--prefix",
                prefix.toString(),
                "--jar",
                Cli.jar().toString(),
                "--no-build"));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("installed prodguard: " + prefix.resolve("bin/prodguard"));
    return prefix.resolve("bin/prodguard");
  }

  @Test
  @DisplayName("the installed launcher prints the version and lints a repository outside prodguard")
  void installedCliLintsAnotherRepository() throws Exception {
    Path launcher = install(tmp.resolve("prefix"));
    assertThat(launcher).isExecutable();
    assertThat(tmp.resolve("prefix/lib/prodguard/prodguard.jar")).hasSize(Files.size(Cli.jar()));

    Path repo = tmp.resolve("shop");
    Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(
        repo.resolve("prodguard.yml"),
        "environments:\n"
            + "  dev:\n"
            + "    url: ${DEV_DATABASE_URL}\n"
            + "    database: postgresql\n"
            + "migrations:\n"
            + "  locations: [db/migration]\n",
        StandardCharsets.UTF_8);
    Files.writeString(repo.resolve("prodguard-contract.yml"), "version: 1\n");
    Files.writeString(
        repo.resolve("db/migration/V1__customer.sql"), "CREATE TABLE customer (id bigint);\n");
    assertThat(Processes.run(repo, env(), List.of("git", "init", "-q")).exit()).isZero();

    Cli.Result version = Processes.run(repo, env(), List.of(launcher.toString(), "--version"));
    assertThat(version.exit()).as(version.toString()).isZero();
    assertThat(version.out()).startsWith("prodguard ");

    Cli.Result clean = Processes.run(repo, env(), List.of(launcher.toString(), "lint"));
    assertThat(clean.exit()).as(clean.toString()).isZero();
    assertThat(clean.out()).contains("ok: 0 errors").contains("1 file");

    Files.writeString(repo.resolve("db/migration/V2__drop.sql"), "DROP TABLE customer;\n");
    Cli.Result dirty = Processes.run(repo, env(), List.of(launcher.toString(), "lint"));
    assertThat(dirty.exit()).as(dirty.toString()).isEqualTo(1);
    assertThat(dirty.out()).contains("db/migration/V2__drop.sql:1:1: error [drop-table]");
  }

  @Test
  @DisplayName(
      "the installed launcher runs a pipeline command with its JIT directives and class-data"
          + " archive, and nothing of the JVM's reaches the command's output")
  void pipelineCommandsStartWithTheirJvmSettings() throws Exception {
    Path prefix = tmp.resolve("prefix4");
    Path launcher = install(prefix);
    assertThat(prefix.resolve("lib/prodguard/jit-directives.json")).isRegularFile();
    assertThat(prefix.resolve("lib/prodguard/prodguard.jsa")).isRegularFile();
    for (String command : List.of("verify", "backup", "deploy", "promote", "status")) {
      Cli.Result r = Processes.run(tmp, env(), List.of(launcher.toString(), command, "--help"));
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).as(command).startsWith("Usage: prodguard " + command);
      assertThat(r.out() + r.err()).as(command).doesNotContain("directives").doesNotContain("CDS");
    }
    // the launcher really hands the JVM the directives: a broken file stops it before prodguard
    Files.writeString(prefix.resolve("lib/prodguard/jit-directives.json"), "not json");
    Cli.Result broken = Processes.run(tmp, env(), List.of(launcher.toString(), "verify", "--help"));
    assertThat(broken.exit()).as(broken.toString()).isNotZero();
    Cli.Result lint = Processes.run(tmp, env(), List.of(launcher.toString(), "--version"));
    assertThat(lint.exit()).as(lint.toString()).isZero();
  }

  @Test
  @DisplayName(
      "the installed launcher starts lint, scan and contract with the JVM settings of the"
          + " repository's ./prodguard (the figures of bench/ are measured with those)")
  void analysisCommandsStartAsTheRepositoryLauncherDoes() throws Exception {
    Path launcher = install(tmp.resolve("prefix5"));
    Path repositoryLauncher = Processes.repositoryRoot().resolve("prodguard");
    for (String command : List.of("lint", "scan", "contract")) {
      List<String> installed = jvmFlags(launcher, command);
      assertThat(installed).as(command).contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
      assertThat(installed).as(command).isEqualTo(jvmFlags(repositoryLauncher, command));
    }
  }

  /** The flags the launcher gives the JVM for {@code command}, but the archive's path. */
  private List<String> jvmFlags(Path launcher, String command) throws Exception {
    Map<String, String> env = env();
    env.put("PRODGUARD_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
    Cli.Result r = Processes.run(tmp, env, List.of(launcher.toString(), command, "--help"));
    assertThat(r.exit()).as(r.toString()).isZero();
    String flags = r.out().lines().findFirst().orElse("");
    assertThat(flags).as(r.toString()).startsWith("-XX:");
    return java.util.Arrays.stream(flags.trim().split("\\s+"))
        .filter(f -> !f.startsWith("-XX:SharedArchiveFile="))
        .toList();
  }

  @Test
  @DisplayName("a symbolic link to the launcher finds the jar; installing again replaces it")
  void symlinkAndReinstall() throws Exception {
    Path prefix = tmp.resolve("prefix2");
    Path launcher = install(prefix);
    install(prefix);
    Path link = tmp.resolve("bin/prodguard");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, launcher);
    Cli.Result r = Processes.run(tmp, env(), List.of(link.toString(), "--version"));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("prodguard ");
    assertThat(Files.list(prefix.resolve("lib/prodguard")).map(p -> p.getFileName().toString()))
        .doesNotContain("prodguard.jar.tmp");
  }

  @Test
  @DisplayName("a missing jar with --no-build is a usage error that names the build command")
  void missingJarIsAUsageError() throws Exception {
    Cli.Result r =
        Processes.run(
            Processes.repositoryRoot(),
            env(),
            List.of(
                "bash",
                "scripts/install",
                "--prefix",
                tmp.resolve("p3").toString(),
                "--jar",
                tmp.resolve("nope.jar").toString()));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no such jar");
    assertThat(tmp.resolve("p3/bin/prodguard")).doesNotExist();
  }
}
