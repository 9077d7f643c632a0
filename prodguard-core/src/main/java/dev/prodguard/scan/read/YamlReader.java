package dev.prodguard.scan.read;

import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * YAML flattened to dotted keys with the line and column of each key, document by document
 * (Spring's {@code spring.config.activate.on-profile} names a document's profile). Kubernetes-style
 * {@code - name: X / value: Y} lists become {@code X = Y}. A file snakeyaml cannot parse (Helm
 * templates, for instance) is read line by line by indentation instead: unparseable must not mean
 * unscanned.
 */
final class YamlReader {
  private static final int MAX_DEPTH = 64;

  private YamlReader() {}

  static void read(ScanFile f, List<Setting> out) {
    List<Setting> parsed = new ArrayList<>();
    try {
      LoadSettings settings =
          LoadSettings.builder()
              .setLabel(f.path())
              .setAllowDuplicateKeys(true)
              .setMaxAliasesForCollections(50)
              .setCodePointLimit(4 * 1024 * 1024)
              .build();
      Composer composer =
          new Composer(settings, new ParserImpl(settings, new StreamReader(settings, f.text())));
      while (composer.hasNext()) {
        Node doc = composer.next();
        List<Setting> docSettings = new ArrayList<>();
        flatten(doc, "", docSettings, 0, new IdentityHashMap<>());
        String profile = null;
        for (Setting s : docSettings) {
          if (s.key().equals("spring.config.activate.on-profile")
              || s.key().equals("spring.profiles")) {
            profile = s.value();
          }
        }
        for (Setting s : docSettings) {
          parsed.add(profile == null || s.profile() != null ? s : s.withProfile(profile));
        }
      }
    } catch (YamlEngineException | IllegalStateException e) {
      parsed.clear();
      byIndentation(f, parsed);
    }
    out.addAll(parsed);
  }

  private static void flatten(
      Node node, String prefix, List<Setting> out, int depth, Map<Node, Boolean> onPath) {
    if (node == null || depth > MAX_DEPTH || onPath.containsKey(node)) {
      return;
    }
    onPath.put(node, Boolean.TRUE);
    try {
      if (node instanceof MappingNode m) {
        ScalarNode nameNode = null;
        ScalarNode valueNode = null;
        for (NodeTuple t : m.getValue()) {
          if (!(t.getKeyNode() instanceof ScalarNode k)) {
            continue;
          }
          String key = k.getValue();
          Node v = t.getValueNode();
          if (key.equals("name") && v instanceof ScalarNode s) {
            nameNode = s;
          } else if (key.equals("value") && v instanceof ScalarNode s) {
            valueNode = s;
          }
          String path = prefix.isEmpty() ? key : prefix + "." + key;
          if (v instanceof ScalarNode s) {
            out.add(setting(path, s.getValue(), k));
          } else if (v instanceof SequenceNode seq && allScalars(seq)) {
            List<String> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
              items.add(((ScalarNode) item).getValue());
            }
            out.add(setting(path, String.join(",", items), k));
          } else {
            flatten(v, path, out, depth + 1, onPath);
          }
        }
        if (nameNode != null && valueNode != null && !nameNode.getValue().isBlank()) {
          String path = prefix.isEmpty() ? nameNode.getValue() : prefix + "." + nameNode.getValue();
          out.add(setting(path, valueNode.getValue(), nameNode));
        }
      } else if (node instanceof SequenceNode seq) {
        for (Node item : seq.getValue()) {
          flatten(item, prefix, out, depth + 1, onPath);
        }
      }
    } finally {
      onPath.remove(node);
    }
  }

  private static boolean allScalars(SequenceNode seq) {
    for (Node n : seq.getValue()) {
      if (!(n instanceof ScalarNode)) {
        return false;
      }
    }
    return !seq.getValue().isEmpty();
  }

  private static Setting setting(String path, String value, Node at) {
    int line = at.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    int column = at.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
    return SettingsReader.withProfile(path, value, line, column, null);
  }

  /** Fallback: {@code key: value} lines, nested by indentation. */
  private static void byIndentation(ScanFile f, List<Setting> out) {
    String code = f.code();
    Deque<int[]> indents = new ArrayDeque<>();
    Deque<String> keys = new ArrayDeque<>();
    String[] lines = code.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int indent = 0;
      while (indent < line.length() && line.charAt(indent) == ' ') {
        indent++;
      }
      String rest = line.substring(indent).stripTrailing();
      int keyCol = indent;
      if (rest.startsWith("- ")) {
        rest = rest.substring(2);
        keyCol += 2;
        indent += 2;
      }
      if (rest.isEmpty()) {
        continue;
      }
      int colon = keyColon(rest);
      if (colon <= 0) {
        continue;
      }
      String key = SettingsReader.unquote(rest.substring(0, colon).trim());
      String value = rest.substring(colon + 1).trim();
      while (!indents.isEmpty() && indents.peek()[0] >= indent) {
        indents.pop();
        keys.pop();
      }
      List<String> parts = new ArrayList<>(keys);
      java.util.Collections.reverse(parts);
      parts.add(key);
      String path = String.join(".", parts);
      if (value.isEmpty() || value.equals("|") || value.equals(">") || value.startsWith("&")) {
        indents.push(new int[] {indent});
        keys.push(key);
      } else {
        out.add(
            SettingsReader.withProfile(
                path, SettingsReader.unquote(value), i + 1, keyCol + 1, null));
      }
    }
  }

  private static int keyColon(String s) {
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (i == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == ':' && (i + 1 == s.length() || s.charAt(i + 1) == ' ')) {
        return i;
      } else if (c == ' ' && i == 0) {
        return -1;
      }
    }
    return -1;
  }
}
