package dev.prodguard.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Writes an environment's fingerprint into prodguard.yml as a line edit, so that the file's
 * comments and layout stay as the team wrote them.
 */
public final class ConfigWriter {
  private ConfigWriter() {}

  public static void writeFingerprint(Path file, String environment, String fingerprint) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    YamlMap root = YamlMap.parse(file.toString(), text);
    YamlMap envs =
        root.map("environments").orElseThrow(() -> root.error(null, "no 'environments'"));
    YamlMap env =
        envs.map(environment)
            .orElseThrow(() -> envs.error(null, "no environment '" + environment + "'"));
    MappingNode node = env.node();
    if (node.getFlowStyle() == FlowStyle.FLOW || node.getValue().isEmpty()) {
      throw env.error(
          null,
          "environment '"
              + environment
              + "' is written in flow style; add 'fingerprint: "
              + fingerprint
              + "' by hand");
    }
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    Node existing = env.valueNode("fingerprint").orElse(null);
    if (existing != null) {
      if (!(existing instanceof ScalarNode)) {
        throw env.error("fingerprint", "fingerprint is not a single value");
      }
      Mark start = existing.getStartMark().orElseThrow();
      Mark end = existing.getEndMark().orElseThrow();
      if (start.getLine() != end.getLine()) {
        throw env.error("fingerprint", "fingerprint spans several lines; edit it by hand");
      }
      String line = lines.get(start.getLine());
      int from = line.offsetByCodePoints(0, start.getColumn());
      int to = line.offsetByCodePoints(0, end.getColumn());
      lines.set(start.getLine(), line.substring(0, from) + fingerprint + line.substring(to));
    } else {
      Node firstKey = node.getValue().get(0).getKeyNode();
      Mark at = firstKey.getStartMark().orElseThrow();
      String indent = " ".repeat(at.getColumn());
      lines.add(at.getLine(), indent + "fingerprint: " + fingerprint);
    }
    String updated = String.join("\n", lines);
    // The edit must leave a file that loads to the same structure plus the new value.
    YamlMap check = YamlMap.parse(file.toString(), updated);
    String written =
        check
            .map("environments")
            .flatMap(e -> e.map(environment))
            .flatMap(e -> e.string("fingerprint"))
            .map(YamlMap.Scalar::value)
            .orElse(null);
    if (!fingerprint.equals(written)) {
      throw env.error(null, "could not edit the file safely; add the fingerprint by hand");
    }
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, updated, StandardCharsets.UTF_8);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
