package dev.prodguard.findings;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SARIF 2.1.0, as GitHub code scanning accepts it: one run, every rule in {@code
 * tool.driver.rules}, a result per finding; a covered finding carries an external, accepted
 * suppression with the contract's reason.
 */
public final class SarifWriter {
  public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  public static final String INFORMATION_URI = "https://github.com/prodguard/prodguard";

  private SarifWriter() {}

  /**
   * @param toolVersion prodguard's version, or null in a development build
   * @param srcRoot the directory the findings' paths are relative to, or null
   */
  public static String write(
      String toolVersion, URI srcRoot, List<? extends RuleInfo> rules, List<Finding> findings) {
    ObjectNode root = JsonWriter.object();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "prodguard");
    driver.put("version", toolVersion == null ? "development" : toolVersion);
    driver.put("informationUri", INFORMATION_URI);
    ArrayNode ruleArray = driver.putArray("rules");
    Map<String, Integer> index = new HashMap<>();
    for (RuleInfo rule : rules) {
      index.put(rule.id(), index.size());
      ObjectNode o = ruleArray.addObject();
      o.put("id", rule.id());
      o.put("name", camel(rule.id()));
      o.putObject("shortDescription").put("text", text(rule.summary()));
      o.putObject("fullDescription").put("text", text(rule.why()));
      o.putObject("help").put("text", text(rule.recipe()));
      o.putObject("defaultConfiguration").put("level", rule.defaultSeverity().sarifLevel());
      o.putObject("properties").put("guarantee", rule.guarantee());
    }
    if (srcRoot != null) {
      run.putObject("originalUriBaseIds").putObject("SRCROOT").put("uri", srcRoot.toString());
    }
    ArrayNode results = run.putArray("results");
    for (Finding f : findings) {
      ObjectNode o = results.addObject();
      o.put("ruleId", f.rule());
      Integer i = index.get(f.rule());
      if (i != null) {
        o.put("ruleIndex", i);
      }
      o.put("level", f.severity().sarifLevel());
      o.putObject("message")
          .put("text", f.recipe() == null ? f.message() : f.message() + ". Fix: " + f.recipe());
      ObjectNode physical = o.putArray("locations").addObject().putObject("physicalLocation");
      ObjectNode artifact = physical.putObject("artifactLocation").put("uri", uri(f.file()));
      if (srcRoot != null) {
        artifact.put("uriBaseId", "SRCROOT");
      }
      if (f.line() > 0) {
        ObjectNode region = physical.putObject("region");
        region.put("startLine", f.line());
        region.put("startColumn", Math.max(1, f.column()));
        if (!f.excerpt().isEmpty()) {
          region.putObject("snippet").put("text", f.excerpt());
        }
      }
      if (f.covered()) {
        o.putArray("suppressions")
            .addObject()
            .put("kind", "external")
            .put("justification", f.coveredBy().justification());
      }
    }
    return JsonWriter.write(root);
  }

  private static String text(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  static String camel(String id) {
    StringBuilder b = new StringBuilder();
    for (String part : id.split("-")) {
      if (!part.isEmpty()) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return b.toString();
  }

  /** A relative path as a URI reference: forward slashes, spaces and the like escaped. */
  static String uri(String path) {
    String p = path.replace('\\', '/');
    try {
      return new URI(null, null, p, null).toASCIIString();
    } catch (URISyntaxException e) {
      return p;
    }
  }
}
