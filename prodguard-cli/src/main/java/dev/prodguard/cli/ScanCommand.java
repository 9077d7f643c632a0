package dev.prodguard.cli;

import dev.prodguard.config.ConfigException;
import dev.prodguard.scan.ScanReport;
import dev.prodguard.scan.ScanReportWriter;
import dev.prodguard.scan.Scanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard scan [DIR]}: bypass and misconfiguration scan of a repository (G5). */
@Command(
    name = "scan",
    resourceBundle = FormatOption.FINDINGS_BUNDLE,
    mixinStandardHelpOptions = true,
    description = {
      "Scan a repository for bypasses, direct migration calls and dangerous settings (G5).",
      "Covers the files git tracks in DIR (all files outside .git when DIR is not a git",
      "repository). Findings cannot be silenced inline: a reviewed false positive is a",
      "scan-exceptions entry in the contract. Exit 1 on error-level findings."
    })
public final class ScanCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "DIR",
      arity = "0..1",
      defaultValue = ".",
      description = "repository to scan (default: the current directory)")
  Path dir;

  @Mixin FormatOption format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "write the report to FILE instead of standard output")
  Path output;

  @Override
  public Integer call() {
    // prodguard.yml of the scanned repository, unless --config names another one
    boolean configGiven = spec.commandLine().getParseResult().hasMatchedOption("--config");
    Optional<Path> config = configGiven ? Optional.of(common.config) : Optional.empty();
    ScanReport report = new Scanner().scan(dir, config);
    String version = Main.class.getPackage().getImplementationVersion();
    String rendered = new ScanReportWriter(version).write(report, format.get());
    if (output != null) {
      try {
        Files.writeString(output, rendered, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException(output, 0, null, "cannot write the report: " + e.getMessage());
      }
      spec.commandLine()
          .getErr()
          .println(
              "prodguard scan: "
                  + report.errors()
                  + " error(s), "
                  + report.warnings()
                  + " warning(s); report written to "
                  + output);
    } else {
      spec.commandLine().getOut().print(rendered);
      spec.commandLine().getOut().flush();
    }
    return report.failed() ? Main.REFUSED : Main.OK;
  }
}
