package dev.prodguard.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Fingerprints;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.fleet.FleetRollout.State;
import dev.prodguard.fleet.FleetRollout.TargetResult;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.pipeline.Pipeline;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleets (DESIGN section 12) on real servers: every target keeps its own guarantees (a wrong
 * fingerprint is refused by G2 for that target alone, a failing migration fails that target after
 * its backup), the rollout halts when failures pass the threshold and leaves the rest untouched, a
 * rerun resumes, and two shards together cover every target exactly once.
 */
@DisplayName("G7 fleet rollout: waves, threshold, resume and shards, per-target guarantees")
class G7FleetRolloutIT {
  @TempDir Path dir;

  private final List<TestDatabase> dbs = new ArrayList<>();
  private final Map<String, String> env = new HashMap<>();

  @AfterEach
  void drop() {
    dbs.forEach(TestDatabase::close);
  }

  @Test
  @DisplayName(
      "50 PostgreSQL targets: a wrong fingerprint and a failing migration halt the rollout past"
          + " the threshold, the rest untouched; a rerun finishes; shards cover each target once")
  void postgresFleet() throws Exception {
    Fleet f = fleet(DatabaseKind.POSTGRESQL, 50, false);
    // t13's database already has the table V2 creates: its V2 fails (after its backup)
    f.db("t13").execute("CREATE TABLE orders (x int)");
    f.fingerprintAll();
    String real07 = f.fingerprints.get("t07");
    f.fingerprints.put("t07", Fingerprints.generate("t07")); // well-formed, another database's
    migrations(
        "V1__items.sql", "CREATE TABLE items (id int PRIMARY KEY, name varchar(50));\n",
        "V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, item int);\n");
    f.writeConfig(1, 2, List.of("t07", "t13"));

    FleetRollout.Report first = f.promote(Shard.ALL);
    Map<String, TargetResult> byId = byId(first);
    assertThat(byId).hasSize(50);
    for (String canary : List.of("t00", "t01", "t02")) {
      assertThat(byId.get(canary).state()).isEqualTo(State.DEPLOYED);
    }
    assertThat(byId.get("t07").state()).isEqualTo(State.REFUSED);
    assertThat(byId.get("t07").detail()).startsWith("G2");
    assertThat(byId.get("t13").state()).isEqualTo(State.FAILED);
    assertThat(byId.get("t13").detail()).contains("backup");
    assertThat(first.haltedBecause()).isPresent();
    assertThat(first.count(State.NOT_STARTED)).isGreaterThanOrEqualTo(40);
    for (TargetResult r : first.targets()) {
      switch (r.state()) {
        case DEPLOYED -> assertThat(f.applied(r.id())).containsExactly("1", "2");
        case NOT_STARTED -> assertThat(f.touched(r.id())).as(r.id() + " untouched").isFalse();
        case REFUSED -> assertThat(f.applied(r.id())).as("refused t07").isEmpty();
        case FAILED -> assertThat(f.applied(r.id())).as("failed t13").doesNotContain("2");
        case UP_TO_DATE -> throw new AssertionError("nothing was deployed before: " + r);
      }
    }

    // the fix: the right fingerprint for t07, t13's stray table dropped by its DBA
    f.fingerprints.put("t07", real07);
    f.writeConfig(1, 2, List.of("t07", "t13"));
    f.db("t13").execute("DROP TABLE orders");
    // that hand change is drift (G7) until accepted, CI-only and audited, in t13 itself
    ProdguardConfig cfg = f.config();
    FleetConfig fc = cfg.fleet("shop");
    f.pipelines()
        .create(FleetTargets.asEnvironments(cfg, fc, FleetTargets.resolve(cfg, fc, f.ci())), "t13")
        .driftAccept("t13", "INC-9: stray orders table dropped by its DBA");
    FleetRollout.Report resumed = f.promote(Shard.ALL);
    assertThat(resumed.complete()).as(resumed.toJson().toString()).isTrue();
    Map<String, TargetResult> again = byId(resumed);
    for (TargetResult r : first.targets()) {
      State expected = r.state() == State.DEPLOYED ? State.UP_TO_DATE : State.DEPLOYED;
      assertThat(again.get(r.id()).state()).as(r.id()).isEqualTo(expected);
    }
    for (String id : f.ids) {
      assertThat(f.applied(id)).as(id).containsExactly("1", "2");
    }

    // shards: 0/2 and 1/2 of a new migration cover every target exactly once
    migrations("V3__note.sql", "ALTER TABLE items ADD COLUMN note text;\n");
    // without --wave, shard 0's wave rest waits for the canaries of shard 1 (attacker 20/04):
    // its rerun, after shard 1, finishes it
    FleetRollout.Report s0 = f.promote(new Shard(0, 2));
    FleetRollout.Report s1 = f.promote(new Shard(1, 2));
    Set<String> a = new HashSet<>(deployed(s0));
    if (!s0.complete()) {
      assertThat(s0.haltedBecause()).hasValueSatisfying(w -> assertThat(w).contains("canary"));
      FleetRollout.Report s0again = f.promote(new Shard(0, 2));
      assertThat(s0again.complete()).as(s0again.toJson().toString()).isTrue();
      assertThat(deployed(s0again)).doesNotContainAnyElementsOf(a);
      a.addAll(deployed(s0again));
    }
    Set<String> b = deployed(s1);
    assertThat(s1.complete()).as(s1.toJson().toString()).isTrue();
    assertThat(a).doesNotContainAnyElementsOf(b);
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    assertThat(union).containsExactlyInAnyOrderElementsOf(f.ids);
    assertThat(s0.targets())
        .hasSize((int) f.ids.stream().filter(new Shard(0, 2)::contains).count());

    List<FleetStatus.Row> rows =
        FleetStatus.status(f.config(), "shop", f.ci(), f.pipelines(), 4, Shard.ALL);
    assertThat(rows).hasSize(50).allSatisfy(r -> assertThat(r.state()).isEqualTo("ok"));
    assertThat(rows).allSatisfy(r -> assertThat(r.lastDeploy()).isPresent());
  }

  @Test
  @DisplayName(
      "a failed canary stops the rollout before the next wave even when failure-threshold would"
          + " tolerate it: the threshold applies within a wave (new user 19/10: wave 'rest'"
          + " deployed the migration the canary had just failed)")
  void failedCanaryHaltsWhateverTheThreshold() throws Exception {
    Fleet f = fleet(DatabaseKind.POSTGRESQL, 5, false);
    f.db("t01").execute("CREATE TABLE orders (x int)"); // its V2 fails after its backup
    f.fingerprintAll();
    migrations(
        "V1__items.sql", "CREATE TABLE items (id int PRIMARY KEY);\n",
        "V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");
    f.writeConfig(2, 1, List.of());

    FleetRollout.Report r = f.promote(Shard.ALL);
    Map<String, TargetResult> byId = byId(r);
    assertThat(byId.get("t01").state()).isEqualTo(State.FAILED);
    assertThat(r.haltedBecause())
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .contains("wave 'canary'", "every target of the earlier waves succeeded"));
    for (String rest : List.of("t03", "t04")) {
      assertThat(byId.get(rest).state()).as(rest).isEqualTo(State.NOT_STARTED);
      assertThat(f.touched(rest)).as(rest + " untouched").isFalse();
    }
  }

  @Test
  @DisplayName(
      "G7: a shard run without --wave starts a later wave only when the earlier waves' targets of"
          + " every shard are done: a canary failed (or not yet run) in another shard holds it"
          + " (attacker 20/04)")
  void shardWithoutWaveWaitsForTheCanaryElsewhere() throws Exception {
    Fleet f = fleet(DatabaseKind.POSTGRESQL, 8, false);
    f.db("t01").execute("CREATE TABLE orders (x int)"); // the canary t01's V2 fails
    f.fingerprintAll();
    migrations(
        "V1__items.sql", "CREATE TABLE items (id int PRIMARY KEY);\n",
        "V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");
    f.writeConfig(0, 1, List.of());
    Shard canaryShard = new Shard(0, 2).contains("t01") ? new Shard(0, 2) : new Shard(1, 2);
    Shard other = canaryShard.index() == 0 ? new Shard(1, 2) : new Shard(0, 2);
    List<String> restElsewhere =
        f.ids.subList(3, f.ids.size()).stream().filter(other::contains).toList();
    assertThat(restElsewhere).as("the other shard holds targets of wave rest").isNotEmpty();

    // the other shard first: t01 (canary, in the canary's shard) has not run yet
    FleetRollout.Report early = f.promote(other);
    assertThat(early.haltedBecause()).hasValueSatisfying(w -> assertThat(w).contains("t01"));
    for (String id : restElsewhere) {
      assertThat(byId(early).get(id).state()).as(id).isEqualTo(State.NOT_STARTED);
      assertThat(f.touched(id)).as(id + " untouched").isFalse();
    }
    // the canary's shard: t01 fails
    FleetRollout.Report canary = f.promote(canaryShard);
    assertThat(byId(canary).get("t01").state()).isEqualTo(State.FAILED);
    // the other shard again: still held by the failed canary
    FleetRollout.Report again = f.promote(other);
    assertThat(again.haltedBecause()).hasValueSatisfying(w -> assertThat(w).contains("t01"));
    for (String id : restElsewhere) {
      assertThat(byId(again).get(id).state()).as(id).isEqualTo(State.NOT_STARTED);
      assertThat(f.touched(id)).as(id + " untouched").isFalse();
    }
  }

  @Test
  @DisplayName(
      "20 MariaDB targets under the role split: the first refusal halts at threshold 0, a rerun"
          + " finishes")
  void mariadbFleet() throws Exception {
    Fleet f = fleet(DatabaseKind.MARIADB, 20, true);
    f.fingerprintAll();
    String real05 = f.fingerprints.get("t05");
    f.fingerprints.put("t05", Fingerprints.generate("t05"));
    migrations("V1__items.sql", "CREATE TABLE items (id int PRIMARY KEY, name varchar(50));\n");
    f.writeConfig(0, 1, List.of("t05"));

    FleetRollout.Report first = f.promote(Shard.ALL);
    Map<String, TargetResult> byId = byId(first);
    assertThat(byId.get("t05").state()).isEqualTo(State.REFUSED);
    assertThat(byId.get("t05").detail()).startsWith("G2");
    assertThat(first.haltedBecause()).isPresent();
    // parallel 1: nothing after t05 started
    assertThat(first.count(State.NOT_STARTED)).isEqualTo(20 - 3 - 1);
    for (TargetResult r : first.targets()) {
      if (r.state() == State.NOT_STARTED) {
        assertThat(f.touched(r.id())).as(r.id()).isFalse();
      }
    }
    f.fingerprints.put("t05", real05);
    f.writeConfig(0, 1, List.of("t05"));
    FleetRollout.Report resumed = f.promote(Shard.ALL);
    assertThat(resumed.complete()).as(resumed.toJson().toString()).isTrue();
    assertThat(resumed.count(State.UP_TO_DATE)).isEqualTo(3);
    for (String id : f.ids) {
      assertThat(f.applied(id)).as(id).containsExactly("1");
    }
    // under the role split status reads with the url's credential, which sees the schema by its
    // privileges: drift is not judged with it (drift show from CI uses the deploy's credential)
    for (FleetStatus.Row row :
        FleetStatus.status(f.config(), "shop", f.ci(), f.pipelines(), 4, Shard.ALL)) {
      assertThat(row.version()).as(row.id()).contains("1");
      assertThat(row.drift().orElseThrow().state()).as(row.id()).isEqualTo("not_checked");
      assertThat(row.drift().orElseThrow().detail()).contains("drift show " + row.id());
    }
  }

  @Test
  @DisplayName(
      "status --fleet on PostgreSQL: each target's version, last run, drift made outside the"
          + " pipeline and the deploy lock's holder")
  void statusColumnsPostgres() throws Exception {
    statusColumns(DatabaseKind.POSTGRESQL, true);
  }

  @Test
  @DisplayName(
      "status --fleet on MariaDB: each target's version, last run, drift made outside the"
          + " pipeline and the deploy lock's holder")
  void statusColumnsMariaDb() throws Exception {
    // protected MariaDB needs the role split, whose url credential cannot judge drift (below)
    statusColumns(DatabaseKind.MARIADB, false);
  }

  private void statusColumns(DatabaseKind kind, boolean isProtected) throws Exception {
    Fleet f = fleet(kind, 4, false);
    f.isProtected = isProtected;
    f.fingerprintAll();
    migrations(
        "V1__items.sql",
        "CREATE TABLE items (id int PRIMARY KEY, name varchar(50));\n",
        "V2__note.sql",
        "ALTER TABLE items ADD COLUMN note varchar(20);\n");
    f.writeConfig(0, 4, List.of());
    FleetRollout.Report r = f.promote(Shard.ALL);
    assertThat(r.complete()).as(r.toJson().toString()).isTrue();
    // t01: a hot-fix by hand (on PostgreSQL past the DDL guard, as a superuser can)
    f.db("t01").execute("CREATE TABLE hotfix (id int PRIMARY KEY)");
    // t02: another session holds t02's deploy lock (G8)
    dev.prodguard.support.DatabaseSupport d = dev.prodguard.support.DatabaseSupport.of(kind);
    try (Connection holder = f.db("t02").connect();
        Statement st = holder.createStatement()) {
      try (ResultSet rs = st.executeQuery(d.tryDeployLock())) {
        assertThat(rs.next()).isTrue();
      }
      String session;
      try (ResultSet rs = st.executeQuery(d.sessionId())) {
        rs.next();
        session = rs.getString(1);
      }
      Map<String, FleetStatus.Row> rows = new LinkedHashMap<>();
      for (FleetStatus.Row row :
          FleetStatus.status(f.config(), "shop", f.ci(), f.pipelines(), 4, Shard.ALL)) {
        rows.put(row.id(), row);
      }
      assertThat(rows).hasSize(4);
      for (FleetStatus.Row row : rows.values()) {
        assertThat(row.version()).as(row.id()).contains("2");
        assertThat(row.pending()).as(row.id()).contains(0);
        assertThat(row.lastRun())
            .as(row.id())
            .hasValueSatisfying(x -> assertThat(x).contains(" deployed at "));
        assertThat(row.problem()).as(row.id()).isEmpty();
      }
      FleetStatus.Row clean = rows.get("t00");
      assertThat(clean.state()).isEqualTo("ok");
      assertThat(clean.drift().orElseThrow().state()).isEqualTo("none");
      assertThat(clean.lockHolder()).isEmpty();

      FleetStatus.Row drifted = rows.get("t01");
      assertThat(drifted.state()).isEqualTo("drifted");
      assertThat(drifted.drift().orElseThrow().state()).isEqualTo("drifted");
      assertThat(drifted.drift().orElseThrow().changes()).isPositive(); // the table, its key, ...
      assertThat(drifted.drift().orElseThrow().shown()).endsWith(" change(s)");
      assertThat(drifted.drift().orElseThrow().detail()).contains("prodguard drift show t01");
      assertThat(drifted.toJson()).containsEntry("version", "2");

      FleetStatus.Row locked = rows.get("t02");
      assertThat(locked.state()).isEqualTo("locked");
      assertThat(locked.lockHolder()).contains("session " + session);
      assertThat(locked.drift().orElseThrow().state()).isEqualTo("none");
      assertThat(locked.toJson()).containsEntry("lock_holder", "session " + session);
    }
    // the lock died with its session: no holder any more
    FleetStatus.Row after =
        FleetStatus.status(f.config(), "shop", f.ci(), f.pipelines(), 4, Shard.ALL).stream()
            .filter(x -> x.id().equals("t02"))
            .findFirst()
            .orElseThrow();
    assertThat(after.lockHolder()).isEmpty();
    assertThat(after.state()).isEqualTo("ok");
  }

  @Test
  @DisplayName(
      "G1 once, before any connection: a protected fleet read from a catalog is refused outside"
          + " CI before the catalog is contacted")
  void g1BeforeTheCatalog() {
    ProdguardConfig config =
        load(
            "environments:\n"
                + "  fleetdb:\n"
                + "    url: postgresql://u@127.0.0.1:1/catalog\n" // nothing listens: a connect
                // fails
                + "fleets:\n"
                + "  shop:\n"
                + "    catalog: { environment: fleetdb, query: \"select id, url, fingerprint from t\" }\n");
    RunContext laptop = RunContext.of(Map.of());
    assertThatThrownBy(
            () ->
                FleetRollout.promote(
                    config,
                    "shop",
                    laptop,
                    (c, id) -> new Pipeline(c, laptop, new FlywayMigrationEngine()),
                    new FleetRollout.Options(2, Optional.empty(), Shard.ALL),
                    FleetRollout.Listener.NONE))
        .isInstanceOfSatisfying(
            GuardRefusal.class, r -> assertThat(r.guarantee()).isEqualTo(Guarantee.G1));
  }

  @Test
  @DisplayName(
      "G9: members back up in their backup step (no early dump): every target deployed with one"
          + " verified backup recorded, no provisional or partial dump left in the directory")
  void membersBackUpInTheirStep() throws Exception {
    Fleet f = fleet(DatabaseKind.POSTGRESQL, 4, false);
    f.fingerprintAll();
    migrations(
        "V1__items.sql", "CREATE TABLE items (id int PRIMARY KEY, name varchar(50));\n",
        "V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, item int);\n");
    f.writeConfig(0, 3, List.of());
    FleetRollout.Report r = f.promote(Shard.ALL);
    assertThat(r.count(State.DEPLOYED)).isEqualTo(4);
    for (String id : f.ids) {
      assertThat(f.applied(id)).containsExactly("1", "2");
      try (Connection c = f.db(id).connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT COUNT(*) FROM prodguard_run WHERE status = 'deployed'"
                      + " AND backup_sha256 IS NOT NULL")) {
        rs.next();
        assertThat(rs.getInt(1)).as(id + ": one deployed run with its verified backup").isOne();
      }
    }
    try (var files = Files.list(dir.resolve("backups"))) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names)
          .hasSize(4)
          .noneMatch(n -> n.contains("provisional") || n.endsWith(".partial"));
    }
  }

  @Test
  @DisplayName("targets read from a catalog database are promoted like listed ones")
  void catalogTargets() throws Exception {
    TestDatabase catalog = TestDatabase.postgres();
    dbs.add(catalog);
    Fleet f = fleet(DatabaseKind.POSTGRESQL, 3, false);
    f.fingerprintAll();
    catalog.execute("CREATE TABLE tenants (id text, url text, fingerprint text, wave text)");
    for (String id : f.ids) {
      catalog.execute(
          "INSERT INTO tenants VALUES ('"
              + id
              + "', '${"
              + f.var(id)
              + "}', '"
              + f.fingerprints.get(id)
              + "', "
              + (id.equals("t00") ? "'canary'" : "NULL")
              + ")");
    }
    String catalogFp = initCatalog(catalog);
    migrations("V1__items.sql", "CREATE TABLE items (id int PRIMARY KEY);\n");
    Files.writeString(
        dir.resolve("prodguard.yml"),
        "environments:\n"
            + "  fleetdb:\n"
            + "    url: ${CATALOG_URL}\n"
            + "    fingerprint: "
            + catalogFp
            + "\n"
            + "migrations:\n  locations: [db/migration]\n"
            + "backup: { directory: backups }\n"
            + "fleets:\n"
            + "  shop:\n"
            + "    waves: [canary, rest]\n"
            + "    catalog:\n"
            + "      environment: fleetdb\n"
            + "      query: select id, url, fingerprint, wave from tenants order by id\n"
            + "      variables: [T00_URL, T01_URL, T02_URL]\n");
    FleetRollout.Report r = f.promote(Shard.ALL);
    assertThat(r.complete()).as(r.toJson().toString()).isTrue();
    // the catalog is read in a read-only transaction: a query that writes fails on the server
    String yaml = Files.readString(dir.resolve("prodguard.yml"));
    Files.writeString(
        dir.resolve("prodguard.yml"),
        yaml.replace(
            "query: select id, url, fingerprint, wave from tenants order by id",
            "query: with d as (delete from tenants returning 1) select id, url, fingerprint, wave"
                + " from tenants"));
    assertThatThrownBy(() -> f.promote(Shard.ALL)).isInstanceOf(SQLException.class);
    try (Connection c = catalog.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM tenants")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(3);
    }
    assertThat(r.targets().get(0).id()).isEqualTo("t00");
    // a row may read only the variables the fleet declares: no CI secret goes to the row's host
    Files.writeString(dir.resolve("prodguard.yml"), yaml);
    catalog.execute(
        "INSERT INTO tenants VALUES ('t99', 'postgresql://${AWS_SECRET_ACCESS_KEY}@127.0.0.1:1/x',"
            + " NULL, NULL)");
    env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-secret");
    Throwable leak = catchThrowable(() -> f.promote(Shard.ALL));
    assertThat(leak)
        .isInstanceOf(dev.prodguard.config.ConfigException.class)
        .hasMessageContaining("catalog.variables")
        .hasMessageNotContaining("wJalrXUtnFEMI");
    assertThat(r.targets().get(0).wave()).isEqualTo("canary");
    for (String id : f.ids) {
      assertThat(f.applied(id)).containsExactly("1");
    }
    catalog.execute("DELETE FROM tenants WHERE id = 't99'");

    // attacker 23, finding 09: a catalog fleet's matrix has a job for every shard, empty ones
    // too, so a target added to the catalog after the matrix was printed still has a job
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> jobs =
        (List<Map<String, Object>>)
            FleetMatrix.matrix(f.config(), "shop", "rest", 8, f.ci()).get("include");
    assertThat(jobs)
        .extracting(j -> j.get("shard"))
        .containsExactly("0/8", "1/8", "2/8", "3/8", "4/8", "5/8", "6/8", "7/8");
    assertThat(jobs.stream().mapToLong(j -> ((Number) j.get("targets")).longValue()).sum())
        .isEqualTo(2); // t01, t02; t00 is the canary

    // attacker 23, finding 05: a catalog read that returns no row is refused, not a green
    // rollout over nothing; a fleet that may be empty says so in review
    Files.writeString(
        dir.resolve("prodguard.yml"),
        yaml.replace("from tenants order by id", "from tenants where false order by id"));
    assertThatThrownBy(() -> f.promote(Shard.ALL))
        .isInstanceOf(dev.prodguard.config.ConfigException.class)
        .hasMessageContaining("returned no target")
        .hasMessageContaining("allow-empty");
    assertThatThrownBy(() -> FleetMatrix.matrix(f.config(), "shop", "rest", 4, f.ci()))
        .isInstanceOf(dev.prodguard.config.ConfigException.class);
    Files.writeString(
        dir.resolve("prodguard.yml"),
        yaml.replace("from tenants order by id", "from tenants where false order by id")
            .replace("      variables:", "      allow-empty: true\n      variables:"));
    FleetRollout.Report none = f.promote(Shard.ALL);
    assertThat(none.targets()).isEmpty();
  }

  @Test
  @DisplayName(
      "G3 (security review, finding 3): in a catalog row a ${VAR} may stand only for the whole url"
          + " or its password: in the user, host, path or query it is a configuration error naming"
          + " the catalog query and the target, never expanded nor printed")
  void catalogVariableOnlyInThePassword() throws Exception {
    TestDatabase catalog = TestDatabase.postgres();
    dbs.add(catalog);
    Fleet f = fleet(DatabaseKind.POSTGRESQL, 3, false);
    f.fingerprintAll();
    catalog.execute("CREATE TABLE tenants (id text, url text, fingerprint text, wave text)");
    // t00, t02: the whole url a variable; t01: a literal url whose password is a variable
    for (String id : List.of("t00", "t02")) {
      catalog.execute(
          "INSERT INTO tenants VALUES ('"
              + id
              + "', '${"
              + f.var(id)
              + "}', '"
              + f.fingerprints.get(id)
              + "', "
              + (id.equals("t00") ? "'canary'" : "NULL")
              + ")");
    }
    String t01 = env.get(f.var("t01"));
    assertThat(t01).startsWith("postgresql://postgres@");
    catalog.execute(
        "INSERT INTO tenants VALUES ('t01', '"
            + t01.replaceFirst("://postgres@", "://postgres:\\${TENANT_DB_PASSWORD}@")
            + "', '"
            + f.fingerprints.get("t01")
            + "', NULL)");
    String catalogFp = initCatalog(catalog);
    migrations("V1__items.sql", "CREATE TABLE items (id int PRIMARY KEY);\n");
    Files.writeString(
        dir.resolve("prodguard.yml"),
        "environments:\n"
            + "  fleetdb:\n"
            + "    url: ${CATALOG_URL}\n"
            + "    fingerprint: "
            + catalogFp
            + "\n"
            + "migrations:\n  locations: [db/migration]\n"
            + "backup: { directory: backups }\n"
            + "fleets:\n"
            + "  shop:\n"
            + "    waves: [canary, rest]\n"
            + "    catalog:\n"
            + "      environment: fleetdb\n"
            + "      query: select id, url, fingerprint, wave from tenants order by id\n"
            + "      variables: [T00_URL, T02_URL, TENANT_DB_PASSWORD]\n");
    String secret = "s3cret-Tenant-Pw-4711";
    env.put("TENANT_DB_PASSWORD", secret);
    FleetRollout.Report r = f.promote(Shard.ALL);
    assertThat(r.complete()).as(r.toJson().toString()).isTrue();
    for (String id : f.ids) {
      assertThat(f.applied(id)).as(id).containsExactly("1");
    }
    String[][] rows = {
      {"user", "postgresql://${TENANT_DB_PASSWORD}@127.0.0.1:1/x"},
      {"host", "postgresql://app:x@${TENANT_DB_PASSWORD}.127.0.0.1.nip.io:1/x"},
      {"path", "postgresql://app:x@127.0.0.1:1/${TENANT_DB_PASSWORD}"},
      {"query", "postgresql://app:x@127.0.0.1:1/x?application_name=${TENANT_DB_PASSWORD}"}
    };
    for (String[] row : rows) {
      catalog.execute("DELETE FROM tenants WHERE id = 't99'");
      catalog.execute("INSERT INTO tenants VALUES ('t99', '" + row[1] + "', NULL, NULL)");
      Throwable leak = catchThrowable(() -> f.promote(Shard.ALL));
      assertThat(leak).as(row[0]).isInstanceOf(dev.prodguard.config.ConfigException.class);
      assertThat(((dev.prodguard.config.ConfigException) leak).render())
          .as(row[0])
          .contains("prodguard.yml:", "fleets.shop.catalog.query")
          .doesNotContain(secret);
      assertThat(leak)
          .as(row[0])
          .hasMessageContaining("id 't99'")
          .hasMessageContaining("${TENANT_DB_PASSWORD} in its " + row[0])
          .hasMessageContaining("only for the whole url or for its password")
          .hasMessageNotContaining(secret);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private String initCatalog(TestDatabase catalog) throws Exception {
    env.put("CATALOG_URL", catalog.libpqUrl());
    ProdguardConfig bare = load("environments:\n  fleetdb:\n    url: ${CATALOG_URL}\n");
    RunContext ci = ciContext();
    return FingerprintInit.run(
            Target.prepare(bare, "fleetdb", ci, Target.Access.MUTATE, "init-fingerprint"),
            ci,
            false,
            new FlywayMigrationEngine())
        .fingerprint();
  }

  private ProdguardConfig load(String yaml) {
    try {
      Path p = dir.resolve("prodguard.yml");
      Files.writeString(p, yaml);
      return ConfigLoader.load(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void migrations(String... nameAndSql) throws Exception {
    Path m = dir.resolve("db/migration");
    Files.createDirectories(m);
    for (int i = 0; i < nameAndSql.length; i += 2) {
      Files.writeString(m.resolve(nameAndSql[i]), nameAndSql[i + 1]);
    }
  }

  private RunContext ciContext() {
    Map<String, String> e = new HashMap<>(env);
    e.put("CI", "true");
    e.put("GITHUB_SHA", "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    return new RunContext(e, Clock.systemUTC(), "runner", "ci-host");
  }

  private Fleet fleet(DatabaseKind kind, int n, boolean roleSplit) {
    Fleet f = new Fleet(kind, roleSplit);
    for (int i = 0; i < n; i++) {
      String id = String.format("t%02d", i);
      TestDatabase db = TestDatabase.create(kind);
      dbs.add(db);
      f.ids.add(id);
      f.dbs.put(id, db);
      if (roleSplit) {
        String app = db.createUser("SELECT, EXECUTE");
        env.put(f.var(id), db.libpqUrl(app));
        env.put(f.var(id) + "_DEPLOY", db.libpqUrl());
      } else {
        env.put(f.var(id), db.libpqUrl());
      }
    }
    return f;
  }

  private static Map<String, TargetResult> byId(FleetRollout.Report r) {
    Map<String, TargetResult> out = new LinkedHashMap<>();
    for (TargetResult t : r.targets()) {
      assertThat(out.put(t.id(), t)).as("reported once: " + t.id()).isNull();
    }
    return out;
  }

  private static Set<String> deployed(FleetRollout.Report r) {
    return r.targets().stream()
        .filter(t -> t.state() == State.DEPLOYED)
        .map(TargetResult::id)
        .collect(Collectors.toSet());
  }

  /** The fleet under test: its databases, their fingerprints, its prodguard.yml. */
  private final class Fleet {
    final DatabaseKind kind;
    final boolean roleSplit;
    boolean isProtected = true;
    final List<String> ids = new ArrayList<>();
    final Map<String, TestDatabase> dbs = new LinkedHashMap<>();
    final Map<String, String> fingerprints = new LinkedHashMap<>();

    Fleet(DatabaseKind kind, boolean roleSplit) {
      this.kind = kind;
      this.roleSplit = roleSplit;
    }

    String var(String id) {
      return id.toUpperCase() + "_URL";
    }

    TestDatabase db(String id) {
      return dbs.get(id);
    }

    RunContext ci() {
      return ciContext();
    }

    FleetRollout.Pipelines pipelines() {
      RunContext ci = ci();
      // as the CLI's rollout builds them (FleetCli.pipelines): the backup dumps in its step
      return (c, id) ->
          new Pipeline(c, ci, new FlywayMigrationEngine())
              .backupInItsStep()
              .progress(Progress.NONE);
    }

    /** init-fingerprint of every target, as 'init-fingerprint ID --fleet shop' does. */
    void fingerprintAll() throws Exception {
      writeConfig(0, 4, List.of());
      ProdguardConfig config = config();
      FleetConfig fc = config.fleet("shop");
      ProdguardConfig expanded =
          FleetTargets.asEnvironments(config, fc, FleetTargets.resolve(config, fc, ci()));
      for (String id : ids) {
        fingerprints.put(
            id,
            FingerprintInit.run(
                    Target.prepare(expanded, id, ci(), Target.Access.MUTATE, "init-fingerprint"),
                    ci(),
                    false,
                    new FlywayMigrationEngine())
                .fingerprint());
      }
    }

    /** canary: t00..t02; then {@code first} at the head of the rest wave, then the others. */
    void writeConfig(int threshold, int parallel, List<String> first) throws Exception {
      StringBuilder y = new StringBuilder();
      y.append("migrations:\n  locations: [db/migration]\n");
      y.append("backup: { directory: backups }\n");
      y.append("fleets:\n  shop:\n    protected: ").append(isProtected).append('\n');
      y.append("    waves: [canary, rest]\n");
      y.append("    failure-threshold: ").append(threshold).append('\n');
      y.append("    parallel: ").append(parallel).append('\n');
      y.append("    targets:\n");
      List<String> order = new ArrayList<>(ids.subList(0, 3));
      order.addAll(first);
      ids.stream().filter(i -> !order.contains(i)).forEach(order::add);
      for (String id : order) {
        y.append("      - { id: ").append(id).append(", url: \"${").append(var(id)).append("}\"");
        if (roleSplit) {
          y.append(", deploy-url: \"${").append(var(id)).append("_DEPLOY}\"");
        }
        if (fingerprints.containsKey(id)) {
          y.append(", fingerprint: ").append(fingerprints.get(id));
        }
        y.append(", wave: ").append(ids.indexOf(id) < 3 ? "canary" : "rest").append(" }\n");
      }
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(dir.resolve("prodguard.yml"), y.toString());
    }

    ProdguardConfig config() {
      return ConfigLoader.load(dir.resolve("prodguard.yml"));
    }

    FleetRollout.Report promote(Shard shard) throws Exception {
      ProdguardConfig config = config();
      return FleetRollout.promote(
          config,
          "shop",
          ci(),
          pipelines(),
          new FleetRollout.Options(config.fleet("shop").parallel(), Optional.empty(), shard),
          FleetRollout.Listener.NONE);
    }

    /** Versions in Flyway's history table, in order; empty when there is none. */
    List<String> applied(String id) throws SQLException {
      List<String> out = new ArrayList<>();
      try (Connection c = db(id).connect();
          Statement st = c.createStatement()) {
        if (!hasTable(c, "flyway_schema_history")) {
          return out;
        }
        try (ResultSet rs =
            st.executeQuery(
                "SELECT version FROM flyway_schema_history WHERE success AND type = 'SQL'"
                    + " ORDER BY installed_rank")) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    }

    /** Whether a pipeline ever reached the target: a run or a history table. */
    boolean touched(String id) throws SQLException {
      try (Connection c = db(id).connect();
          Statement st = c.createStatement()) {
        if (hasTable(c, "flyway_schema_history")) {
          return true;
        }
        if (!hasTable(c, "prodguard_run")) {
          return false;
        }
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM prodguard_run")) {
          rs.next();
          return rs.getInt(1) > 0;
        }
      }
    }

    private boolean hasTable(Connection c, String table) throws SQLException {
      try (ResultSet rs =
          c.getMetaData()
              .getTables(kind == DatabaseKind.MARIADB ? c.getCatalog() : null, null, table, null)) {
        return rs.next();
      }
    }
  }
}
