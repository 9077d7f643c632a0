package dev.prodguard.scan;

import dev.prodguard.findings.Cover;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a scan.
 *
 * @param findings sorted, after scan-exceptions were applied
 * @param filesScanned text files the rules read
 * @param skipped files listed but not read (binary, too large, or prodguard's own output), with the
 *     reason
 * @param excepted findings covered by a contract scan-exception
 * @param integrityNote why the prodguard-integrity checks did not run, or null when they ran
 */
public record ScanReport(
    Path root,
    List<Rule> rules,
    List<Finding> findings,
    int filesScanned,
    List<Skipped> skipped,
    List<Excepted> excepted,
    String integrityNote) {

  public ScanReport {
    rules = List.copyOf(rules);
    findings = List.copyOf(findings);
    skipped = List.copyOf(skipped);
    excepted = List.copyOf(excepted);
  }

  /** A listed file that was not scanned. */
  public record Skipped(String path, String reason) {}

  /**
   * A finding that a reviewed contract entry covers.
   *
   * @param finding the finding, its {@link Finding#coveredBy()} naming the entry
   */
  public record Excepted(Finding finding) {
    public Excepted {
      if (!finding.covered()) {
        throw new IllegalArgumentException("an excepted finding names the entry that covers it");
      }
    }

    public Excepted(Finding finding, String reason, String contractFile, int contractLine) {
      this(finding.withCover(new Cover(reason, new Location(contractFile, contractLine, 1))));
    }

    public String reason() {
      return finding.coveredBy().reason();
    }

    public String contractFile() {
      return finding.coveredBy().entry().file();
    }

    public int contractLine() {
      return finding.coveredBy().entry().line();
    }
  }

  public long errors() {
    return findings.stream().filter(f -> f.severity() == Severity.ERROR).count();
  }

  public long warnings() {
    return findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
  }

  public boolean failed() {
    return errors() > 0;
  }
}
