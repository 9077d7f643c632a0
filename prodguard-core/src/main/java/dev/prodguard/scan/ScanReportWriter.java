package dev.prodguard.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prodguard.db.Redactor;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Renders a {@link ScanReport} as text, JSON, SARIF 2.1.0 or JUnit XML. Everything written passes
 * the {@link Redactor}; excerpts are redacted already when findings are made.
 */
public final class ScanReportWriter {
  public static final String SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  public static final String INFORMATION_URI = "https://github.com/prodguard/prodguard";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String toolVersion;

  public ScanReportWriter(String toolVersion) {
    this.toolVersion = toolVersion == null ? "development" : toolVersion;
  }

  public String write(ScanReport report, ScanFormat format) {
    String out =
        switch (format) {
          case text -> text(report);
          case json -> json(report);
          case sarif -> sarif(report);
          case junit -> junit(report);
        };
    return Redactor.redact(out);
  }

  String text(ScanReport r) {
    StringBuilder b = new StringBuilder();
    for (Finding f : r.findings()) {
      b.append(f.position())
          .append(": ")
          .append(f.severity().label())
          .append(" [")
          .append(f.rule())
          .append("] ")
          .append(f.message())
          .append('\n');
      if (!f.excerpt().isEmpty()) {
        b.append("    ").append(f.excerpt()).append('\n');
      }
    }
    if (!r.findings().isEmpty()) {
      b.append('\n');
    }
    b.append("prodguard scan: ").append(r.filesScanned()).append(" files scanned");
    if (!r.skipped().isEmpty()) {
      b.append(", ").append(r.skipped().size()).append(" skipped (binary or too large)");
    }
    b.append("; ")
        .append(r.errors())
        .append(r.errors() == 1 ? " error, " : " errors, ")
        .append(r.warnings())
        .append(r.warnings() == 1 ? " warning" : " warnings");
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
    ObjectNode root = MAPPER.createObjectNode();
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
    ArrayNode findings = root.putArray("findings");
    for (Finding f : r.findings()) {
      findings.add(finding(f));
    }
    ArrayNode excepted = root.putArray("excepted");
    for (ScanReport.Excepted e : r.excepted()) {
      ObjectNode o = finding(e.finding());
      o.put("reason", e.reason());
      o.put("contract", e.contractFile() + ":" + e.contractLine());
      excepted.add(o);
    }
    ArrayNode skipped = root.putArray("skipped");
    for (ScanReport.Skipped s : r.skipped()) {
      skipped.addObject().put("path", s.path()).put("reason", s.reason());
    }
    if (r.integrityNote() != null) {
      root.put("note", r.integrityNote());
    }
    return write(root);
  }

  private static ObjectNode finding(Finding f) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("rule", f.rule());
    o.put("severity", f.severity().label());
    o.put("path", f.path());
    o.put("line", f.line());
    o.put("column", f.column());
    o.put("excerpt", f.excerpt());
    o.put("message", f.message());
    return o;
  }

  String sarif(ScanReport r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("$schema", SARIF_SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "prodguard");
    driver.put("version", toolVersion);
    driver.put("informationUri", INFORMATION_URI);
    ArrayNode rules = driver.putArray("rules");
    Map<String, Integer> index = new HashMap<>();
    for (Rule rule : r.rules()) {
      index.put(rule.id(), index.size());
      ObjectNode o = rules.addObject();
      o.put("id", rule.id());
      o.put("name", camel(rule.id()));
      o.putObject("shortDescription").put("text", rule.summary());
      o.putObject("fullDescription").put("text", rule.why());
      o.putObject("help").put("text", rule.instead());
      o.putObject("defaultConfiguration").put("level", rule.severity().label());
    }
    run.putObject("originalUriBaseIds")
        .putObject("SRCROOT")
        .put("uri", r.root().toUri().toString());
    ArrayNode results = run.putArray("results");
    for (Finding f : r.findings()) {
      result(results.addObject(), f, index);
    }
    for (ScanReport.Excepted e : r.excepted()) {
      ObjectNode o = results.addObject();
      result(o, e.finding(), index);
      o.putArray("suppressions")
          .addObject()
          .put("kind", "external")
          .put("status", "accepted")
          .put(
              "justification", e.reason() + " (" + e.contractFile() + ":" + e.contractLine() + ")");
    }
    return write(root);
  }

  private static void result(ObjectNode o, Finding f, Map<String, Integer> index) {
    o.put("ruleId", f.rule());
    Integer i = index.get(f.rule());
    if (i != null) {
      o.put("ruleIndex", i);
    }
    o.put("level", f.severity().label());
    o.putObject("message").put("text", f.message());
    ObjectNode physical = o.putArray("locations").addObject().putObject("physicalLocation");
    physical.putObject("artifactLocation").put("uri", f.path()).put("uriBaseId", "SRCROOT");
    if (f.line() > 0) {
      ObjectNode region = physical.putObject("region");
      region.put("startLine", f.line());
      region.put("startColumn", Math.max(1, f.column()));
      if (!f.excerpt().isEmpty()) {
        region.putObject("snippet").put("text", f.excerpt());
      }
    }
  }

  String junit(ScanReport r) {
    StringWriter out = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(out);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      List<Finding> failures =
          r.findings().stream().filter(f -> f.severity() == Severity.ERROR).toList();
      int clean = 0;
      for (Rule rule : r.rules()) {
        if (r.findings().stream().noneMatch(f -> f.rule().equals(rule.id()))) {
          clean++;
        }
      }
      x.writeStartElement("testsuite");
      x.writeAttribute("name", "prodguard scan");
      x.writeAttribute("tests", String.valueOf(r.findings().size() + clean));
      x.writeAttribute("failures", String.valueOf(failures.size()));
      x.writeAttribute("errors", "0");
      x.writeAttribute("skipped", "0");
      x.writeAttribute("time", "0");
      x.writeCharacters("\n");
      for (Rule rule : r.rules()) {
        if (r.findings().stream().anyMatch(f -> f.rule().equals(rule.id()))) {
          continue;
        }
        x.writeCharacters("  ");
        x.writeEmptyElement("testcase");
        x.writeAttribute("classname", "prodguard.scan." + rule.id());
        x.writeAttribute("name", rule.id() + ": no findings");
        x.writeAttribute("time", "0");
        x.writeCharacters("\n");
      }
      for (Finding f : r.findings()) {
        x.writeCharacters("  ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", "prodguard.scan." + f.rule());
        x.writeAttribute("name", xml(f.position()));
        x.writeAttribute("file", xml(f.path()));
        x.writeAttribute("line", String.valueOf(f.line()));
        x.writeAttribute("time", "0");
        if (f.severity() == Severity.ERROR) {
          x.writeStartElement("failure");
          x.writeAttribute("type", f.rule());
          x.writeAttribute("message", xml(f.message()));
          x.writeCharacters(xml(f.position() + "\n" + f.excerpt() + "\n"));
          x.writeEndElement();
        } else {
          x.writeStartElement("system-out");
          x.writeCharacters(xml(f.severity().label() + ": " + f.message() + "\n" + f.excerpt()));
          x.writeEndElement();
        }
        x.writeEndElement();
        x.writeCharacters("\n");
      }
      x.writeEndElement();
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write JUnit XML", e);
    }
    return out + "\n";
  }

  /** Characters XML 1.0 cannot carry (control characters of a binary-ish line) become '?'. */
  private static String xml(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(
          c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF ? '?' : c);
    }
    return b.toString();
  }

  private static String camel(String id) {
    StringBuilder b = new StringBuilder();
    for (String part : id.split("-")) {
      if (!part.isEmpty()) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return b.toString();
  }

  private static String write(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
