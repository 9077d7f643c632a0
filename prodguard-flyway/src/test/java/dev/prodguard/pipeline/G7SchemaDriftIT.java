package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.guard.drift.DriftCheck;
import dev.prodguard.guard.drift.SchemaDescription;
import dev.prodguard.guard.drift.SchemaDiff;
import dev.prodguard.support.DatabaseSupport;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7, drift: a change made to a protected database outside the pipeline (a hot-fix by a DBA with
 * the superuser's credentials) is refused by the next verify, and by a deploy whose verify came
 * before it, with the changed objects listed; the pipeline's own changes never are; accepting the
 * change is the CI-only, audited {@code drift accept}.
 */
@DisplayName("G7 schema drift (pipeline, PostgreSQL and MariaDB)")
class G7SchemaDriftIT {
  @TempDir Path dir;

  /** What a person with the server's credentials does by hand, past prodguard's DDL guard. */
  private static void byHand(PipelineFixture f, String... sql) {
    if (f.db.kind() == DatabaseKind.POSTGRESQL) {
      f.db.execute("ALTER EVENT TRIGGER prodguard_ddl_guard DISABLE");
      f.db.execute("ALTER EVENT TRIGGER prodguard_ddl_guard_drop DISABLE");
      try {
        f.db.execute(sql);
      } finally {
        f.db.execute("ALTER EVENT TRIGGER prodguard_ddl_guard ENABLE ALWAYS");
        f.db.execute("ALTER EVENT TRIGGER prodguard_ddl_guard_drop ENABLE ALWAYS");
      }
    } else {
      f.db.execute(sql);
    }
  }

  /** {@code table public.items} on PostgreSQL, {@code table items} on MariaDB. */
  private static String table(PipelineFixture f, String name) {
    return "table " + (f.db.kind() == DatabaseKind.POSTGRESQL ? "public." : "") + name;
  }

  private static long verifiedRuns(PipelineFixture f) {
    return Long.parseLong(
        f.query("SELECT COUNT(*) FROM prodguard_run WHERE status = 'verified'").orElseThrow());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: a hand-made ALTER TABLE between two deploys is refused as drift, with its diff")
  void handAlterRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      byHand(
          f,
          "ALTER TABLE items ADD COLUMN note VARCHAR(20)",
          kind == DatabaseKind.POSTGRESQL
              ? "ALTER TABLE items ALTER COLUMN name TYPE VARCHAR(80)"
              : "ALTER TABLE items MODIFY name VARCHAR(80)",
          "CREATE INDEX items_name ON items (name)");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why())
          .contains("changed outside the pipeline", "3 object(s)")
          .contains("+ " + table(f, "items") + " column note: ")
          .contains("~ " + table(f, "items") + " column name: ")
          .contains("+ " + table(f, "items") + " index items_name: ");
      assertThat(r.fix()).contains("prodguard drift accept prod --reason");
      // before anything runs: no run verified, V2 not applied
      assertThat(verifiedRuns(f)).isZero();
      assertThat(f.tableExists("more_items")).isFalse();
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'refused'"
                      + " AND details LIKE '%changed outside the pipeline%'"))
          .contains("1");
      // and drift show lists the same, read-only, with exit-code material
      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.drifted()).isTrue();
      assertThat(show.diff().changes()).hasSize(3);
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: a hand-made rewrite rule, row-level security, a policy and unlogged storage"
          + " are drift (a DO INSTEAD NOTHING rule made every INSERT vanish with 'no drift')")
  void behaviourChangesAreDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      byHand(
          f,
          "CREATE RULE items_ignore AS ON INSERT TO items DO INSTEAD NOTHING",
          "ALTER TABLE items ENABLE ROW LEVEL SECURITY",
          "CREATE POLICY items_none ON items USING (false)",
          "ALTER TABLE items SET UNLOGGED",
          // named like prodguard's own objects: hidden from drift by the old name pattern
          "CREATE FUNCTION prodguard_evil() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN DELETE FROM items WHERE id = NEW.id; RETURN NULL; END $$",
          "CREATE TRIGGER prodguard_evil AFTER INSERT ON items FOR EACH ROW"
              + " EXECUTE FUNCTION prodguard_evil()");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why())
          .contains("6 object(s)")
          .contains("+ table public.items rule items_ignore: ")
          .contains("DO INSTEAD NOTHING")
          .contains("+ table public.items row security: enabled")
          .contains("+ table public.items policy items_none: ")
          .contains("+ table public.items storage: unlogged")
          .contains("+ table public.items trigger prodguard_evil: ")
          .contains("+ function public.prodguard_evil(): ");
      assertThat(f.tableExists("more_items")).isFalse();
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: hand changes that alter behaviour or data without touching a column,"
          + " constraint, routine or trigger are drift (an attacker's nine passed as 'no drift')")
  void hiddenBehaviourChangesAreDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration(
          "V1_1__shop.sql",
          "CREATE TYPE address AS (street text, zip text);\n"
              + "CREATE TABLE customers (id int PRIMARY KEY, addr address);\n"
              + "CREATE TABLE orders (id int PRIMARY KEY, item_id int REFERENCES items (id),"
              + " st text);\n"
              + "CREATE TABLE orders_archive (id int PRIMARY KEY, item_id int, st text);\n"
              + "CREATE VIEW tenant_orders AS SELECT id, item_id, st FROM orders"
              + " WHERE st = 'a' WITH CHECK OPTION;\n"
              + "CREATE SEQUENCE order_no;\n");
      f.pipeline().promote("prod");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      byHand(
          f,
          "ALTER TYPE address DROP ATTRIBUTE zip CASCADE",
          "ALTER TABLE orders DISABLE TRIGGER ALL",
          "ALTER TABLE orders_archive INHERIT orders",
          "ALTER VIEW tenant_orders RESET (check_option)",
          "ALTER VIEW tenant_orders ALTER COLUMN st SET DEFAULT 'b'",
          "CREATE FUNCTION pg_catalog.prodguard_test_eq(text, text) RETURNS boolean"
              + " LANGUAGE sql AS 'SELECT true'",
          "CREATE OPERATOR public.=== (LEFTARG = text, RIGHTARG = text,"
              + " FUNCTION = pg_catalog.prodguard_test_eq)",
          "ALTER SEQUENCE order_no MAXVALUE 2 CYCLE",
          "CREATE FUNCTION public.price(integer) RETURNS integer LANGUAGE sql AS 'SELECT 0'",
          "ALTER EXTENSION plpgsql ADD FUNCTION public.price(integer)",
          "CREATE PUBLICATION orders_pub FOR TABLE orders",
          "ALTER TABLE orders REPLICA IDENTITY NOTHING",
          "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET session_replication_role ="
              + " replica', current_database()); END $$",
          "ALTER TABLE items SET (autovacuum_enabled = false)",
          "CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN END $$",
          "CREATE EVENT TRIGGER hand_ddl ON ddl_command_start EXECUTE FUNCTION public.on_ddl()");
      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.diff().changes())
          .extracting(SchemaDiff.Change::object)
          .contains(
              "composite type public.address",
              "table public.orders internal triggers",
              "table public.orders_archive inherits",
              "view public.tenant_orders options",
              "view public.tenant_orders column st",
              "function pg_catalog.prodguard_test_eq(text, text)",
              "operator public.===(text, text)",
              "sequence public.order_no",
              "function public.price(integer)",
              "publication orders_pub",
              "table public.orders replica identity",
              "settings database",
              "table public.items options",
              "event trigger hand_ddl");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(f.tableExists("more_items")).isFalse();
    }
  }

  @Test
  @DisplayName("G7: MariaDB: a hand-made trigger named prodguard_* and a scheduled event are drift")
  void mariaDbHiddenObjectsAreDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      byHand(
          f,
          "CREATE TRIGGER prodguard_fix BEFORE INSERT ON items FOR EACH ROW SET NEW.name = ''",
          "CREATE EVENT hand_cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM items");
      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.diff().changes())
          .extracting(SchemaDiff.Change::object)
          .containsExactlyInAnyOrder("table items trigger prodguard_fix", "event hand_cleanup");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: the pipeline's own changes (a deploy that alters, indexes, adds) are not drift")
  void ownChangesAreNotDrift(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__alter.sql",
          "ALTER TABLE items ADD COLUMN price INT DEFAULT 0;\n"
              + "CREATE INDEX items_price ON items (price);\n"
              + "CREATE TABLE orders (id INT PRIMARY KEY, item_id INT REFERENCES items (id));\n");
      f.pipeline().promote("prod");
      f.migration("V3__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      Results.Verify v = f.pipeline().verify("prod");

      assertThat(v.run()).isPresent();
      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.drifted()).isFalse();
      assertThat(show.reference()).isPresent();
      assertThat(show.reference().get().runId()).isPresent();
      assertThat(show.reference().get().schema().objects())
          .anySatisfy(o -> assertThat(o.name()).isEqualTo(table(f, "items") + " column price"))
          // prodguard's own objects only as its own routines, each as prodguard installs it
          .allSatisfy(
              o -> {
                if (o.name().contains("prodguard_")) {
                  assertThat(o.name()).matches("prodguard (function|procedure) .*");
                  assertThat(o.definition())
                      .startsWith(dev.prodguard.support.SchemaObject.AS_INSTALLED);
                }
              });
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: drift is accepted only by 'drift accept' from CI with a reason, audited; then verify"
          + " passes")
  void acceptedThroughTheReviewedStep(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      byHand(f, "ALTER TABLE items ADD COLUMN note VARCHAR(20)");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      // not from a laptop (G1), not without a reason
      RunContext laptop =
          new RunContext(
              Map.of(f.urlVariable(), f.ciEnv().get(f.urlVariable())),
              Clock.systemUTC(),
              "dev",
              "laptop");
      GuardRefusal local =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline(laptop).driftAccept("prod", "hot-fix"));
      assertThat(local).isNotNull();
      assertThat(local.guarantee()).isEqualTo(Guarantee.G1);
      GuardRefusal noReason =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().driftAccept("prod", " "));
      assertThat(noReason).isNotNull();
      assertThat(catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod")))
          .isNotNull();

      DriftReport accepted =
          f.pipeline().driftAccept("prod", "INC-42: note column added during the outage");

      assertThat(accepted.accepted()).isTrue();
      assertThat(accepted.diff().changes())
          .singleElement()
          .satisfies(c -> assertThat(c.object()).isEqualTo(table(f, "items") + " column note"));
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'drift_accepted'"
                      + " AND details LIKE '%INC-42%' AND details LIKE '%column note%'"))
          .contains("1");
      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: a change made after verify is refused by deploy, before it migrates")
  void deployRefusesDriftSinceVerify(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      String run = f.pipeline().verify("prod").run().orElseThrow().id();
      f.pipeline().backup("prod", Optional.of(run));
      byHand(f, "CREATE TABLE side (x INT)");

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.of(run)));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("+ " + table(f, "side"));
      assertThat(f.tableExists("more_items")).isFalse();
      assertThat(f.run(run).status()).isEqualTo(RunStatus.BACKED_UP);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: the first verify after upgrading (no schema recorded) passes; its deploy records one")
  void firstDeployAfterUpgrade(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      // a database whose deploys ran before prodguard recorded schemas
      f.db.execute("DELETE FROM prodguard_schema_digest");
      byHand(f, "ALTER TABLE items ADD COLUMN note VARCHAR(20)");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      assertThat(f.pipeline().driftShow("prod").reference()).isEmpty();
      f.pipeline().promote("prod");

      assertThat(f.tableExists("more_items")).isTrue();
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      byHand(f, "ALTER TABLE more_items ADD COLUMN later INT");
      f.migration("V3__again.sql", "CREATE TABLE again (id INT PRIMARY KEY);\n");
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(r).isNotNull();
      assertThat(r.why()).contains("+ " + table(f, "more_items") + " column later");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: with no schema recorded, the check before verify and deploy reads no catalog (nothing"
          + " to compare with, issue 18); once a deploy recorded one, it reads the schema and"
          + " a hand change is drift")
  void noReferenceReadsNoCatalog(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      DatabaseSupport d = DatabaseSupport.of(kind);
      java.util.Set<String> schemaRead = new java.util.HashSet<>();
      try (Connection c = recording(f.db.connect(), schemaRead)) {
        SchemaDescription.read(c, d);
      }
      assertThat(schemaRead).isNotEmpty();

      f.db.execute("DELETE FROM prodguard_schema_digest");
      java.util.Set<String> sent = new java.util.HashSet<>();
      try (Connection c = recording(f.db.connect(), sent)) {
        assertThat(DriftCheck.checkRecorded(c, d, "prod", "prod")).isEmpty();
      }
      assertThat(sent).isNotEmpty().doesNotContainAnyElementsOf(schemaRead);

      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      f.pipeline().promote("prod"); // its verify and deploy pass; the deploy records the schema
      byHand(f, "ALTER TABLE more_items ADD COLUMN later INT");
      sent.clear();
      try (Connection c = recording(f.db.connect(), sent)) {
        DriftCheck.Outcome o = DriftCheck.checkRecorded(c, d, "prod", "prod").orElseThrow();
        assertThat(o.drifted()).isTrue();
        assertThat(o.diff().render(10)).contains("+ " + table(f, "more_items") + " column later");
      }
      assertThat(sent).containsAll(schemaRead);
    }
  }

  /** {@code c}, adding the text of every statement it prepares or executes to {@code sent}. */
  private static Connection recording(Connection c, java.util.Set<String> sent) {
    return (Connection)
        Proxy.newProxyInstance(
            c.getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, m, args) -> {
              if (m.getName().startsWith("prepare")
                  && args != null
                  && args[0] instanceof String q) {
                sent.add(q);
              }
              Object r = invoke(m, c, args);
              if (r instanceof Statement st && !(r instanceof java.sql.PreparedStatement)) {
                return Proxy.newProxyInstance(
                    c.getClass().getClassLoader(),
                    new Class<?>[] {Statement.class},
                    (p2, m2, a2) -> {
                      if (m2.getName().startsWith("execute")
                          && a2 != null
                          && a2[0] instanceof String q) {
                        sent.add(q);
                      }
                      return invoke(m2, st, a2);
                    });
              }
              return r;
            });
  }

  private static Object invoke(java.lang.reflect.Method m, Object on, Object[] args)
      throws Throwable {
    try {
      return m.invoke(on, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  @DisplayName(
      "G7: what a failed MariaDB deploy left (DDL is not transactional there) is the pipeline's"
          + " own: recorded, never drift")
  void failedDeployIsNotDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__half.sql",
          "CREATE TABLE half_done (id INT PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n");

      catchThrowableOfType(DeployFailure.class, () -> f.pipeline().promote("prod"));

      assertThat(f.tableExists("half_done")).isTrue();
      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.drifted()).as(show.diff().render(10)).isFalse();
      assertThat(show.reference().orElseThrow().schema().objects())
          .anySatisfy(o -> assertThat(o.name()).isEqualTo("table half_done"));
    }
  }

  @Test
  @DisplayName("G7: a recorded schema whose text was edited is refused, not trusted")
  void editedRecordRefused() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      byHand(f, "ALTER TABLE items ADD COLUMN note VARCHAR(20)");
      // hide the hand change by editing the reference, but not its digest
      f.db.execute(
          "UPDATE prodguard_schema_digest SET description = description"
              + " || 'table public.items column note' || chr(9) || 'character varying(20)'"
              + " || chr(10)");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("cannot be trusted", "was edited");
    }
  }

  /** V2: creates a table, then sleeps, so that a deploy can be killed while it runs. */
  private static String killedDeployOfSlowV2(PipelineFixture f) throws Exception {
    f.migration("V2__slow.sql", "CREATE TABLE half_applied (id INT);\n" + f.sleepSql(120) + "\n");
    String id = f.pipeline().verify("prod").run().orElseThrow().id();
    f.pipeline().backup("prod", Optional.empty());
    KilledDeploy.killMidMigration(f);
    return id;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: after a deploy killed mid-migration, a hand change is refused as drift (the dead"
          + " deploy's effects cannot be told from it), not absorbed into the next reference")
  void handChangeAfterKilledDeployRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      String died = killedDeployOfSlowV2(f);
      byHand(f, "CREATE INDEX sneaky_idx ON items (name)");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r)
          .as("verify passed without a word: the hand change would be laundered")
          .isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why())
          .contains("run " + died, "died before it recorded", "cannot tell")
          .contains("+ " + table(f, "items") + " index sneaky_idx");
      assertThat(r.fix())
          .contains("prodguard drift show prod", "prodguard drift accept prod --reason");
      assertThat(verifiedRuns(f)).isZero();
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'refused'"
                      + " AND details LIKE '%died before it recorded%'"))
          .contains("1");
      // drift show agrees with verify
      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.drifted()).isTrue();
      assertThat(show.note()).contains(died, "drift accept prod");
      assertThat(show.diff().changes())
          .anySatisfy(c -> assertThat(c.object()).endsWith("index sneaky_idx"));
      if (kind == DatabaseKind.POSTGRESQL) {
        // the rolled-back migration left nothing: the hand change is the whole difference
        assertThat(show.diff().changes()).hasSize(1);
        Results.Drift status = f.pipeline().status("prod").drift();
        assertThat(status.state()).isEqualTo("unsettled");
        assertThat(status.changes()).isEqualTo(1);
        assertThat(status.detail()).contains(died, "drift show prod");
      } else {
        // MariaDB's DDL is not transactional: the CREATE TABLE that ran stays, and is listed too
        assertThat(show.diff().changes())
            .anySatisfy(c -> assertThat(c.object()).isEqualTo("table half_applied"));
      }

      // the reviewed way forward: accepted from CI, audited; then verify compares with it
      f.pipeline().driftAccept("prod", "INC-7: sneaky_idx reviewed and kept");
      if (kind == DatabaseKind.POSTGRESQL) {
        f.migration("V2__slow.sql", "CREATE TABLE half_applied (id INT);\n");
        f.pipeline().promote("prod");
        assertThat(f.tableExists("half_applied")).isTrue();
        assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      }
    }
  }

  @Test
  @DisplayName(
      "G7: a deploy killed mid-migration on PostgreSQL that left nothing (rolled back) is no"
          + " drift: status and verify say so, and the next deploy goes on")
  void killedTransactionalDeployLeftNothing() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      String died = killedDeployOfSlowV2(f);

      Results.Status status = f.pipeline().status("prod");

      assertThat(status.drift().state()).isEqualTo("none");
      assertThat(status.drift().detail()).contains(died, "left no change");
      // #29: nothing of a transactional migration can remain, so no restore is advised
      Run dead = f.run(died);
      assertThat(dead.failure().orElseThrow())
          .contains("Nothing of the migration it was running remains", "No restore is needed")
          .contains("prodguard verify prod")
          .doesNotContain("restore the backup");
      Results.Verify v = f.pipeline().verify("prod");
      assertThat(v.run()).isPresent();
      assertThat(
              f.query(
                  "SELECT details FROM prodguard_audit WHERE outcome = 'verified'"
                      + " ORDER BY seq DESC LIMIT 1"))
          .hasValueSatisfying(d -> assertThat(d).contains(died, "left no change"));
      // the retry, without the sleep that let the test kill the first deploy
      f.migration("V2__slow.sql", "CREATE TABLE half_applied (id INT);\n");
      f.pipeline().promote("prod");
      assertThat(f.tableExists("half_applied")).isTrue();
    }
  }
}
