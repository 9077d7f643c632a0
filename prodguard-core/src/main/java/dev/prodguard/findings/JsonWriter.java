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
    JsonStream.fields(
        f,
        shape,
        new JsonStream.Fields() {
          @Override
          public void put(String name, String value) {
            o.put(name, value);
          }

          @Override
          public void put(String name, int value) {
            o.put(name, value);
          }

          @Override
          public void put(String name, boolean value) {
            o.put(name, value);
          }
        });
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
