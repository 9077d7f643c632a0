package dev.prodguard.scan;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What each scan rule finds, in detail, for the documentation: the sections of {@code
 * dev/prodguard/scan/rules/details.md} ({@code ## rule-id}, then one paragraph). Kept as markdown,
 * not in the rule classes, so that the patterns it quotes are documentation to the scan itself.
 */
final class RuleDetails {
  private static final String RESOURCE = "/dev/prodguard/scan/rules/details.md";
  private static final Map<String, String> DETAILS = load();

  private RuleDetails() {}

  static String of(String ruleId) {
    return DETAILS.getOrDefault(ruleId, "");
  }

  private static Map<String, String> load() {
    String text;
    try (InputStream in = RuleDetails.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            RESOURCE + " is missing: a broken build; rebuild prodguard");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    Map<String, String> out = new HashMap<>();
    String id = null;
    StringBuilder paragraph = new StringBuilder();
    for (String line : (text + "\n## end").split("\n")) {
      if (line.startsWith("## ")) {
        if (id != null) {
          out.put(id, paragraph.toString().strip());
        }
        id = line.substring(3).strip();
        paragraph.setLength(0);
      } else if (id != null && !line.isBlank()) {
        paragraph.append(paragraph.length() == 0 ? "" : " ").append(line.strip());
      }
    }
    return Map.copyOf(out);
  }
}
