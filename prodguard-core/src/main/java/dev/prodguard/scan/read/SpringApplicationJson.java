package dev.prodguard.scan.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spring Boot's {@code SPRING_APPLICATION_JSON} (also {@code spring.application.json} and {@code
 * --spring.application.json=}): a JSON document of properties in one variable, which Spring Boot
 * reads before {@code application.properties}. Wherever a file sets it (env files, Kubernetes
 * manifests, docker-compose, shell, Dockerfiles, properties), the JSON is parsed and its properties
 * become settings at the line of the variable, flattened as Spring does ({@code
 * {"spring":{"flyway":{"clean-disabled":false}}}} is {@code spring.flyway.clean-disabled}), so
 * every property rule judges them. The value is found in the text after the name (quoted, escaped
 * inside a double-quoted shell string, or on the next lines of a YAML block), not through one
 * format's parser, because each format quotes it differently.
 */
final class SpringApplicationJson {
  private static final Pattern NAME = Pattern.compile("(?i)spring[._]application[._]json");

  /** How far after the name the JSON may start (quotes, {@code =}, {@code value:}, newlines). */
  private static final int MAX_GAP = 200;

  /** Longest JSON value read (Spring's own limit is the environment's). */
  private static final int MAX_JSON = 256 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private SpringApplicationJson() {}

  static void read(ScanFile f, List<Setting> out) {
    String code = f.code();
    Matcher m = NAME.matcher(code);
    while (m.find()) {
      int brace = start(code, m.end());
      if (brace < 0) {
        continue;
      }
      int end = end(code, brace);
      if (end < 0) {
        continue;
      }
      JsonNode tree = parse(code.substring(brace, end));
      if (tree == null || !tree.isObject()) {
        continue;
      }
      int line = f.line(m.start());
      int column = f.column(m.start());
      List<Setting> found = new ArrayList<>();
      flatten(tree, "", line, column, found);
      out.addAll(found);
    }
  }

  /** The offset of the JSON's '{' after the name, or -1 when something else follows it. */
  private static int start(String code, int from) {
    int limit = Math.min(code.length(), from + MAX_GAP);
    for (int i = from; i < limit; i++) {
      char c = code.charAt(i);
      if (c == '{') {
        return i;
      }
      if (Character.isWhitespace(c) || "\"'`=:|>-\\".indexOf(c) >= 0) {
        continue;
      }
      // Kubernetes: "- name: SPRING_APPLICATION_JSON" then "value: '{...}'"
      if (code.regionMatches(true, i, "value", 0, 5)) {
        i += 4;
        continue;
      }
      return -1;
    }
    return -1;
  }

  /** The offset after the '}' that closes the one at {@code brace}, or -1. */
  private static int end(String code, int brace) {
    int depth = 0;
    boolean inString = false;
    int limit = Math.min(code.length(), brace + MAX_JSON);
    for (int i = brace; i < limit; i++) {
      char c = code.charAt(i);
      if (inString) {
        if (c == '\\' && i + 1 < limit && code.charAt(i + 1) != '"') {
          i++;
        } else if (c == '"' && code.charAt(i - 1) != '\\') {
          inString = false;
        }
      } else if (c == '"' && code.charAt(i - 1) != '\\') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i + 1;
      }
    }
    return -1;
  }

  /** The JSON as written, or as written inside a double-quoted shell string ({@code \"}). */
  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      try {
        return JSON.readTree(text.replace("\\\"", "\"").replace("\\\\", "\\"));
      } catch (JsonProcessingException again) {
        return null;
      }
    }
  }

  private static void flatten(
      JsonNode node, String prefix, int line, int column, List<Setting> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        flatten(e.getValue(), key, line, column, out);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      boolean scalars = true;
      for (JsonNode item : node) {
        scalars &= item.isValueNode();
        items.add(item.asText());
      }
      if (scalars && !prefix.isEmpty()) {
        out.add(SettingsReader.withProfile(prefix, String.join(",", items), line, column, null));
      } else {
        int i = 0;
        for (JsonNode item : node) {
          flatten(item, prefix + "[" + i++ + "]", line, column, out);
        }
      }
    } else if (!prefix.isEmpty() && !node.isNull()) {
      out.add(SettingsReader.withProfile(prefix, node.asText(), line, column, null));
    }
  }
}
