package dev.prodguard.scan.rules;

import dev.prodguard.contract.Contract;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.Excerpts;
import dev.prodguard.scan.Rule;
import dev.prodguard.scan.ScanContext;

/**
 * A {@code scan-exceptions} entry of the contract that covers no finding: the false positive it was
 * written for is gone (or its path or rule is misspelt), and a stale exception would silently cover
 * the next real finding there. Applied by the scanner after all rules ran; it cannot itself be
 * covered by an exception.
 */
public final class UnusedScanException implements Rule {
  public static final String ID = "unused-scan-exception";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.ERROR;
  }

  @Override
  public String summary() {
    return "A contract scan-exception that matches no finding";
  }

  @Override
  public String why() {
    return "An exception that covers nothing is either misspelt (so the finding it meant is"
        + " still reported) or stale, waiting to hide the next real finding at that path.";
  }

  @Override
  public String recipe() {
    return "Delete the entry, or correct its path or rule so that it names the reviewed false"
        + " positive exactly.";
  }

  public Finding unused(ScanContext context, Contract.ScanException e, boolean knownRule) {
    String specific =
        knownRule
            ? "scan-exception {path: " + e.path() + ", rule: " + e.rule() + "} matches no finding"
            : "scan-exception {path: "
                + e.path()
                + ", rule: "
                + e.rule()
                + "} names no rule of prodguard scan (rules: "
                + String.join(", ", Rules.all().stream().map(Rule::id).toList())
                + ")";
    return finding(
        context.contractPath(),
        e.line(),
        1,
        Excerpts.of("- { path: " + e.path() + ", rule: " + e.rule() + " }"),
        message(specific));
  }
}
