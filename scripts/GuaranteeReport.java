import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Prints the table of guarantees (G1-G10) with the test classes that prove each and their pass
 * counts, read from the Surefire/Failsafe XML reports of the last build, and which of the
 * original specification's proofs ran. Usage: java scripts/GuaranteeReport.java [ROOT]
 */
public class GuaranteeReport {
  static final String[] TITLES = {
    "", "CI-only mutation", "environment fingerprint", "early URL refusal",
    "frozen mutation contract", "no bypasses", "direct migration blocked",
    "order-locked pipeline", "one deploy at a time", "verified backup before deploy",
    "tamper-evident audit"
  };
  static final String[] PROOFS = {
    "direct migrate fails (even with CI=true)",
    "direct migrate fails without deployment approval",
    "deploy fails locally even with APP_ENV=production",
    "a production URL in development fails before the migration tool initialises",
    "deployment fails without verification state",
    "deployment fails without backup state",
    "only the pipeline calls migrate",
    "no bypass flags exist",
    "the fingerprint check fails when the dev URL points to prod",
    "the fingerprint check fails when the prod URL points to dev",
    "the fingerprint check fails when metadata is missing",
    "the fingerprint check fails when metadata is corrupted",
    "the contract check fails when a new mutation script appears",
    "the contract check fails when a migration breaks it"
  };
  static final Pattern G = Pattern.compile("^(G(?:10|[1-9]))(?![0-9])");

  record Case(String guarantee, String testClass, String name, boolean passed, boolean skipped) {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    List<Case> cases = new ArrayList<>();
    List<Path> reports;
    try (Stream<Path> s = Files.walk(root, 5)) {
      reports = s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
          .filter(p -> p.toString().contains("surefire-reports") || p.toString().contains("failsafe-reports"))
          .sorted().toList();
    }
    var dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    for (Path report : reports) {
      String file = report.getFileName().toString();
      String fqcn = file.substring(5, file.length() - 4);
      String simple = fqcn.substring(fqcn.lastIndexOf('.') + 1);
      NodeList tcs = dbf.newDocumentBuilder().parse(report.toFile()).getElementsByTagName("testcase");
      for (int i = 0; i < tcs.getLength(); i++) {
        Element tc = (Element) tcs.item(i);
        String name = tc.getAttribute("name");
        String g = first(name, tc.getAttribute("classname"), simple);
        boolean failed = tc.getElementsByTagName("failure").getLength() > 0
            || tc.getElementsByTagName("error").getLength() > 0;
        boolean skipped = tc.getElementsByTagName("skipped").getLength() > 0;
        cases.add(new Case(g, simple, name, !failed && !skipped, skipped));
      }
    }
    if (cases.isEmpty()) {
      System.out.println("guarantee report: no test reports found under " + root.toAbsolutePath());
      return;
    }
    System.out.println();
    System.out.println("Guarantees and the tests that prove them (from this build's test reports)");
    System.out.printf("%-4s %-30s %6s %6s  %s%n", "", "guarantee", "passed", "failed", "test classes");
    int otherPassed = 0;
    int otherFailed = 0;
    for (int n = 1; n <= 10; n++) {
      String g = "G" + n;
      int passed = 0;
      int failed = 0;
      TreeSet<String> classes = new TreeSet<>();
      for (Case c : cases) {
        if (g.equals(c.guarantee)) {
          classes.add(c.testClass);
          if (c.passed) passed++; else if (!c.skipped) failed++;
        }
      }
      System.out.printf("%-4s %-30s %6d %6d  %s%n", g, TITLES[n], passed, failed,
          classes.isEmpty() ? "(no tests yet)" : String.join(", ", classes));
    }
    for (Case c : cases) {
      if (c.guarantee == null) {
        if (c.passed) otherPassed++; else if (!c.skipped) otherFailed++;
      }
    }
    System.out.printf("%-4s %-30s %6d %6d  %s%n", "", "other tests", otherPassed, otherFailed, "");
    System.out.println();
    System.out.println("The original specification's proofs:");
    for (String proof : PROOFS) {
      String key = normalise(proof);
      int passed = 0;
      int failed = 0;
      for (Case c : cases) {
        if (normalise(c.name).contains(key)) {
          if (c.passed) passed++; else if (!c.skipped) failed++;
        }
      }
      String mark = failed > 0 ? "FAIL" : passed > 0 ? "ok  " : "--  ";
      System.out.printf("  %s %s%s%n", mark, proof,
          passed + failed == 0 ? "   (no test yet)" : "   (" + passed + " passed" + (failed > 0 ? ", " + failed + " failed" : "") + ")");
    }
  }

  static String first(String... candidates) {
    for (String s : candidates) {
      Matcher m = G.matcher(s == null ? "" : s);
      if (m.find()) return m.group(1);
    }
    return null;
  }

  static String normalise(String s) {
    return s.toLowerCase(Locale.ROOT).replace("`", "").replaceAll("\\s+", " ");
  }
}
