package dev.prodguard.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prodguard.db.Redactor;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.JsonWriter;
import dev.prodguard.findings.JunitWriter;
import dev.prodguard.findings.OutputFormat;
import dev.prodguard.findings.SarifWriter;
import dev.prodguard.findings.TextWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link ScanReport} in an {@link OutputFormat} with the findings writers, around scan's
 * documented summary (docs/scan.md). Everything written passes the {@link Redactor}; excerpts are
 * redacted already when findings are made.
 */
public final class ScanReportWriter {
  private final String toolVersion;

  public ScanReportWriter(String toolVersion) {
    this.toolVersion = toolVersion == null ? "development" : toolVersion;
  }

  public String write(ScanReport report, OutputFormat format) {
    String out =
        switch (format) {
          case text -> text(report);
          case json -> json(report);
          case sarif ->
              SarifWriter.write(toolVersion, report.root().toUri(), report.rules(), all(report));
          case junit -> junit(report);
        };
    return Redactor.redact(out);
  }

  private static List<Finding> all(ScanReport r) {
    List<Finding> all = new ArrayList<>(r.findings());
    r.excepted().forEach(e -> all.add(e.finding()));
    return all;
  }

  String text(ScanReport r) {
    StringBuilder b = new StringBuilder(TextWriter.findings(r.findings()));
    if (!r.findings().isEmpty()) {
      b.append('\n');
    }
    b.append("prodguard scan: ").append(r.filesScanned()).append(" files scanned");
    if (!r.skipped().isEmpty()) {
      b.append(", ")
          .append(r.skipped().size())
          .append(" skipped (binary, too large, or prodguard's own output)");
    }
    b.append("; ")
        .append(TextWriter.count(r.errors(), "error"))
        .append(", ")
        .append(TextWriter.count(r.warnings(), "warning"));
    if (!r.excepted().isEmpty()) {
      b.append("; ")
          .append(r.excepted().size())
          .append(" covered by the contract's scan-exceptions");
    }
    b.append('\n');
    if (r.integrityNote() != null) {
      b.append("note: ").append(r.integrityNote()).append('\n');
    }
    b.append(r.failed() ? "FAILED (G5 no bypasses)\n" : "ok\n");
    return b.toString();
  }

  String json(ScanReport r) {
    ObjectNode root = JsonWriter.object();
    root.put("tool", "prodguard");
    root.put("version", toolVersion);
    root.put("root", r.root().toString());
    ObjectNode summary = root.putObject("summary");
    summary.put("files_scanned", r.filesScanned());
    summary.put("files_skipped", r.skipped().size());
    summary.put("errors", r.errors());
    summary.put("warnings", r.warnings());
    summary.put("excepted", r.excepted().size());
    summary.put("failed", r.failed());
    root.set("findings", JsonWriter.findings(r.findings(), JsonWriter.Shape.SCAN));
    root.set(
        "excepted",
        JsonWriter.findings(
            r.excepted().stream().map(ScanReport.Excepted::finding).toList(),
            JsonWriter.Shape.SCAN));
    ArrayNode skipped = root.putArray("skipped");
    for (ScanReport.Skipped s : r.skipped()) {
      skipped.addObject().put("path", s.path()).put("reason", s.reason());
    }
    if (r.integrityNote() != null) {
      root.put("note", r.integrityNote());
    }
    return JsonWriter.write(root);
  }

  String junit(ScanReport r) {
    List<JunitWriter.Case> clean = new ArrayList<>();
    for (Rule rule : r.rules()) {
      if (r.findings().stream().noneMatch(f -> f.rule().equals(rule.id()))) {
        clean.add(new JunitWriter.Case("prodguard.scan." + rule.id(), rule.id() + ": no findings"));
      }
    }
    return JunitWriter.write(
        new JunitWriter.Suite("prodguard scan", "scan", false), clean, r.findings());
  }
}
