package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet commands through the real jar: init-fingerprint --fleet, promote --fleet (exit codes,
 * one line per target, the refusal of one target named), status --fleet and fleet matrix.
 */
@DisplayName("Fleet CLI: init-fingerprint, promote, status and matrix over a fleet")
class FleetCliIT {
  @TempDir Path dir;
  private final List<TestDatabase> dbs = new ArrayList<>();

  @AfterEach
  void drop() {
    dbs.forEach(TestDatabase::close);
  }

  @Test
  @DisplayName(
      "G1: promote --fleet of a protected fleet outside CI is refused before any connection;"
          + " from CI it deploys every target, a rerun is up to date")
  void promoteFleet() throws Exception {
    List<String> ids = List.of("acme", "globex", "initech", "umbrella");
    Map<String, String> ci = fingerprintedFleet(ids);
    Map<String, String> env = new HashMap<>(ci);
    env.remove("CI");

    Cli.Result laptop = Cli.run(dir, env, "promote", "--fleet", "shop");
    assertThat(laptop.exit()).as(laptop.toString()).isEqualTo(1);
    assertThat(laptop.err()).contains("G1");

    Cli.Result first = Cli.run(dir, ci, "promote", "--fleet", "shop", "--parallel", "2");
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(first.out()).contains("4 deployed, 0 up to date, 0 refused, 0 failed");
    assertThat(first.err()).contains("==> wave 'canary': 1 target(s)").contains("[4/4]");
    assertThat(first.err()).contains("promote --fleet verifies without trace");

    Cli.Result again = Cli.run(dir, ci, "promote", "--fleet", "shop", "--format", "json");
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).contains("\"up_to_date\" : 4").contains("\"outcome\" : \"complete\"");

    Cli.Result status = Cli.run(dir, ci, "status", "--fleet", "shop");
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out()).contains("4 target(s): 4 ok\n");
    assertThat(status.out())
        .containsPattern(
            "TARGET\\s+WAVE\\s+STATE\\s+PENDING\\s+VERSION\\s+DRIFT\\s+LAST RUN\\s+LOCK");
    for (String id : ids) {
      assertThat(status.out())
          .containsPattern(
              id + "\\s+\\w+\\s+ok\\s+0\\s+1\\s+none\\s+run-[0-9a-f]+ deployed at \\S+\\s+-");
    }
    Cli.Result statusJson = Cli.run(dir, ci, "status", "--fleet", "shop", "--format", "json");
    assertThat(statusJson.exit()).as(statusJson.toString()).isZero();
    assertThat(statusJson.out())
        .contains("\"version\" : \"1\"")
        .contains("\"state\" : \"none\"")
        .contains("\"lock_holder\" : null")
        .contains("\"last_run\" : \"run-");

    Cli.Result matrix =
        Cli.run(dir, env, "fleet", "matrix", "shop", "--wave", "rest", "--shards", "2");
    assertThat(matrix.exit()).as(matrix.toString()).isZero();
    assertThat(matrix.out().strip()).doesNotContain("\n"); // one line, as $GITHUB_OUTPUT needs
    assertThat(matrix.out()).contains("\"include\"").contains("\"wave\":\"rest\"");
    Cli.Result help = Cli.run(dir, env, "fleet", "matrix", "--help");
    assertThat(help.out()).contains("${{ fromJSON(needs.plan.outputs.matrix) }}");

    Cli.Result both = Cli.run(dir, ci, "promote", "acme", "--fleet", "shop", "--parallel", "2");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("for a whole fleet");
    Cli.Result badShard = Cli.run(dir, ci, "promote", "--fleet", "shop", "--shard", "2/2");
    assertThat(badShard.exit()).isEqualTo(2);
    assertThat(badShard.err()).contains("i/n");
  }

  @Test
  @DisplayName(
      "G7: '--wave rest' refuses while the canary's migration failed: a failed non-transactional"
          + " migration leaves nothing pending, and the rest wave started and rolled it out")
  void failedCanaryHoldsTheNextWave() throws Exception {
    Map<String, String> ci = fingerprintedFleet(List.of("acme", "globex"));
    assertThat(Cli.run(dir, ci, "promote", "--fleet", "shop").exit()).isZero();

    // a non-transactional migration that fails on the target: Flyway records it as failed
    Files.writeString(
        dir.resolve("db/migration/V2__idx.sql"),
        "CREATE UNIQUE INDEX CONCURRENTLY items_dup ON items ((1));\n");
    Files.writeString(dir.resolve("db/migration/V2__idx.sql.conf"), "executeInTransaction=false\n");
    dbs.get(0).execute("INSERT INTO items VALUES (1), (2)");
    Cli.Result canary = Cli.run(dir, ci, "promote", "--fleet", "shop", "--wave", "canary");
    assertThat(canary.exit()).as(canary.toString()).isNotZero();

    Cli.Result rest = Cli.run(dir, ci, "promote", "--fleet", "shop", "--wave", "rest");
    assertThat(rest.exit()).as(rest.toString()).isEqualTo(1);
    assertThat(rest.err()).contains("acme", "not done", "G7");
    try (java.sql.Connection c = dbs.get(1).connect();
        java.sql.ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("the rest wave did not start").isZero();
    }
  }

  @Test
  @DisplayName(
      "G7: a drifted fleet target is shown, accepted (G1: CI only), audited and verified with the"
          + " commands prodguard's own hints print ('ID --fleet NAME'); a run on a target of a"
          + " later wave waits for the earlier waves")
  void driftedTargetThroughItsHints() throws Exception {
    Map<String, String> ci = fingerprintedFleet(List.of("acme", "globex"));
    // a long version (alf.io's) and a migration Flyway warns about
    Files.writeString(
        dir.resolve("db/migration/V207.2.0.0.61__again.sql"),
        "CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY);\n");
    Cli.Result rollout = Cli.run(dir, ci, "promote", "--fleet", "shop");
    assertThat(rollout.exit()).as(rollout.toString()).isZero();
    // Flyway's warning names the target it came from (#11)
    assertThat(rollout.err())
        .contains("prodguard: acme: flyway warning: DB: relation \"items\" already exists")
        .contains("prodguard: globex: flyway warning: DB: relation \"items\" already exists");

    // a hand change on globex (a superuser pauses the DDL guard)
    dbs.get(1)
        .execute(
            "ALTER EVENT TRIGGER prodguard_ddl_guard DISABLE",
            "CREATE INDEX hotfix ON items (id)",
            "ALTER EVENT TRIGGER prodguard_ddl_guard ENABLE ALWAYS");
    Cli.Result status = Cli.run(dir, ci, "status", "--fleet", "shop");
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out()).contains("2 target(s): 1 ok, 1 drifted");
    // columns sized to content: every row's DRIFT starts under the header's (#13)
    List<String> lines = status.out().lines().toList();
    int drift = lines.get(0).indexOf("DRIFT");
    assertThat(lines.stream().filter(l -> l.startsWith("acme ") || l.startsWith("globex ")))
        .hasSize(2)
        .allSatisfy(l -> assertThat(l.substring(drift)).matches("(none|1 change\\(s\\)) .*"));
    assertThat(status.out()).contains("207.2.0.0.61");
    Matcher hint =
        Pattern.compile("prodguard (drift show globex --fleet shop)").matcher(status.out());
    assertThat(hint.find()).as(status.out()).isTrue();

    Cli.Result show = Cli.run(dir, ci, hint.group(1).split(" "));
    assertThat(show.exit()).as(show.toString()).isEqualTo(1);
    assertThat(show.out()).contains("index hotfix");

    Cli.Result verify = Cli.run(dir, ci, "verify", "globex", "--fleet", "shop");
    assertThat(verify.exit()).as(verify.toString()).isEqualTo(1);
    Matcher accept =
        Pattern.compile("prodguard (drift accept globex --fleet shop) --reason")
            .matcher(verify.err());
    assertThat(accept.find()).as(verify.err()).isTrue();

    Map<String, String> laptop = new HashMap<>(ci);
    laptop.remove("CI");
    Cli.Result refused =
        Cli.run(dir, laptop, "drift", "accept", "globex", "--fleet", "shop", "--reason", "x");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.err()).contains("G1");

    List<String> acceptArgs = new ArrayList<>(List.of(accept.group(1).split(" ")));
    acceptArgs.addAll(List.of("--reason", "hotfix reviewed in INC-1"));
    Cli.Result accepted = Cli.run(dir, ci, acceptArgs.toArray(String[]::new));
    assertThat(accepted.exit()).as(accepted.toString()).isZero();
    Matcher keep =
        Pattern.compile(
                "keep it: 'prodguard (audit verify globex --fleet shop --expect-head \\S+)'")
            .matcher(accepted.err());
    assertThat(keep.find()).as(accepted.err()).isTrue();
    Cli.Result audit = Cli.run(dir, ci, keep.group(1).split(" "));
    assertThat(audit.exit()).as(audit.toString()).isZero();
    assertThat(audit.out()).contains("audit trail of 'globex' is intact");
    Cli.Result trail = Cli.run(dir, ci, "audit", "globex", "--fleet", "shop");
    assertThat(trail.exit()).as(trail.toString()).isZero();
    assertThat(trail.out()).contains("drift_accepted").contains("hotfix reviewed in INC-1");
    Cli.Result repair =
        Cli.run(dir, ci, "repair", "globex", "--fleet", "shop", "--reason", "nothing failed");
    assertThat(repair.exit()).as(repair.toString()).isZero();
    assertThat(repair.out()).contains("nothing to repair");
    assertThat(Cli.run(dir, ci, "status", "--fleet", "shop").out()).contains("2 target(s): 2 ok");

    Cli.Result unknown = Cli.run(dir, ci, "drift", "show", "nope", "--fleet", "shop");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("fleet 'shop' has no target 'nope'");

    // a new migration: globex (wave rest) waits for acme (canary), then each goes on its own
    Files.writeString(dir.resolve("db/migration/V208__more.sql"), "CREATE TABLE more (id int);\n");
    Cli.Result early = Cli.run(dir, ci, "verify", "globex", "--fleet", "shop");
    assertThat(early.exit()).as(early.toString()).isEqualTo(1);
    assertThat(early.err()).contains("G7", "acme", "not done");
    Cli.Result canary = Cli.run(dir, ci, "promote", "acme", "--fleet", "shop");
    assertThat(canary.exit()).as(canary.toString()).isZero();
    Cli.Result next = Cli.run(dir, ci, "verify", "globex", "--fleet", "shop");
    assertThat(next.exit()).as(next.toString()).isZero();
    Matcher backup =
        Pattern.compile("next: prodguard (backup globex --fleet shop)").matcher(next.out());
    assertThat(backup.find()).as(next.out()).isTrue();
    Cli.Result backedUp = Cli.run(dir, ci, backup.group(1).split(" "));
    assertThat(backedUp.exit()).as(backedUp.toString()).isZero();
    assertThat(backedUp.out()).contains("next: prodguard deploy globex --fleet shop");
    Cli.Result deployed = Cli.run(dir, ci, "deploy", "globex", "--fleet", "shop");
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
  }

  @Test
  @DisplayName(
      "G7: a fleet target that cannot be reached is 'unreachable' with exit 1 (nothing ran, no"
          + " backup to restore), counted against the failure threshold, not 'failed' with exit 3")
  void unreachableTargetIsNotAFailedMigration() throws Exception {
    Map<String, String> ci = fingerprintedFleet(List.of("acme", "globex"));
    String config = Files.readString(dir.resolve("prodguard.yml"));
    String missing = dbs.get(1).libpqUrl().replaceAll("/[^/?]+(\\?.*)?$", "/prodguard_no_such_db");
    Files.writeString(
        dir.resolve("prodguard.yml"),
        config
            + "      - { id: ghost, url: \""
            + missing
            + "\", fingerprint: ghost-0011223344556677, wave: rest }\n");
    // onboarding in one process: every target, the unreachable one reported (#12)
    Cli.Result init = Cli.run(dir, ci, "init-fingerprint", "--fleet", "shop");
    assertThat(init.exit()).as(init.toString()).isEqualTo(1);
    assertThat(init.out())
        .containsPattern("acme: acme-[0-9a-f]+")
        .containsPattern("globex: globex-[0-9a-f]+")
        .contains("ghost: NOT fingerprinted")
        .contains("2 of 3 target(s) fingerprinted");

    Cli.Result r = Cli.run(dir, ci, "promote", "--fleet", "shop");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains("0 failed, 1 unreachable")
        .contains("ghost unreachable:")
        .contains("nothing was changed");
    assertThat(r.out()).doesNotContain("ghost failed");
    Cli.Result json = Cli.run(dir, ci, "promote", "--fleet", "shop", "--format", "json");
    assertThat(json.exit()).as(json.toString()).isEqualTo(1);
    assertThat(json.out()).contains("\"unreachable\" : 1").contains("\"failed\" : 0");
  }

  @Test
  @DisplayName(
      "G3: status --fleet of a protected fleet outside CI is one refusal for the fleet, before any"
          + " target is read, not the same refusal once per target (new user 19/11)")
  void protectedFleetStatusOutsideCiRefusedOnce() throws Exception {
    Map<String, String> ci = fingerprintedFleet(List.of("acme", "globex", "initech"));
    Map<String, String> laptop = new HashMap<>(ci);
    laptop.remove("CI");
    Cli.Result status = Cli.run(dir, laptop, "status", "--fleet", "shop");
    assertThat(status.exit()).as(status.toString()).isEqualTo(1);
    assertThat(status.err())
        .contains("refused [G3")
        .contains("fleet 'shop' is protected")
        .contains("run it there");
    assertThat(status.out()).doesNotContain("acme").doesNotContain("globex");
    assertThat((status.out() + status.err()).split("not CI", -1)).hasSize(2);
    Cli.Result fromCi = Cli.run(dir, ci, "status", "--fleet", "shop");
    assertThat(fromCi.exit()).as(fromCi.toString()).isZero();
  }

  @Test
  @DisplayName(
      "G3: a fleet's hosts: patterns hold for every command that reaches a target: status --fleet"
          + " refuses a target whose URL names another host before connecting, as promote does")
  void fleetHostsHoldForStatus() throws Exception {
    Map<String, String> ci = fingerprintedFleet(List.of("acme", "globex"));
    Path yml = dir.resolve("prodguard.yml");
    Files.writeString(
        yml,
        Files.readString(yml).replace("  shop:\n", "  shop:\n    hosts: [\"db-*.tenants\"]\n"));

    Cli.Result status = Cli.run(dir, ci, "status", "--fleet", "shop");
    assertThat(status.exit()).as(status.toString()).isNotZero();
    assertThat(status.out() + status.err())
        .contains("G3")
        .contains("none of the fleet's host patterns [db-*.tenants] matches")
        .doesNotContain("2 ok");
    Cli.Result one = Cli.run(dir, ci, "status", "acme", "--fleet", "shop");
    assertThat(one.exit()).as(one.toString()).isNotZero();
    assertThat(one.err()).contains("G3").contains("db-*.tenants");
    Cli.Result promote = Cli.run(dir, ci, "promote", "--fleet", "shop");
    assertThat(promote.exit()).as(promote.toString()).isNotZero();
    assertThat(promote.out() + promote.err()).contains("G3");
  }

  @Test
  @DisplayName(
      "G4: promote --fleet does not waive the contract's trace limits: a member whose contract"
          + " sets trace.max-rewrite-size is traced on its own and refused before its backup, as"
          + " promote ENV refuses it (attacker 19/05: the rollout skipped trace and deployed)")
  void contractTraceLimitsHoldInARollout() throws Exception {
    Map<String, String> ci = fingerprintedFleet(List.of("acme"));
    Files.writeString(
        dir.resolve("db/migration/V2__orders.sql"),
        "CREATE TABLE orders (id int PRIMARY KEY, note text);\n");
    Cli.Result created = Cli.run(dir, ci, "promote", "--fleet", "shop");
    assertThat(created.exit()).as(created.toString()).isZero();
    dbs.get(0)
        .execute(
            "INSERT INTO orders SELECT g, 'n' FROM generate_series(1, 100000) g; ANALYZE orders");
    String before = filenode(dbs.get(0));
    long backups = files(dir.resolve("backups"));
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\ntrace: { max-rewrite-size: 1MB }\n");
    Files.writeString(
        dir.resolve("db/migration/V3__token.sql"),
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
    Cli.Result r = Cli.run(dir, ci, "promote", "--fleet", "shop");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("0 deployed").contains("1 refused");
    assertThat(r.toString())
        .contains("[trace-table-rewrite]", "public.orders", "trace.max-rewrite-size is 1.0 MB");
    assertThat(filenode(dbs.get(0))).as("orders was not rewritten").isEqualTo(before);
    assertThat(files(dir.resolve("backups")))
        .as("no backup of the refused member")
        .isEqualTo(backups);
  }

  private static String filenode(TestDatabase db) throws Exception {
    try (java.sql.Connection c = db.connect();
        java.sql.ResultSet rs =
            c.createStatement().executeQuery("SELECT pg_relation_filenode('orders')::text")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long files(Path folder) throws Exception {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (var s = Files.list(folder)) {
      return s.count();
    }
  }

  /**
   * One PostgreSQL database per id, fleet 'shop' (acme the canary wave, the others 'rest') with V1,
   * each target fingerprinted from CI: the CI environment (CI=true and every target's URL).
   */
  private Map<String, String> fingerprintedFleet(List<String> ids) throws Exception {
    return CliFleets.fingerprinted(dir, HEAD, ids, TestDatabase::postgres, dbs, Map.of());
  }

  private static final String HEAD = "backup: { directory: backups }\n";

  private void writeConfig(List<String> ids, Map<String, String> fps) throws Exception {
    CliFleets.writeConfig(dir, HEAD, ids, fps);
  }
}
