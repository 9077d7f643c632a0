package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A static fleet {@code shop} for the CLI's fleet tests: one database per id (its URL in {@code
 * ID_URL}), {@code acme} in the canary wave and the rest in {@code rest}, V1 creating {@code
 * items}, every target fingerprinted through {@code init-fingerprint ID --fleet shop} from CI.
 */
final class CliFleets {
  private CliFleets() {}

  /**
   * Creates the databases (added to {@code dbs} for the caller to drop), writes the migration and
   * the configuration ({@code head} before {@code fleets:}), fingerprints every target and writes
   * the fingerprints in.
   *
   * @return the environment the CLI runs with: the URL variables, {@code CI=true}, and {@code env}
   */
  static Map<String, String> fingerprinted(
      Path dir,
      String head,
      List<String> ids,
      Supplier<TestDatabase> create,
      List<TestDatabase> dbs,
      Map<String, String> env)
      throws Exception {
    Map<String, String> ci = new HashMap<>(env);
    for (String id : ids) {
      TestDatabase db = create.get();
      dbs.add(db);
      ci.put(id.toUpperCase() + "_URL", db.libpqUrl());
    }
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(
        dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id int PRIMARY KEY);\n");
    Map<String, String> fps = new HashMap<>();
    writeConfig(dir, head, ids, fps);
    ci.put("CI", "true");
    for (String id : ids) {
      Cli.Result r = Cli.run(dir, ci, "init-fingerprint", id, "--fleet", "shop");
      assertThat(r.exit()).as(r.toString()).isZero();
      Matcher m = Pattern.compile("fingerprint: (" + id + "-[0-9a-f]+)").matcher(r.out());
      assertThat(m.find()).as(r.out()).isTrue();
      fps.put(id, m.group(1));
    }
    writeConfig(dir, head, ids, fps);
    return ci;
  }

  /** Writes {@code prodguard.yml}: {@code head}, then fleet {@code shop} with these targets. */
  static void writeConfig(Path dir, String head, List<String> ids, Map<String, String> fps)
      throws Exception {
    StringBuilder y = new StringBuilder(head).append("fleets:\n  shop:\n");
    y.append("    waves: [canary, rest]\n    targets:\n");
    for (String id : ids) {
      y.append("      - { id: ").append(id).append(", url: \"${").append(id.toUpperCase());
      y.append("_URL}\"");
      if (fps.containsKey(id)) {
        y.append(", fingerprint: ").append(fps.get(id));
      }
      y.append(", wave: ").append(id.equals("acme") ? "canary" : "rest").append(" }\n");
    }
    Files.writeString(dir.resolve("prodguard.yml"), y.toString());
  }
}
