package dev.prodguard.maven;

import dev.prodguard.findings.OutputFormat;
import dev.prodguard.scan.ScanReport;
import dev.prodguard.scan.ScanReportWriter;
import dev.prodguard.scan.Scanner;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code prodguard:scan}, bound to {@code verify}: the bypass and misconfiguration scan (G5) of the
 * repository, as {@code prodguard scan DIR}. Writes {@code target/prodguard/scan.sarif}; fails the
 * build on an error-level finding. Findings are silenced only by reviewed {@code scan-exceptions}.
 */
@Mojo(name = "scan", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class ScanMojo extends AbstractProdguardMojo {
  /** The repository to scan (its git-tracked files; all files when it is not a git repository). */
  @Parameter(property = "prodguard.scan.directory", defaultValue = "${project.basedir}")
  File directory;

  @Override
  String goal() {
    return "scan";
  }

  @Override
  void run() throws MojoFailureException, IOException {
    Path cfg = config.toPath();
    ScanReport report =
        new Scanner()
            .scan(
                directory.toPath(),
                cfg.toFile().exists() ? Optional.of(cfg) : Optional.<Path>empty());
    ScanReportWriter writer = new ScanReportWriter(version());
    Path sarif = writeReport("scan.sarif", writer.write(report, OutputFormat.sarif));
    logFindings(report.findings());
    String summary =
        report.errors()
            + " error(s), "
            + report.warnings()
            + " warning(s) in "
            + report.filesScanned()
            + " file(s); SARIF: "
            + sarif;
    if (report.failed()) {
      throw new MojoFailureException(
          "prodguard scan FAILED (G5 no bypasses): "
              + summary
              + "\n  the one fix: remove the escape hatch; a reviewed false positive becomes a"
              + " scan-exceptions entry in the contract");
    }
    getLog().info("prodguard scan ok: " + summary);
  }
}
