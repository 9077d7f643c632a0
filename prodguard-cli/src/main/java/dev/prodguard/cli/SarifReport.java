package dev.prodguard.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SARIF 2.1.0, as GitHub code scanning accepts it. */
final class SarifReport {
  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private SarifReport() {}

  static String write(String toolVersion, List<ReportItem.RuleInfo> rules, List<ReportItem> items) {
    Map<String, Integer> index = new LinkedHashMap<>();
    List<Object> ruleObjects = new ArrayList<>();
    for (ReportItem.RuleInfo r : rules) {
      index.put(r.id(), ruleObjects.size());
      Map<String, Object> rule = new LinkedHashMap<>();
      rule.put("id", r.id());
      rule.put("name", camel(r.id()));
      rule.put("shortDescription", text(r.summary()));
      rule.put("fullDescription", text(r.summary()));
      rule.put("help", text(r.recipe()));
      rule.put("defaultConfiguration", Map.of("level", level(r.defaultLevel())));
      ruleObjects.add(rule);
    }
    List<Object> results = new ArrayList<>();
    for (ReportItem i : items) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("ruleId", i.rule());
      if (index.containsKey(i.rule())) {
        result.put("ruleIndex", index.get(i.rule()));
      }
      result.put("level", level(i.level()));
      result.put("message", text(i.message() + ". Fix: " + i.recipe()));
      Map<String, Object> region = new LinkedHashMap<>();
      region.put("startLine", Math.max(1, i.line()));
      region.put("startColumn", Math.max(1, i.column()));
      if (i.excerpt() != null && !i.excerpt().isEmpty()) {
        region.put("snippet", text(i.excerpt()));
      }
      Map<String, Object> physical = new LinkedHashMap<>();
      physical.put("artifactLocation", Map.of("uri", uri(i.file())));
      physical.put("region", region);
      result.put("locations", List.of(Map.of("physicalLocation", physical)));
      if (i.suppressedBy() != null) {
        result.put(
            "suppressions", List.of(Map.of("kind", "external", "justification", i.suppressedBy())));
      }
      results.add(result);
    }
    Map<String, Object> driver = new LinkedHashMap<>();
    driver.put("name", "prodguard");
    driver.put("version", toolVersion);
    driver.put("rules", ruleObjects);
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("tool", Map.of("driver", driver));
    run.put("results", results);
    Map<String, Object> log = new LinkedHashMap<>();
    log.put("$schema", SCHEMA);
    log.put("version", "2.1.0");
    log.put("runs", List.of(run));
    return Json.write(log);
  }

  private static Map<String, String> text(String s) {
    return Map.of("text", s == null || s.isEmpty() ? "-" : s);
  }

  static String level(String level) {
    return switch (level) {
      case "error" -> "error";
      case "warning" -> "warning";
      default -> "note";
    };
  }

  private static String camel(String id) {
    StringBuilder sb = new StringBuilder();
    boolean up = true;
    for (char c : id.toCharArray()) {
      if (c == '-') {
        up = true;
      } else {
        sb.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return sb.toString();
  }

  static String uri(String path) {
    try {
      return new URI(null, null, path.replace('\\', '/'), null).toASCIIString();
    } catch (URISyntaxException e) {
      return path.replace('\\', '/');
    }
  }
}
