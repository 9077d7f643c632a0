package dev.prodguard.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G4 on sync: only what the contract lists, only as it allows, and only the plan that was shown.
 */
@DisplayName("G4 frozen mutation contract: sync")
class G4SyncContractIT {
  static final String SELECT = "SELECT * FROM services ORDER BY id";

  @TempDir Path dir;

  /** A protected prod and a dev whose URLs lead to a listener that counts connections. */
  private GuardRefusal refusedBeforeConnecting(Sync.Request request) throws Exception {
    try (ConnectionRecorder recorder = new ConnectionRecorder()) {
      ProdguardConfig config =
          Configs.load(dir, Configs.devProd("dev-4f1c9a2e7b0d4c3a", "prod-9b2e51d07c8a4f16", null));
      Files.writeString(dir.resolve("prodguard-contract.yml"), SyncDryRunIT.CONTRACT);
      RunContext ctx =
          RunContext.of(
              Map.of(
                  "CI", "true",
                  "DEV_DATABASE_URL", "postgresql://app@127.0.0.1:" + recorder.port() + "/app_dev",
                  "PROD_DATABASE_URL", "postgresql://app@127.0.0.1:" + recorder.port() + "/app"));
      Sync sync =
          new Sync(
              config,
              ContractLoader.load(dir.resolve("prodguard-contract.yml")),
              ctx,
              new TableBackup(ctx),
              Sync.Hooks.NONE);
      GuardRefusal r = catchThrowableOfType(() -> sync.run(request), GuardRefusal.class);
      assertThat(r).isNotNull();
      assertThat(recorder.connections()).isZero();
      return r;
    }
  }

  @Test
  @DisplayName("G4: a table not in the contract's sync section is refused before connecting")
  void tableNotInContract() throws Exception {
    GuardRefusal r =
        refusedBeforeConnecting(Sync.Request.dryRun("dev", "prod", "services", "users").applying());
    assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
    assertThat(r.why()).contains("does not list 'users' under sync", "services, labels");
  }

  @Test
  @DisplayName("G4: a column not in the contract is refused before connecting")
  void columnNotInContract() throws Exception {
    GuardRefusal r =
        refusedBeforeConnecting(
            new Sync.Request(
                "dev",
                "prod",
                List.of("services"),
                Map.of("services", List.of("price", "internal")),
                true,
                20));
    assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
    assertThat(r.what()).contains("services.internal");
    assertThat(r.why()).contains("name, price, active, note");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: a contract column the table does not have is refused")
  void contractColumnMissingFromTable(DatabaseKind kind) throws Exception {
    try (SyncFixture f =
        new SyncFixture(
            kind,
            dir,
            """
            version: 1
            sync:
              services: { key: [id], columns: [name, colour], delete: false, max-rows: 10 }
            """)) {
      SyncDryRunIT.servicesTable(f);
      GuardRefusal r =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services")),
              GuardRefusal.class);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("column 'colour'", "does not exist in 'dev'");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: a column whose type differs between source and target is refused")
  void typeDrift(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, SyncDryRunIT.CONTRACT)) {
      SyncDryRunIT.servicesTable(f);
      f.prod.execute(
          f.pg()
              ? "ALTER TABLE services ALTER COLUMN price TYPE numeric(12,4)"
              : "ALTER TABLE services MODIFY price DECIMAL(12,4)");
      GuardRefusal r =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services")),
              GuardRefusal.class);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("services.price is", "in 'dev' but", "in 'prod'");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: a contract key that is not a key in the data (duplicate, NULL, unorderable) is refused")
  void keyThatIsNoKey(DatabaseKind kind) throws Exception {
    String contract =
        """
        version: 1
        sync:
          tiers: { key: [code], columns: [rate], delete: true, max-rows: 10 }
        """;
    try (SyncFixture f = new SyncFixture(kind, dir, contract)) {
      f.both("CREATE TABLE tiers (code VARCHAR(10), rate DECIMAL(6,2))");
      f.dev.execute(
          "INSERT INTO tiers VALUES ('gold', 1.00)", "INSERT INTO tiers VALUES ('gold', 2.00)");
      GuardRefusal dup =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "tiers")), GuardRefusal.class);
      assertThat(dup.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(dup.why()).contains("is not unique in 'dev'.tiers", "code='gold'");

      f.dev.execute("DELETE FROM tiers", "INSERT INTO tiers VALUES (NULL, 1.00)");
      GuardRefusal nul =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "tiers")), GuardRefusal.class);
      assertThat(nul.why()).contains("has NULL in key column code");

      f.contract(contract.replace("key: [code], columns: [rate]", "key: [rate], columns: [code]"));
      f.both(
          f.pg()
              ? "ALTER TABLE tiers ALTER COLUMN rate TYPE real"
              : "ALTER TABLE tiers MODIFY rate FLOAT");
      GuardRefusal type =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "tiers")), GuardRefusal.class);
      assertThat(type.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(type.why()).contains("key column tiers.rate is", "integer, numeric, text");
    }
  }

  private static final String NO_DELETE =
      """
      version: 1
      sync:
        services: { key: [id], columns: [name, price], delete: false, max-rows: 100 }
      """;

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: a needed delete is refused unless the contract allows deletes")
  void deleteRefusedUnlessAllowed(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, NO_DELETE)) {
      SyncDryRunIT.servicesTable(f);
      f.dev.execute("INSERT INTO services (id, name, price) VALUES (1, 'Basic', 10.00)");
      f.prod.execute(
          "INSERT INTO services (id, name, price) VALUES (1, 'Basic', 9.00)",
          "INSERT INTO services (id, name, price) VALUES (2, 'Prod only', 1.00)");
      List<List<String>> before = SyncFixture.rows(f.prod, SELECT);

      SyncRefusal dry =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services")),
              SyncRefusal.class);
      assertThat(dry.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(dry.why()).contains("1 row(s) of 'prod' are not in 'dev'", "delete: false");
      assertThat(dry.plan()).hasValueSatisfying(p -> assertThat(p.deletes()).isEqualTo(1));

      SyncRefusal apply =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              SyncRefusal.class);
      assertThat(apply.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(SyncFixture.rows(f.prod, SELECT)).isEqualTo(before);
      assertThat(lastAudit(f).outcome()).isEqualTo("refused");

      f.contract(NO_DELETE.replace("delete: false", "delete: true"));
      Sync.Result ok = f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying());
      assertThat(ok.applied().orElseThrow().counts().get("services")).containsExactly(0L, 1L, 1L);
      assertThat(SyncFixture.rows(f.prod, "SELECT id, name, price FROM services ORDER BY id"))
          .isEqualTo(SyncFixture.rows(f.dev, "SELECT id, name, price FROM services ORDER BY id"));
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: a plan over the contract's max-rows ceiling is refused")
  void ceiling(DatabaseKind kind) throws Exception {
    try (SyncFixture f =
        new SyncFixture(kind, dir, NO_DELETE.replace("max-rows: 100", "max-rows: 2"))) {
      SyncDryRunIT.servicesTable(f);
      f.dev.execute(
          "INSERT INTO services (id, name) VALUES (1, 'a')",
          "INSERT INTO services (id, name) VALUES (2, 'b')",
          "INSERT INTO services (id, name) VALUES (3, 'c')");
      SyncRefusal r =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              SyncRefusal.class);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("changes 3 rows, over the contract's ceiling (max-rows: 2)");
      assertThat(SyncFixture.rows(f.prod, SELECT)).isEmpty();
      assertThat(SyncFixture.changeLogRows(f.prod)).isZero();

      // two of the three fit
      f.prod.execute("INSERT INTO services (id, name) VALUES (3, 'c')");
      Sync.Result ok = f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying());
      assertThat(ok.applied().orElseThrow().changes()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: the target changed between plan and apply: abort, nothing written")
  void targetChangedBetweenPlanAndApply(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, SyncDryRunIT.CONTRACT)) {
      SyncDryRunIT.servicesTable(f);
      f.dev.execute(
          "INSERT INTO services (id, name, price) VALUES (1, 'Basic', 10.00)",
          "INSERT INTO services (id, name, price) VALUES (2, 'Gold', 30.00)");
      f.prod.execute("INSERT INTO services (id, name, price) VALUES (1, 'Basic', 9.00)");
      Sync.Hooks someoneWrites =
          new Sync.Hooks() {
            @Override
            public void afterPlan(SyncPlan plan) {
              assertThat(plan.changes()).isEqualTo(2);
              f.prod.execute("UPDATE services SET price = 11.00 WHERE id = 1");
            }
          };
      SyncRefusal r =
          catchThrowableOfType(
              () ->
                  f.sync(true, someoneWrites)
                      .run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              SyncRefusal.class);

      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.outcome()).isEqualTo("aborted");
      assertThat(r.why()).contains("the target changed since planning", "nothing was written");
      assertThat(SyncFixture.rows(f.prod, "SELECT id, name, price FROM services ORDER BY id"))
          .containsExactly(List.of("1", "Basic", "11.00"));
      assertThat(SyncFixture.rows(f.prod, "SELECT COUNT(*) FROM prodguard_sync_change"))
          .containsExactly(List.of("0"));
      AuditLog.Entry last = lastAudit(f);
      assertThat(last.command()).isEqualTo("sync");
      assertThat(last.outcome()).isEqualTo("aborted");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: the source changed between plan and apply: abort, nothing written")
  void sourceChangedBetweenPlanAndApply(DatabaseKind kind) throws Exception {
    try (SyncFixture f = new SyncFixture(kind, dir, SyncDryRunIT.CONTRACT)) {
      SyncDryRunIT.servicesTable(f);
      f.dev.execute("INSERT INTO services (id, name, price) VALUES (1, 'Basic', 10.00)");
      Sync.Hooks someoneWrites =
          new Sync.Hooks() {
            @Override
            public void afterPlan(SyncPlan plan) {
              f.dev.execute("INSERT INTO services (id, name, price) VALUES (2, 'Late', 1.00)");
            }
          };
      SyncRefusal r =
          catchThrowableOfType(
              () ->
                  f.sync(true, someoneWrites)
                      .run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              SyncRefusal.class);
      assertThat(r.why()).contains("the source changed since planning");
      assertThat(SyncFixture.rows(f.prod, SELECT)).isEmpty();
    }
  }

  private static AuditLog.Entry lastAudit(SyncFixture f) throws Exception {
    try (Connection c = f.prod.connect()) {
      return AuditLog.read(c, 1).get(0);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4/G9: a delete or key-value update that a foreign key would cascade into another table"
          + " (a protected one) is refused before anything is written")
  void cascadeIntoAnotherTableRefused(DatabaseKind kind) throws Exception {
    String contract =
        """
        version: 1
        protected-tables:
          orders: {}
        sync:
          services: { key: [id], columns: [code, name], delete: true, max-rows: 5 }
        """;
    try (SyncFixture f = new SyncFixture(kind, dir, contract)) {
      f.both(
          "CREATE TABLE services (id INT PRIMARY KEY, code VARCHAR(10) UNIQUE, name VARCHAR(20))",
          "CREATE TABLE orders (id INT PRIMARY KEY, service_id INT NOT NULL, service_code"
              + " VARCHAR(10), FOREIGN KEY (service_id) REFERENCES services (id) ON DELETE"
              + " CASCADE, FOREIGN KEY (service_code) REFERENCES services (code) ON UPDATE SET"
              + " NULL)");
      f.dev.execute("INSERT INTO services VALUES (1, 'a', 'A'), (2, 'b', 'B')");
      f.prod.execute(
          "INSERT INTO services VALUES (1, 'a', 'A'), (2, 'b', 'B'), (4, 'legacy', 'L')",
          "INSERT INTO orders VALUES (1, 4, 'legacy'), (2, 4, 'legacy'), (3, 4, 'legacy'),"
              + " (4, 4, 'legacy'), (5, 4, 'legacy'), (6, 4, 'legacy'), (7, 1, 'a')");
      List<List<String>> orders = SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id");

      SyncRefusal delete =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              SyncRefusal.class);
      assertThat(delete).isNotNull();
      assertThat(delete.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(delete.why()).contains("services: the plan deletes 1 row(s)", "ON DELETE CASCADE");
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id")).isEqualTo(orders);

      // the key value `code` changes: ON UPDATE SET NULL would blank the referencing orders
      f.dev.execute("INSERT INTO services VALUES (4, 'legacy2', 'L')");
      SyncRefusal update =
          catchThrowableOfType(
              () -> f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()),
              SyncRefusal.class);
      assertThat(update).isNotNull();
      assertThat(update.why()).contains("the plan changes code", "ON UPDATE SET NULL");
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id")).isEqualTo(orders);

      // a change no foreign key carries further is applied
      f.dev.execute("UPDATE services SET code = 'legacy', name = 'Legacy' WHERE id = 4");
      assertThat(f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()).applied())
          .isPresent();
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id")).isEqualTo(orders);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4/G9: sync --revert refuses, before anything is written, to delete a row the sync"
          + " inserted or to change back a referenced value when a foreign key would cascade"
          + " that into another table (a protected one)")
  void revertCascadeIntoAnotherTableRefused(DatabaseKind kind) throws Exception {
    String contract =
        """
        version: 1
        protected-tables:
          orders: {}
        sync:
          services: { key: [id], columns: [code, name], delete: true, max-rows: 5 }
        """;
    try (SyncFixture f = new SyncFixture(kind, dir, contract)) {
      f.both(
          "CREATE TABLE services (id INT PRIMARY KEY, code VARCHAR(10) UNIQUE, name VARCHAR(20))");
      f.dev.execute("INSERT INTO services VALUES (1, 'a', 'A'), (2, 'b', 'B')");
      f.prod.execute("INSERT INTO services VALUES (1, 'a', 'A')");
      // the sync inserts service 2; no foreign key carries anything yet, so it applies
      Sync.Applied inserted =
          f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()).applied().get();
      // since then the application has ordered service 2: undoing the insert deletes it, and
      // ON DELETE CASCADE would take the order with it
      f.prod.execute(
          "CREATE TABLE orders (id INT PRIMARY KEY, service_id INT NOT NULL, service_code"
              + " VARCHAR(10), FOREIGN KEY (service_id) REFERENCES services (id) ON DELETE"
              + " CASCADE)",
          "INSERT INTO orders VALUES (1, 2, 'b')");
      List<List<String>> orders = SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id");
      List<List<String>> services = SyncFixture.rows(f.prod, "SELECT * FROM services ORDER BY id");

      SyncRefusal delete =
          catchThrowableOfType(() -> f.sync().revert(inserted.runId(), "prod"), SyncRefusal.class);
      assertThat(delete).as("revert must refuse the cascading delete").isNotNull();
      assertThat(delete.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(delete.why())
          .contains("services: the revert deletes 1 row(s)", "ON DELETE CASCADE");
      assertThat(delete.fix()).contains("nothing was written");
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id")).isEqualTo(orders);
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM services ORDER BY id"))
          .isEqualTo(services);

      // a sync that changed the referenced value `code`: changing it back would, through ON
      // UPDATE SET NULL, blank the orders that reference the new value
      f.dev.execute("UPDATE services SET code = 'a2' WHERE id = 1");
      Sync.Applied updated =
          f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying()).applied().get();
      f.prod.execute(
          "ALTER TABLE orders ADD CONSTRAINT orders_code FOREIGN KEY (service_code) REFERENCES"
              + " services (code) ON UPDATE SET NULL",
          "INSERT INTO orders VALUES (2, 1, 'a2')");
      orders = SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id");
      services = SyncFixture.rows(f.prod, "SELECT * FROM services ORDER BY id");

      SyncRefusal update =
          catchThrowableOfType(() -> f.sync().revert(updated.runId(), "prod"), SyncRefusal.class);
      assertThat(update).as("revert must refuse the cascading update").isNotNull();
      assertThat(update.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(update.why()).contains("the revert changes code", "ON UPDATE SET NULL");
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM orders ORDER BY id")).isEqualTo(orders);
      assertThat(SyncFixture.rows(f.prod, "SELECT * FROM services ORDER BY id"))
          .isEqualTo(services);
    }
  }
}
