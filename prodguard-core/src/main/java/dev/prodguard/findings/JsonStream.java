package dev.prodguard.findings;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * JSON written as it is produced: the same text as {@link JsonWriter#write} of the equivalent tree
 * (Jackson's default pretty printer, the same escaping, a final line feed), without building the
 * tree and without Jackson's object mapper, whose start-up (hundreds of classes, date formats) a
 * short command pays once per run. For reports of thousands of findings ({@code lint --format
 * json}). Also the one list of a finding's documented fields, in each command's documented order
 * ({@link JsonWriter#finding} builds its node from it).
 */
public final class JsonStream {
  private static final JsonFactory FACTORY = new JsonFactory();

  /**
   * For {@link #writeUtf8}: a character outside the Basic Multilingual Plane (an emoji in a file
   * name or a comment) written as its four UTF-8 bytes, as the text of {@link #write} encodes it;
   * Jackson's byte generator would otherwise write it as two escaped surrogates.
   */
  private static final JsonFactory UTF8 =
      JsonFactory.builder()
          .enable(
              com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .build();

  /** Writes one JSON document's values through {@code g}. */
  @FunctionalInterface
  public interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** Where a finding's fields go: a node of a tree or a generator. */
  interface Fields {
    void put(String name, String value);

    void put(String name, int value);

    void put(String name, boolean value);
  }

  private JsonStream() {}

  /** Indented JSON and a final line feed, exactly as {@link JsonWriter#write} of the same tree. */
  public static String write(Body body) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    return out.append('\n').toString();
  }

  /**
   * The UTF-8 bytes of {@link #write(Body)}'s text, written as UTF-8 directly (Jackson's byte
   * generator): a report of megabytes is not built as a string and then encoded (a report with one
   * non-Latin-1 character is a UTF-16 string of twice its length, copied as it grows).
   */
  public static byte[] writeUtf8(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
    try (JsonGenerator g = UTF8.createGenerator(out, JsonEncoding.UTF8)) {
      g.useDefaultPrettyPrinter();
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** The field {@code name}: an array of the findings as {@link JsonWriter#findings} writes it. */
  public static void findings(
      JsonGenerator g, String name, List<Finding> findings, JsonWriter.Shape shape)
      throws IOException {
    g.writeArrayFieldStart(name);
    Fields fields = fields(g);
    for (Finding f : findings) {
      g.writeStartObject();
      fields(f, shape, fields);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** A finding's documented fields, in the order of {@code shape}'s command. */
  static void fields(Finding f, JsonWriter.Shape shape, Fields o) {
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
  }

  /** Fields written through a generator; a null string is written as JSON null, as in a tree. */
  private static Fields fields(JsonGenerator g) {
    return new Fields() {
      @Override
      public void put(String name, String value) {
        try {
          if (value == null) {
            g.writeNullField(name);
          } else {
            g.writeStringField(name, value);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void put(String name, int value) {
        try {
          g.writeNumberField(name, value);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void put(String name, boolean value) {
        try {
          g.writeBooleanField(name, value);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
