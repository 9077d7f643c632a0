package dev.prodguard.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * A YAML mapping read strictly: every value is typed on access, every error names file, line and
 * key, duplicate keys are errors, and {@link #finish()} rejects keys nobody asked for. Shared by
 * {@code prodguard.yml} and the contract.
 */
public final class YamlMap {
  private final String file;
  private final String path;
  private final MappingNode node;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final Set<String> consumed = new LinkedHashSet<>();

  private YamlMap(String file, String path, MappingNode node) {
    this.file = file;
    this.path = path;
    this.node = node;
    for (NodeTuple tuple : node.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode)) {
        throw new ConfigException(file, line(keyNode), path, "keys must be plain strings");
      }
      String key = ((ScalarNode) keyNode).getValue();
      if (entries.containsKey(key)) {
        throw new ConfigException(
            file, line(keyNode), qualify(key), "duplicate key '" + key + "': which one is meant?");
      }
      entries.put(key, tuple);
    }
  }

  /** Parses a file whose root must be a mapping. */
  public static YamlMap load(Path file) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(ConfigFiles.read(file, "the file")))
              .toString();
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, 0, null, "file not found");
    } catch (CharacterCodingException e) {
      throw new ConfigException(file, 0, null, "the file is not valid UTF-8");
    } catch (IOException e) {
      throw new ConfigException(file, 0, null, "cannot read file: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  /**
   * Longest line a configuration file may have: the YAML scanner slows down superlinearly on one
   * long line (a 1 MB line takes seconds), and no real configuration line comes near this.
   */
  public static final int MAX_LINE = 64 * 1024;

  private static void checkLineLengths(String file, String text) {
    int line = 1;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i - start > MAX_LINE) {
          throw new ConfigException(
              file,
              line,
              null,
              "this line is longer than "
                  + (MAX_LINE / 1024)
                  + " KiB, the most prodguard reads in one line of a configuration file: check"
                  + " the file");
        }
        line++;
        start = i + 1;
      }
    }
  }

  /** Deepest nesting of mappings and sequences a configuration file may have. */
  public static final int MAX_DEPTH = 64;

  public static YamlMap parse(String file, String text) {
    if (text.length() > ConfigFiles.MAX_BYTES) {
      throw ConfigFiles.tooLarge(file, "the file");
    }
    checkLineLengths(file, text);
    Node root;
    try {
      LoadSettings settings =
          LoadSettings.builder()
              .setLabel(file)
              .setAllowDuplicateKeys(true)
              .setSchema(new CoreSchema())
              .setCodePointLimit(ConfigFiles.MAX_BYTES)
              .setMaxAliasesForCollections(50)
              .build();
      checkDepth(file, settings, text);
      Composer composer =
          new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
      root = composer.getSingleNode().orElse(null);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      throw new ConfigException(file, line, null, "not valid YAML: " + e.getProblem());
    } catch (YamlEngineException e) {
      throw new ConfigException(file, 0, null, "not valid YAML: " + e.getMessage());
    } catch (StackOverflowError e) {
      throw new ConfigException(
          file, 0, null, "nested too deeply to read (more than " + MAX_DEPTH + " levels)");
    }
    if (root == null) {
      throw new ConfigException(file, 1, null, "the file is empty");
    }
    if (!(root instanceof MappingNode)) {
      throw new ConfigException(file, line(root), null, "the top level must be a mapping");
    }
    return new YamlMap(file, "", (MappingNode) root);
  }

  /**
   * Walks the event stream (the parser keeps its own stack, it does not recurse) and refuses
   * nesting deeper than {@link #MAX_DEPTH} before the recursive composer could overflow the stack.
   */
  private static void checkDepth(String file, LoadSettings settings, String text) {
    ParserImpl parser = new ParserImpl(settings, new StreamReader(settings, text));
    int depth = 0;
    while (parser.hasNext()) {
      Event e = parser.next();
      switch (e.getEventId()) {
        case MappingStart, SequenceStart -> {
          if (++depth > MAX_DEPTH) {
            int line = e.getStartMark().map(m -> m.getLine() + 1).orElse(0);
            throw new ConfigException(
                file,
                line,
                null,
                "mappings and lists are nested more than "
                    + MAX_DEPTH
                    + " levels deep here; a real configuration needs a handful: check the file");
          }
        }
        case MappingEnd, SequenceEnd -> depth--;
        default -> {
          // scalars, aliases, document and stream markers do not nest
        }
      }
    }
  }

  public String file() {
    return file;
  }

  /** Dotted path of this mapping, empty at the root. */
  public String path() {
    return path;
  }

  public int line() {
    return line(node);
  }

  public MappingNode node() {
    return node;
  }

  public Set<String> keys() {
    return entries.keySet();
  }

  public boolean has(String key) {
    return entries.containsKey(key);
  }

  public int lineOf(String key) {
    NodeTuple t = entries.get(key);
    return t == null ? line() : line(t.getKeyNode());
  }

  public String qualify(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public ConfigException error(String key, String message) {
    return new ConfigException(file, lineOf(key), key == null ? path : qualify(key), message);
  }

  /** A scalar string value (explicitly null values count as absent). */
  public Optional<Scalar> scalar(String key) {
    Node value = value(key);
    if (value == null || isNull(value)) {
      return Optional.empty();
    }
    if (!(value instanceof ScalarNode)) {
      throw new ConfigException(file, line(value), qualify(key), "expected a single value");
    }
    return Optional.of(new Scalar(((ScalarNode) value).getValue(), line(value), qualify(key)));
  }

  /** A value that must be text, not a number or boolean that YAML would resolve implicitly. */
  public Optional<Scalar> string(String key) {
    Node value = value(key);
    Optional<Scalar> s = scalar(key);
    if (s.isPresent() && !isText(value)) {
      throw new ConfigException(
          file, s.get().line(), qualify(key), "expected text, found '" + s.get().value() + "'");
    }
    return s;
  }

  public Scalar requiredString(String key) {
    return string(key).orElseThrow(() -> error(key, "'" + qualify(key) + "' is required"));
  }

  public Optional<Boolean> bool(String key) {
    Optional<Scalar> s = scalar(key);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    if (Tag.BOOL.equals(value(key).getTag())) {
      return Optional.of(Boolean.parseBoolean(s.get().value().toLowerCase(java.util.Locale.ROOT)));
    }
    throw new ConfigException(
        file,
        s.get().line(),
        qualify(key),
        "expected true or false, found '" + s.get().value() + "'");
  }

  public Optional<Long> integer(String key) {
    Optional<Scalar> s = scalar(key);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(s.get().value()));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          file,
          s.get().line(),
          qualify(key),
          "expected a whole number, found '" + s.get().value() + "'");
    }
  }

  /** A list of strings; a single string is not silently promoted to a list. */
  public Optional<List<Scalar>> stringList(String key) {
    Node value = value(key);
    if (value == null || isNull(value)) {
      return Optional.empty();
    }
    if (!(value instanceof SequenceNode)) {
      throw new ConfigException(
          file, line(value), qualify(key), "expected a list, e.g. " + key + ": [a, b]");
    }
    List<Scalar> out = new ArrayList<>();
    for (Node item : ((SequenceNode) value).getValue()) {
      if (!(item instanceof ScalarNode) || !isText(item)) {
        throw new ConfigException(file, line(item), qualify(key), "list items must be text");
      }
      out.add(new Scalar(((ScalarNode) item).getValue(), line(item), qualify(key)));
    }
    return Optional.of(out);
  }

  /** A list of mappings, e.g. contract exceptions. */
  public Optional<List<YamlMap>> mapList(String key) {
    Node value = value(key);
    if (value == null || isNull(value)) {
      return Optional.empty();
    }
    if (!(value instanceof SequenceNode)) {
      throw new ConfigException(file, line(value), qualify(key), "expected a list of entries");
    }
    List<YamlMap> out = new ArrayList<>();
    int i = 0;
    for (Node item : ((SequenceNode) value).getValue()) {
      if (!(item instanceof MappingNode)) {
        throw new ConfigException(
            file, line(item), qualify(key) + "[" + i + "]", "each entry must be a mapping");
      }
      out.add(new YamlMap(file, qualify(key) + "[" + i + "]", (MappingNode) item));
      i++;
    }
    return Optional.of(out);
  }

  /** A nested mapping; an explicit empty value ({@code payments: {}} or null) is an empty map. */
  public Optional<YamlMap> map(String key) {
    Node value = value(key);
    if (value == null) {
      return Optional.empty();
    }
    if (isNull(value)) {
      MappingNode empty =
          new MappingNode(
              Tag.MAP,
              true,
              new ArrayList<>(),
              FlowStyle.FLOW,
              value.getStartMark(),
              value.getEndMark());
      return Optional.of(new YamlMap(file, qualify(key), empty));
    }
    if (!(value instanceof MappingNode)) {
      throw new ConfigException(file, line(value), qualify(key), "expected a mapping");
    }
    return Optional.of(new YamlMap(file, qualify(key), (MappingNode) value));
  }

  /** Every value as a nested mapping, by key (e.g. environments); marks all keys as read. */
  public Map<String, YamlMap> children() {
    Map<String, YamlMap> out = new LinkedHashMap<>();
    for (String key : entries.keySet()) {
      out.put(key, map(key).orElseThrow());
    }
    return out;
  }

  /** Rejects keys that were never read: unknown keys are errors, not warnings. */
  public void finish(String... known) {
    for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
      if (!consumed.contains(e.getKey())) {
        String hint = known.length == 0 ? "" : " (known keys: " + String.join(", ", known) + ")";
        throw new ConfigException(
            file,
            line(e.getValue().getKeyNode()),
            qualify(e.getKey()),
            "unknown key '" + e.getKey() + "'" + hint);
      }
    }
  }

  private Node value(String key) {
    consumed.add(key);
    NodeTuple t = entries.get(key);
    return t == null ? null : t.getValueNode();
  }

  /** The raw node of a key's value, for callers that edit the file in place. */
  public Optional<Node> valueNode(String key) {
    NodeTuple t = entries.get(key);
    return t == null ? Optional.empty() : Optional.of(t.getValueNode());
  }

  public Optional<Node> keyNode(String key) {
    NodeTuple t = entries.get(key);
    return t == null ? Optional.empty() : Optional.of(t.getKeyNode());
  }

  /** Plain text; a whole-value {@code ${VAR}} gets snakeyaml's env tag but is text to us. */
  private static boolean isText(Node n) {
    return Tag.STR.equals(n.getTag()) || Tag.ENV_TAG.equals(n.getTag());
  }

  private static boolean isNull(Node n) {
    return Tag.NULL.equals(n.getTag());
  }

  static int line(Node n) {
    return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  /** A scalar with its position, for errors raised after reading (e.g. a bad URL). */
  public record Scalar(String value, int line, String key) {}
}
