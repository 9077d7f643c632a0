package dev.prodguard.lint;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import java.util.List;

/**
 * The result of a lint run.
 *
 * @param files the files analysed, in Flyway's order
 * @param statements how many statements were classified (routine bodies count once)
 * @param contractSha256 the SHA-256 of the contract applied (what the pipeline records)
 * @param protectedEnvironment whether a protected environment's severities were applied
 */
public record LintReport(
    List<String> files,
    int statements,
    List<Finding> findings,
    String contractSha256,
    boolean protectedEnvironment) {

  public LintReport {
    files = List.copyOf(files);
    findings = List.copyOf(findings);
  }

  public List<Finding> blocking() {
    return findings.stream().filter(Finding::blocking).toList();
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::blocking);
  }

  public long count(Severity s) {
    return findings.stream().filter(f -> f.severity() == s && !f.covered()).count();
  }

  public long covered() {
    return findings.stream().filter(Finding::covered).count();
  }
}
