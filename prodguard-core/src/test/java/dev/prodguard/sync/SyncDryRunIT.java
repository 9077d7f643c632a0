package dev.prodguard.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The dry run: a faithful plan, and not one byte written on either side. */
@DisplayName("sync: dry run")
class SyncDryRunIT {
  static final String CONTRACT =
      """
      version: 1
      sync:
        services: { key: [id], columns: [name, price, active, note], delete: true, max-rows: 100 }
        labels: { key: [code], columns: [label], delete: true, max-rows: 100 }
      """;

  @TempDir Path dir;

  static void servicesTable(SyncFixture f) {
    f.both(
        f.pg()
            ? "CREATE TABLE services (id integer PRIMARY KEY, name text NOT NULL,"
                + " price numeric(10,2), active boolean, note text, internal text)"
            : "CREATE TABLE services (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                + " price DECIMAL(10,2), active BOOLEAN, note TEXT, internal TEXT)");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "sync: a dry run plans inserts, column-level updates and deletes, and writes nothing")
  void dryRunWritesNothing(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, CONTRACT)) {
      servicesTable(f);
      f.dev.execute(
          "INSERT INTO services VALUES (1, 'Basic', 10.00, true, NULL, 'x')",
          "INSERT INTO services VALUES (2, 'Gold', 25.50, true, '', 'x')",
          "INSERT INTO services VALUES (3, 'New', 1.25, false, 'fresh', 'x')");
      f.prod.execute(
          "INSERT INTO services VALUES (1, 'Basic', 10.00, true, NULL, 'prod only')",
          "INSERT INTO services VALUES (2, 'Gold', 20.00, true, NULL, 'y')",
          "INSERT INTO services VALUES (9, 'Old', 5.00, false, 'gone', 'y')");
      String select = "SELECT * FROM services ORDER BY id";
      List<List<String>> prodBefore = SyncFixture.rows(f.prod, select);
      List<List<String>> devBefore = SyncFixture.rows(f.dev, select);
      List<List<String>> auditBefore =
          SyncFixture.rows(f.prod, "SELECT seq, hash FROM prodguard_audit ORDER BY seq");

      Sync.Result r = f.sync().run(Sync.Request.dryRun("dev", "prod", "services"));

      assertThat(r.applied()).isEmpty();
      TablePlan t = r.plan().table("services");
      assertThat(t.inserts()).isEqualTo(1);
      assertThat(t.updates()).isEqualTo(1);
      assertThat(t.deletes()).isEqualTo(1);
      assertThat(t.sourceRows()).isEqualTo(3);
      assertThat(t.targetRows()).isEqualTo(3);
      // column-level: price changed, and NULL -> '' is a change; 'internal' is not carried
      assertThat(t.columnUpdates()).containsEntry("price", 1L).containsEntry("note", 1L);
      assertThat(t.columnUpdates()).containsEntry("name", 0L).doesNotContainKey("internal");
      Change update =
          t.sample().stream().filter(c -> c.op() == Change.Op.UPDATE).findFirst().orElseThrow();
      assertThat(update.key()).containsExactly("2");
      assertThat(update.before()[1]).isEqualTo("20.00");
      assertThat(update.after()[1]).isEqualTo("25.50");
      assertThat(update.before()[3]).isNull();
      assertThat(update.after()[3]).isEqualTo("");
      assertThat(t.sample())
          .extracting(Change::op)
          .containsExactly(Change.Op.UPDATE, Change.Op.INSERT, Change.Op.DELETE);

      String text = SyncReport.text(r.plan(), r.applied());
      assertThat(text)
          .contains("1 insert, 1 update, 1 delete")
          .contains("~ update id=2  price: '20.00' -> '25.50'; note: NULL -> ''")
          .contains("- delete id=9")
          .contains("Dry run: nothing was written");

      assertThat(SyncFixture.rows(f.prod, select)).isEqualTo(prodBefore);
      assertThat(SyncFixture.rows(f.dev, select)).isEqualTo(devBefore);
      assertThat(SyncFixture.rows(f.prod, "SELECT seq, hash FROM prodguard_audit ORDER BY seq"))
          .isEqualTo(auditBefore);
      assertThat(SyncFixture.changeLogRows(f.prod)).isZero();
      assertThat(SyncFixture.changeLogRows(f.dev)).isZero();
      assertThat(dir.resolve("state/backups")).doesNotExist();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("sync: --column narrows a run to some of the contract's columns")
  void columnsNarrowThePlan(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, CONTRACT)) {
      servicesTable(f);
      f.dev.execute("INSERT INTO services VALUES (1, 'Renamed', 12.00, true, 'n', 'x')");
      f.prod.execute("INSERT INTO services VALUES (1, 'Basic', 10.00, true, 'n', 'x')");
      Sync.Request onlyPrice =
          new Sync.Request(
              "dev",
              "prod",
              List.of("services"),
              Map.of("services", List.of("price")),
              true,
              Sync.DEFAULT_SAMPLE);

      Sync.Result r = f.sync().run(onlyPrice);

      assertThat(r.plan().table("services").shape().columnNames()).containsExactly("price");
      assertThat(SyncFixture.rows(f.prod, "SELECT name, price FROM services"))
          .containsExactly(List.of("Basic", "12.00"));
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("sync: text keys are matched in code point order, whatever the collation")
  void textKeysInCodePointOrder(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, CONTRACT)) {
      f.both(
          f.pg()
              ? "CREATE TABLE labels (code varchar(20) COLLATE \"und-x-icu\" PRIMARY KEY, label text)"
              : "CREATE TABLE labels (code VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                  + " PRIMARY KEY,"
                  + " label TEXT) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci");
      String[] both = {"a", "B", "é", "Z", "z1", "ß", "😀", "中"};
      for (String k : both) {
        f.both("INSERT INTO labels VALUES ('" + k + "', 'same')");
      }
      f.dev.execute(
          "INSERT INTO labels VALUES ('A', 'dev only')",
          "INSERT INTO labels VALUES ('ą', 'dev only')",
          "UPDATE labels SET label = 'changed' WHERE code = 'ß'");
      f.prod.execute(
          "INSERT INTO labels VALUES ('b', 'prod only')",
          "INSERT INTO labels VALUES ('😃', 'prod only')");

      TablePlan t =
          f.sync().run(Sync.Request.dryRun("dev", "prod", "labels")).plan().table("labels");

      assertThat(t.inserts()).isEqualTo(2);
      assertThat(t.updates()).isEqualTo(1);
      assertThat(t.deletes()).isEqualTo(2);
      assertThat(t.sample())
          .filteredOn(c -> c.op() == Change.Op.UPDATE)
          .singleElement()
          .satisfies(c -> assertThat(c.key()).containsExactly("ß"));
    }
  }
}
