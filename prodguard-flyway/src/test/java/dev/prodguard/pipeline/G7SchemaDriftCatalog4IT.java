package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.guard.drift.SchemaDescription;
import dev.prodguard.guard.drift.SchemaDiff;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.SchemaObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7, drift, schema catalog version 4: prodguard's own objects are left out exactly (not by name),
 * prodguard's own routines are described by whether they are as prodguard installs them, nothing
 * may sit on prodguard's own tables, and the hand changes an attacker found invisible (attack18b:
 * view owners, foreign servers and user mappings, aggregates, subscriptions, extension members,
 * column order; on MariaDB routine parameters, partitioning, view options, ignored indexes,
 * sequences) are drift; a reference recorded under catalog 3 shows no drift on an unchanged schema.
 */
@DisplayName("G7 schema drift, catalog 4 (pipeline, PostgreSQL and MariaDB)")
class G7SchemaDriftCatalog4IT {
  @TempDir Path dir;

  /** What a person with the server's credentials does by hand, past prodguard's DDL guard. */
  private static void byHand(PipelineFixture f, String... sql) {
    f.db.execute(sql);
  }

  private static List<String> driftObjects(PipelineFixture f) throws Exception {
    return f.pipeline().driftShow("prod").diff().changes().stream()
        .map(SchemaDiff.Change::object)
        .toList();
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: an overload of prodguard's routine, a trigger named like prodguard's on an"
          + " application table and a CREATE OR REPLACE of prodguard's DDL guard are drift (all"
          + " three were left out by name)")
  void ownObjectsExactly() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      byHand(
          f,
          "CREATE FUNCTION public.prodguard_guard_check() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN NEW.name := ''; RETURN NEW; END $$",
          "CREATE TRIGGER prodguard_history_guard BEFORE INSERT OR UPDATE ON public.items"
              + " FOR EACH ROW EXECUTE FUNCTION public.prodguard_guard_check()",
          "CREATE OR REPLACE FUNCTION public.prodguard_ddl_guard() RETURNS event_trigger"
              + " LANGUAGE plpgsql AS $pg$ BEGIN END $pg$");

      assertThat(driftObjects(f))
          .contains(
              "function public.prodguard_guard_check()",
              "table public.items trigger prodguard_history_guard",
              "prodguard function public.prodguard_ddl_guard()");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why())
          .contains("~ prodguard function public.prodguard_ddl_guard(): as prodguard installs it")
          .contains("-> changed outside prodguard: md5 ");
      assertThat(f.tableExists("more_items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: a trigger put on prodguard's own audit table by hand is drift, and every prodguard"
          + " command refuses before it writes: it never fires (it deleted every row of a table"
          + " when verify wrote its audit row)")
  void triggerOnOwnTableRefusedBeforeAnyWrite(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      String audits = f.query("SELECT COUNT(*) FROM prodguard_audit").orElseThrow();
      if (kind == DatabaseKind.POSTGRESQL) {
        byHand(
            f,
            "CREATE FUNCTION public.tap() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN DELETE FROM items; RETURN NULL; END $$",
            "CREATE TRIGGER audit_tap AFTER INSERT ON prodguard_audit FOR EACH ROW"
                + " EXECUTE FUNCTION public.tap()");
      } else {
        byHand(
            f,
            "CREATE TRIGGER audit_tap AFTER INSERT ON prodguard_audit FOR EACH ROW DELETE FROM items");
      }
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      String table = kind == DatabaseKind.POSTGRESQL ? "public.prodguard_audit" : "prodguard_audit";
      assertThat(r.why())
          .contains("prodguard's own tables hold 1 object(s) prodguard did not create")
          .contains("+ prodguard table " + table + " trigger audit_tap: ");
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("3");
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_audit")).contains(audits);
      assertThat(f.tableExists("more_items")).isFalse();
      assertThat(catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().driftShow("prod")))
          .isNotNull();
      // and the description lists it: drift, compared even against an older reference
      try (Connection c = f.db.connect()) {
        assertThat(SchemaDescription.read(c, DatabaseSupport.of(kind)).objects())
            .extracting(SchemaObject::name)
            .contains("prodguard table " + table + " trigger audit_tap");
      }
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: a view given to another owner, a foreign server and table re-pointed, a user"
          + " mapping's password changed, an aggregate redefined, a subscription, an extension's"
          + " function replaced, a user cast and a column dropped and re-added are drift; no"
          + " password is shown")
  void pgBehaviourChangesAreDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      String role = f.db.createLoginRole();
      f.pipeline().promote("prod");
      // set up by a DBA and accepted as reviewed (the contract refuses such statements in a
      // migration without a reviewed exception): part of the reference
      byHand(
          f,
          "CREATE EXTENSION IF NOT EXISTS postgres_fdw",
          "CREATE EXTENSION IF NOT EXISTS pgcrypto",
          "CREATE SERVER billing FOREIGN DATA WRAPPER postgres_fdw"
              + " OPTIONS (host 'billing.internal', dbname 'billing')",
          "CREATE USER MAPPING FOR CURRENT_USER SERVER billing"
              + " OPTIONS (user 'app', password 'billing-secret-1')",
          "CREATE FOREIGN TABLE invoices (id int, amount numeric) SERVER billing"
              + " OPTIONS (table_name 'invoices')",
          "CREATE AGGREGATE total(numeric) (sfunc = numeric_add, stype = numeric,"
              + " initcond = '0')",
          "CREATE TABLE lines (id int PRIMARY KEY, note text, qty int)",
          "CREATE VIEW my_lines AS SELECT id, qty FROM lines",
          "ALTER VIEW my_lines OWNER TO " + role);
      f.pipeline().driftAccept("prod", "foreign data and extensions set up by the DBA");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      String sub = "d17_sub_" + Long.toHexString(System.nanoTime());
      byHand(
          f,
          "ALTER VIEW my_lines OWNER TO CURRENT_USER",
          "ALTER SERVER billing OPTIONS (SET host 'attacker.example')",
          "ALTER FOREIGN TABLE invoices OPTIONS (SET table_name 'decoy')",
          "ALTER USER MAPPING FOR CURRENT_USER SERVER billing"
              + " OPTIONS (SET password 'billing-secret-2')",
          "DROP AGGREGATE total(numeric)",
          "CREATE AGGREGATE total(numeric) (sfunc = numeric_sub, stype = numeric,"
              + " initcond = '0')",
          "CREATE SUBSCRIPTION "
              + sub
              + " CONNECTION 'host=203.0.113.1 dbname=x password=sub-secret'"
              + " PUBLICATION p WITH (connect = false, enabled = false)",
          "CREATE OR REPLACE FUNCTION public.crypt(text, text) RETURNS text LANGUAGE sql"
              + " IMMUTABLE AS $$ SELECT $2 $$",
          // (a cast of integer to text would change how prodguard itself reads its tables)
          "CREATE TYPE mood AS ENUM ('ok')",
          "CREATE FUNCTION public.mood_len(mood) RETURNS integer LANGUAGE sql"
              + " AS $$ SELECT 1 $$",
          "CREATE CAST (mood AS integer) WITH FUNCTION public.mood_len(mood)",
          "ALTER TABLE lines DROP COLUMN note",
          "ALTER TABLE lines ADD COLUMN note text");
      try {
        List<SchemaDiff.Change> changes = f.pipeline().driftShow("prod").diff().changes();
        assertThat(changes)
            .extracting(SchemaDiff.Change::object)
            .contains(
                "owner of view public.my_lines",
                "foreign server billing",
                "server of foreign table public.invoices",
                "definition of aggregate public.total(numeric)",
                "subscription " + sub,
                "extension pgcrypto",
                "cast (public.mood as integer)",
                "columns of table public.lines");
        assertThat(changes).anySatisfy(c -> assertThat(c.object()).startsWith("user mapping for "));
        assertThat(changes.toString())
            .doesNotContain("billing-secret", "sub-secret")
            .contains("attacker.example");
        f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
        GuardRefusal r =
            catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
        assertThat(r).isNotNull();
        assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
        assertThat(r.why()).doesNotContain("billing-secret", "sub-secret");
        assertThat(f.tableExists("more_items")).isFalse();
      } finally {
        byHand(
            f, "ALTER SUBSCRIPTION " + sub + " SET (slot_name = NONE)", "DROP SUBSCRIPTION " + sub);
      }
    }
  }

  @Test
  @DisplayName(
      "G7: MariaDB: a routine's parameter type, partitioning, a view's check option, an ignored"
          + " index, a sequence's options, a column moved and prodguard's own routine replaced are"
          + " drift")
  void mariaDbBehaviourChangesAreDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.migration(
          "V1_1__more.sql",
          "CREATE TABLE pay (id INT PRIMARY KEY, amount DECIMAL(10,2), cust INT,"
              + " KEY pay_cust (cust));\n"
              + "CREATE PROCEDURE add_pay(IN p_id INT, IN p_amount DECIMAL(10,2))"
              + " INSERT INTO pay (id, amount) VALUES (p_id, p_amount);\n"
              + "CREATE VIEW pay_t1 AS SELECT * FROM pay WHERE cust = 1 WITH CASCADED CHECK"
              + " OPTION;\n"
              + "CREATE SEQUENCE order_no START WITH 1 INCREMENT BY 1;\n");
      f.pipeline().promote("prod");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      byHand(
          f,
          "DROP PROCEDURE add_pay",
          "CREATE PROCEDURE add_pay(IN p_id INT, IN p_amount INT)"
              + " INSERT INTO pay (id, amount) VALUES (p_id, p_amount)",
          "ALTER TABLE pay PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (1000))",
          "CREATE OR REPLACE VIEW pay_t1 AS SELECT * FROM pay WHERE cust = 1",
          "ALTER TABLE pay ALTER INDEX pay_cust IGNORED",
          "ALTER SEQUENCE order_no MAXVALUE 3 CYCLE",
          "ALTER TABLE pay MODIFY cust INT AFTER id",
          "DROP PROCEDURE prodguard_assert_deploy",
          "CREATE PROCEDURE prodguard_assert_deploy() SQL SECURITY DEFINER BEGIN END");

      assertThat(driftObjects(f))
          .contains(
              "parameters of procedure add_pay",
              "partitioning of table pay",
              "options of table pay",
              "options of view pay_t1",
              "ignored index pay_cust on table pay",
              "sequence options order_no",
              "columns of table pay",
              "prodguard procedure prodguard_assert_deploy");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(f.tableExists("more_items")).isFalse();
    }
  }

  /**
   * Rewrites the newest recorded schema as the prodguard of catalog 3 recorded it: without the
   * objects catalog 4 added, and with its version object (PostgreSQL) or none (MariaDB, which had
   * none), under a digest that matches.
   */
  private static void recordedUnderCatalog3(PipelineFixture f) throws Exception {
    recordedUnderCatalog(f, 3);
  }

  /** {@link #recordedUnderCatalog3}, for any earlier catalog {@code version}. */
  private static void recordedUnderCatalog(PipelineFixture f, int version) throws Exception {
    try (Connection c = f.db.connect()) {
      long id;
      String text;
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, description FROM prodguard_schema_digest ORDER BY id DESC LIMIT 1");
          ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        id = rs.getLong(1);
        text = rs.getString(2);
      }
      List<SchemaObject> old = new ArrayList<>();
      for (SchemaObject o : SchemaDescription.parse(text).objects()) {
        if (o.name().equals(SchemaObject.CATALOG_VERSION)) {
          if (f.db.kind() == DatabaseKind.POSTGRESQL) {
            old.add(new SchemaObject(o.name(), String.valueOf(version)));
          }
        } else if (o.catalogVersion() <= version) {
          old.add(o);
        }
      }
      SchemaDescription d = SchemaDescription.of(old);
      assertThat(d.objects()).hasSizeLessThan(SchemaDescription.parse(text).objects().size());
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE prodguard_schema_digest SET description = ?, schema_sha256 = ?,"
                  + " object_count = ? WHERE id = ?")) {
        ps.setString(1, d.text());
        ps.setString(2, d.sha256());
        ps.setInt(3, d.objects().size());
        ps.setLong(4, id);
        ps.executeUpdate();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: after upgrading, a reference recorded under catalog 3 shows no drift on an unchanged"
          + " schema (column order, owners, options are compared from the next deploy on); the next"
          + " deploy records catalog 4, and a hand change of those kinds is then drift")
  void catalog3ReferenceIsFair(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration(
          "V1_1__more.sql",
          "CREATE TABLE order_lines (id INT PRIMARY KEY, note VARCHAR(20), qty INT);\n"
              + "CREATE VIEW line_view AS SELECT id, qty FROM order_lines;\n");
      f.pipeline().promote("prod");
      recordedUnderCatalog3(f);

      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.drifted()).as(show.diff().render(20)).isFalse();
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      f.pipeline().promote("prod");
      assertThat(f.tableExists("more_items")).isTrue();
      assertThat(f.pipeline().driftShow("prod").reference().orElseThrow().schema().objects())
          .anySatisfy(o -> assertThat(o.name()).startsWith("columns of table "));

      byHand(
          f,
          "ALTER TABLE order_lines DROP COLUMN note",
          kind == DatabaseKind.POSTGRESQL
              ? "ALTER TABLE order_lines ADD COLUMN note VARCHAR(20)"
              : "ALTER TABLE order_lines ADD COLUMN note VARCHAR(20) AFTER qty");
      assertThat(driftObjects(f))
          .containsExactly(
              "columns of table "
                  + (kind == DatabaseKind.POSTGRESQL ? "public." : "")
                  + "order_lines");
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: prodguard's own routine replaced by hand is drift even against a reference"
          + " recorded under catalog 3")
  void ownRoutineChangedAgainstCatalog3Reference() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      recordedUnderCatalog3(f);
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      byHand(
          f,
          "CREATE OR REPLACE FUNCTION public.prodguard_history_guard() RETURNS trigger"
              + " LANGUAGE plpgsql AS $pg$ BEGIN RETURN NULL; END $pg$");

      assertThat(driftObjects(f))
          .containsExactly("prodguard function public.prodguard_history_guard()");
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: a column's collation replaced by a same-named collation of another schema"
          + " is drift (collations were described by bare name); a reference recorded under"
          + " catalog 4 shows no drift on an unchanged schema")
  void collationByIdentity() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration(
          "V1_1__notes.sql", "CREATE TABLE notes (id INT PRIMARY KEY, body text COLLATE \"C\");\n");
      f.pipeline().promote("prod");
      recordedUnderCatalog(f, 4);
      DriftReport show = f.pipeline().driftShow("prod");
      assertThat(show.drifted()).as(show.diff().render(20)).isFalse();
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      f.pipeline().promote("prod");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();

      byHand(
          f,
          "CREATE COLLATION public.\"C\" (locale = 'POSIX')",
          "ALTER TABLE notes ALTER COLUMN body TYPE text COLLATE public.\"C\"");

      assertThat(driftObjects(f))
          .contains("collations of table public.notes", "collation public.\"C\"");
      assertThat(f.pipeline().driftShow("prod").diff().render(20))
          .contains("body pg_catalog.\"C\" -> body public.\"C\"");
    }
  }
}
