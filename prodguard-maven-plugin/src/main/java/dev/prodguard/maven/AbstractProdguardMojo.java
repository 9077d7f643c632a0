package dev.prodguard.maven;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Redactor;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.findings.TextWriter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * What every prodguard goal shares: where {@code prodguard.yml} is, where reports go, how a refusal
 * or a configuration error fails the build. A refusal ({@link GuardRefusal}) and findings at error
 * level fail the build ({@link MojoFailureException}); so does a configuration error, with the
 * file, line and key it names. Every message passes the {@link Redactor}. There is no switch that
 * turns the goals off: a check that is wrong is fixed in the contract (reviewed), not skipped.
 */
abstract class AbstractProdguardMojo extends AbstractMojo {
  /** {@code prodguard.yml} of the project; its folder is the base of every relative path in it. */
  @Parameter(property = "prodguard.config", defaultValue = "${project.basedir}/prodguard.yml")
  File config;

  /** Where the SARIF reports go. */
  @Parameter(
      property = "prodguard.outputDirectory",
      defaultValue = "${project.build.directory}/prodguard")
  File outputDirectory;

  @Parameter(defaultValue = "${plugin}", readonly = true, required = true)
  PluginDescriptor plugin;

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    try {
      run();
    } catch (GuardRefusal r) {
      throw new MojoFailureException(Redactor.redact(r.render()), r);
    } catch (ConfigException c) {
      throw new MojoFailureException(Redactor.redact(c.render()), c);
    } catch (IOException e) {
      throw new MojoExecutionException(
          "prodguard " + goal() + ": " + Redactor.redact(String.valueOf(e.getMessage())), e);
    } catch (java.sql.SQLException e) {
      throw new MojoExecutionException(
          "prodguard "
              + goal()
              + ": database error"
              + (e.getSQLState() == null ? "" : " [" + e.getSQLState() + "]")
              + ": "
              + Redactor.redact(String.valueOf(e.getMessage())),
          e);
    }
  }

  abstract String goal();

  abstract void run() throws MojoFailureException, IOException, java.sql.SQLException;

  /** prodguard.yml when it exists; a malformed one is a configuration error. */
  Optional<ProdguardConfig> optionalConfig() {
    Path file = config.toPath();
    return Files.exists(file) ? Optional.of(ConfigLoader.load(file)) : Optional.empty();
  }

  ProdguardConfig requiredConfig() {
    return optionalConfig()
        .orElseThrow(
            () ->
                new ConfigException(
                    config.toPath(),
                    0,
                    null,
                    "not found: the "
                        + goal()
                        + " goal needs prodguard.yml (set <config> or -Dprodguard.config)"));
  }

  /** The folder of prodguard.yml, else the project's. */
  Path base() {
    return config.toPath().toAbsolutePath().getParent();
  }

  /** Writes {@code name} under the output directory and returns its path. */
  Path writeReport(String name, String content) throws IOException {
    Path dir = outputDirectory.toPath();
    Files.createDirectories(dir);
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  String version() {
    return plugin == null ? "development" : plugin.getVersion();
  }

  /** Logs each finding as the CLI prints it, at the level of its severity. */
  void logFindings(List<Finding> findings) {
    for (Finding f : findings) {
      StringBuilder b = new StringBuilder();
      TextWriter.finding(b, f);
      for (String line : Redactor.redact(b.toString()).split("\n")) {
        if (f.covered() || f.severity() != Severity.ERROR) {
          if (f.severity() == Severity.WARNING && !f.covered()) {
            getLog().warn(line);
          } else {
            getLog().info(line);
          }
        } else {
          getLog().error(line);
        }
      }
    }
  }
}
