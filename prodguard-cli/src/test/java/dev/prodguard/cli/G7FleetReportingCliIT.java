package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the fleet commands report, through the real jar on real servers (new user 23): a target that
 * could not be read has no pending count (not 0), every json target carries every documented key, a
 * refused target keeps its one way forward in the rollout's summary, a hint names a fleet's target
 * by its entry in {@code fleets:}, and a protected rollout in CI that keeps its backups on the
 * runner says so.
 */
@DisplayName(
    "Fleet CLI reporting: unread values are null, refusals keep their fix, hints in fleet form")
class G7FleetReportingCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final List<TestDatabase> dbs = new ArrayList<>();

  @AfterEach
  void drop() {
    dbs.forEach(TestDatabase::close);
  }

  @Test
  @DisplayName(
      "G2: a target whose fingerprint differs: status --fleet shows no pending count ('-', json"
          + " null), promote --fleet's summary keeps the refusal's fix: line,"
          + " init-fingerprint --fleet json has 'problem' for every target")
  void unreadableTargetReportedWithoutMadeUpValues() throws Exception {
    Map<String, String> ci = fleet(List.of("acme", "globex"), TestDatabase::postgres);
    Path yml = dir.resolve("prodguard.yml");
    Matcher fp = Pattern.compile("globex-[0-9a-f]+").matcher(Files.readString(yml));
    assertThat(fp.find()).isTrue();
    Files.writeString(yml, Files.readString(yml).replace(fp.group(), "globex-0011223344556677"));

    Cli.Result json = Cli.run(dir, ci, "status", "--fleet", "shop", "--format", "json");
    assertThat(json.exit()).as(json.toString()).isEqualTo(1);
    JsonNode targets = JSON.readTree(json.out()).path("targets");
    JsonNode acme = targets.get(0);
    JsonNode globex = targets.get(1);
    assertThat(globex.path("state").asText()).isEqualTo("error");
    assertThat(globex.has("pending")).isTrue();
    assertThat(globex.path("pending").isNull()).as(json.out()).isTrue();
    assertThat(acme.path("pending").asInt(-1)).isEqualTo(1);

    Cli.Result text = Cli.run(dir, ci, "status", "--fleet", "shop");
    assertThat(text.out()).containsPattern("globex\\s+rest\\s+error\\s+-\\s").as(text.out());
    assertThat(text.out()).containsPattern("acme\\s+canary\\s+pending\\s+1\\s");

    Cli.Result promote = Cli.run(dir, ci, "promote", "--fleet", "shop");
    assertThat(promote.exit()).as(promote.toString()).isEqualTo(1);
    assertThat(promote.out()).contains("globex refused:").containsPattern("\n    fix: \\S");
    // G9: a protected rollout in CI with local backups says they leave with the runner
    assertThat(promote.err())
        .contains("keeps its backups on this machine")
        .contains("backup.store: s3");

    Cli.Result init = Cli.run(dir, ci, "init-fingerprint", "--fleet", "shop", "--format", "json");
    for (JsonNode t : JSON.readTree(init.out()).path("targets")) {
      assertThat(t.has("problem")).as(init.out()).isTrue();
      assertThat(t.has("fingerprint")).as(init.out()).isTrue();
      assertThat(t.has("configured")).as(init.out()).isTrue();
    }
    assertThat(JSON.readTree(init.out()).path("targets").get(0).path("problem").isNull()).isTrue();
  }

  @Test
  @DisplayName(
      "G6: a MariaDB fleet target without deploy-url is refused with the hint naming its entry in"
          + " fleets.shop.targets, not an environments: key that prodguard.yml does not have")
  void mariaDbRoleSplitHintInFleetForm() throws Exception {
    Map<String, String> ci = fleet(List.of("acme"), TestDatabase::mariadb);
    Cli.Result promote = Cli.run(dir, ci, "promote", "--fleet", "shop");
    assertThat(promote.exit()).as(promote.toString()).isEqualTo(1);
    assertThat(promote.out())
        .contains("G6")
        .contains(
            "deploy-url: ${ACME_DEPLOY_DATABASE_URL} in the entry { id: acme } of"
                + " fleets.shop.targets")
        .doesNotContain("environments.acme");
  }

  /**
   * One database per id, fleet 'shop' (acme the canary, the others 'rest') with V1, each target
   * fingerprinted from CI, backups in the default local store: the CI environment.
   */
  private Map<String, String> fleet(
      List<String> ids, java.util.function.Supplier<TestDatabase> create) throws Exception {
    return CliFleets.fingerprinted(
        dir, "", ids, create, dbs, Map.of("PRODGUARD_STATE_DIR", dir.resolve("state").toString()));
  }

  private void writeConfig(List<String> ids, Map<String, String> fps) throws Exception {
    CliFleets.writeConfig(dir, "", ids, fps);
  }
}
