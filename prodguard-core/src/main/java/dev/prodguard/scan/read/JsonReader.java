package dev.prodguard.scan.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** JSON ({@code package.json} and others): every scalar under its dotted key path. */
final class JsonReader {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private JsonReader() {}

  static void read(ScanFile f, List<Setting> out) {
    Deque<String> path = new ArrayDeque<>();
    String field = null;
    JsonLocation fieldAt = null;
    try (JsonParser p = FACTORY.createParser(f.text())) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case FIELD_NAME -> {
            field = p.currentName();
            fieldAt = p.currentTokenLocation();
          }
          case START_OBJECT, START_ARRAY -> {
            path.push(field == null ? (path.isEmpty() ? "" : path.peek()) : join(path, field));
            field = null;
          }
          case END_OBJECT, END_ARRAY -> {
            if (!path.isEmpty()) {
              path.pop();
            }
            field = null;
          }
          default -> {
            if (t.isScalarValue()) {
              String key = field == null ? (path.isEmpty() ? "" : path.peek()) : join(path, field);
              JsonLocation at = field == null ? p.currentTokenLocation() : fieldAt;
              if (!key.isEmpty()) {
                out.add(
                    SettingsReader.withProfile(
                        key, p.getText(), at.getLineNr(), at.getColumnNr(), null));
              }
              field = null;
            }
          }
        }
      }
    } catch (IOException e) {
      // keep what was read before the syntax error; the text patterns still apply
    }
  }

  private static String join(Deque<String> path, String field) {
    String parent = path.isEmpty() ? "" : path.peek();
    return parent.isEmpty() ? field : parent + "." + field;
  }
}
