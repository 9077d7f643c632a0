package dev.prodguard.findings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Findings as JSON objects. Each command keeps its documented document around them (docs/lint.md,
 * docs/scan.md); a {@link Shape} names the fields it documents.
 */
public final class JsonWriter {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * The documented fields of a finding object.
   *
   * @param fileKey the name of the file field ({@code file} for lint, {@code path} for scan)
   * @param lintFields {@code migration}, {@code recipe}, {@code covered} and {@code covered_by} on
   *     every finding (lint); otherwise a covered finding carries {@code reason} and {@code
   *     contract} (scan's {@code excepted})
   */
  public record Shape(String fileKey, boolean lintFields) {
    public static final Shape LINT = new Shape("file", true);
    public static final Shape SCAN = new Shape("path", false);
  }

  private JsonWriter() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static ArrayNode findings(List<Finding> findings, Shape shape) {
    ArrayNode a = MAPPER.createArrayNode();
    findings.forEach(f -> a.add(finding(f, shape)));
    return a;
  }

  public static ObjectNode finding(Finding f, Shape shape) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("rule", f.rule());
    o.put("severity", f.severity().id());
    o.put(shape.fileKey(), f.file());
    if (shape.lintFields()) {
      o.put("migration", f.migration());
    }
    o.put("line", f.line());
    o.put("column", f.column());
    if (shape.lintFields()) { // each command's documented order
      o.put("message", f.message());
      o.put("excerpt", f.excerpt());
    } else {
      o.put("excerpt", f.excerpt());
      o.put("message", f.message());
    }
    if (shape.lintFields()) {
      o.put("recipe", f.recipe());
      o.put("covered", f.covered());
      o.put("covered_by", f.covered() ? f.coveredBy().reason() : null);
    } else if (f.covered()) {
      o.put("reason", f.coveredBy().reason());
      Location entry = f.coveredBy().entry();
      if (entry != null) {
        o.put("contract", entry.file() + ":" + entry.line());
      }
    }
    return o;
  }

  /** Indented JSON and a final line feed. */
  public static String write(Object node) {
    try {
      return MAPPER.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
