package dev.prodguard.guard.drift;

import dev.prodguard.db.Hashes;
import dev.prodguard.support.DatabaseObjects;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.SchemaObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A target's schema as its catalog describes it ({@link dev.prodguard.support.SchemaCatalog}),
 * prodguard's own objects left out: the sorted list of objects, its text (one line per object,
 * {@code name TAB definition}, with backslash, tab and newline escaped) and the SHA-256 of that
 * text, which is the schema's digest. The text is kept, not only the digest, so drift can be shown
 * object by object.
 */
public final class SchemaDescription {
  private final List<SchemaObject> objects;
  private final String text;
  private final String sha256;

  private SchemaDescription(List<SchemaObject> objects) {
    List<SchemaObject> sorted = new ArrayList<>(objects);
    Collections.sort(sorted);
    this.objects = List.copyOf(sorted);
    StringBuilder sb = new StringBuilder();
    for (SchemaObject o : this.objects) {
      sb.append(escape(o.name())).append('\t').append(escape(o.definition())).append('\n');
    }
    this.text = sb.toString();
    this.sha256 = Hashes.sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads the schema of the connection's database; catalog reads only. */
  public static SchemaDescription read(Connection c, DatabaseSupport d) throws SQLException {
    return new SchemaDescription(d.schemaObjects(c, DatabaseObjects.TABLES));
  }

  public static SchemaDescription of(List<SchemaObject> objects) {
    return new SchemaDescription(objects);
  }

  /**
   * Parses {@link #text()} back.
   *
   * @throws IllegalArgumentException for a line without its tab
   */
  public static SchemaDescription parse(String text) {
    List<SchemaObject> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      int tab = line.indexOf('\t');
      if (tab < 0) {
        throw new IllegalArgumentException("not a schema description line: " + line);
      }
      out.add(
          new SchemaObject(unescape(line.substring(0, tab)), unescape(line.substring(tab + 1))));
    }
    return new SchemaDescription(out);
  }

  public List<SchemaObject> objects() {
    return objects;
  }

  public String text() {
    return text;
  }

  /** SHA-256 of {@link #text()}, lower-case hex. */
  public String sha256() {
    return sha256;
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        sb.append(
            switch (n) {
              case 't' -> '\t';
              case 'n' -> '\n';
              case 'r' -> '\r';
              default -> n;
            });
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }
}
