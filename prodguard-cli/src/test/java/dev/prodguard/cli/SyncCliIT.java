package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code prodguard sync} through the real jar: dry run, refusals, apply and revert exit codes. */
@DisplayName("CLI end to end: sync")
class SyncCliIT {
  @TempDir Path dir;

  private static final String CONFIG =
      """
      environments:
        dev:
          url: ${DEV_DATABASE_URL}
        prod:
          url: ${PROD_DATABASE_URL}
          protected: true
      """;

  private static final String CONTRACT =
      """
      version: 1
      sync:
        services: { key: [id], columns: [name, price], delete: false, max-rows: 100 }
      """;

  private static List<String> rows(TestDatabase db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, name, price FROM services ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "sync: dry run exits 0 and writes nothing; apply without CI exits 1 (G1); apply"
          + " and revert exit 0")
  void dryRunApplyRevert(DatabaseKind kind) throws Exception {
    try (TestDatabase dev = TestDatabase.create(kind);
        TestDatabase prod = TestDatabase.create(kind)) {
      Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
      Files.writeString(dir.resolve("prodguard-contract.yml"), CONTRACT);
      Map<String, String> devOnly = Map.of("DEV_DATABASE_URL", dev.libpqUrl());
      Map<String, String> laptop = new HashMap<>(devOnly);
      laptop.put("PROD_DATABASE_URL", prod.libpqUrl());
      Map<String, String> ci = new HashMap<>(laptop);
      ci.put("CI", "true");
      assertThat(Cli.run(dir, devOnly, "init-fingerprint", "dev", "--write-config").exit())
          .isZero();
      Cli.Result initProd = Cli.run(dir, ci, "init-fingerprint", "prod", "--write-config");
      assertThat(initProd.exit()).as(initProd.all()).isZero();
      String table =
          kind == DatabaseKind.POSTGRESQL
              ? "CREATE TABLE services (id integer PRIMARY KEY, name text, price numeric(10,2))"
              : "CREATE TABLE services (id INT PRIMARY KEY, name TEXT, price DECIMAL(10,2))";
      dev.execute(
          table,
          "INSERT INTO services VALUES (1, 'Basic', 10.00)",
          "INSERT INTO services VALUES (2, 'Gold', 25.50)");
      prod.execute(table, "INSERT INTO services VALUES (1, 'Basic', 9.00)");
      List<String> prodBefore = rows(prod);

      Cli.Result dry =
          Cli.run(dir, ci, "sync", "--from", "dev", "--to", "prod", "--table", "services");
      assertThat(dry.exit()).as(dry.all()).isZero();
      assertThat(dry.out())
          .contains("1 insert, 1 update, 0 delete")
          .contains("price: '9.00' -> '10.00'")
          .contains("Dry run: nothing was written");
      assertThat(rows(prod)).isEqualTo(prodBefore);

      Cli.Result json =
          Cli.run(
              dir,
              ci,
              "sync",
              "--from",
              "dev",
              "--to",
              "prod",
              "--table",
              "services",
              "--format",
              "json");
      assertThat(json.exit()).as(json.all()).isZero();
      JsonNode plan = new ObjectMapper().readTree(json.out());
      assertThat(plan.path("dry_run").asBoolean()).isTrue();
      assertThat(plan.path("totals").path("insert").asLong()).isEqualTo(1);
      assertThat(
              plan.path("tables")
                  .get(0)
                  .path("changes")
                  .get(0)
                  .path("columns")
                  .path("price")
                  .path("before")
                  .asText())
          .isEqualTo("9.00");

      Cli.Result notInContract =
          Cli.run(dir, ci, "sync", "--from", "dev", "--to", "prod", "--table", "users");
      assertThat(notInContract.exit()).isEqualTo(1);
      assertThat(notInContract.err()).contains("G4 frozen mutation contract", "'users'");

      Cli.Result usage = Cli.run(dir, ci, "sync", "--to", "prod", "--table", "services");
      assertThat(usage.exit()).isEqualTo(2);
      assertThat(usage.err()).contains("--from");

      Cli.Result noCi =
          Cli.run(
              dir,
              laptop,
              "sync",
              "--from",
              "dev",
              "--to",
              "prod",
              "--table",
              "services",
              "--apply");
      assertThat(noCi.exit()).as(noCi.all()).isEqualTo(1);
      assertThat(noCi.err()).contains("G1 CI-only mutation");
      assertThat(rows(prod)).isEqualTo(prodBefore);

      Cli.Result applied =
          Cli.run(
              dir, ci, "sync", "--from", "dev", "--to", "prod", "--table", "services", "--apply");
      assertThat(applied.exit()).as(applied.all()).isZero();
      assertThat(applied.out()).contains("Applied as run sync-", "backup: ");
      assertThat(rows(prod)).isEqualTo(rows(dev));
      Matcher m = Pattern.compile("--revert (sync-\\S+)").matcher(applied.out());
      assertThat(m.find()).isTrue();

      Cli.Result reverted = Cli.run(dir, ci, "sync", "--revert", m.group(1), "--to", "prod");
      assertThat(reverted.exit()).as(reverted.all()).isZero();
      assertThat(reverted.out()).contains("Reverted sync run " + m.group(1));
      assertThat(rows(prod)).isEqualTo(prodBefore);

      Cli.Result audit = Cli.run(dir, ci, "audit", "verify", "prod");
      assertThat(audit.exit()).as(audit.all()).isZero();
    }
  }
}
