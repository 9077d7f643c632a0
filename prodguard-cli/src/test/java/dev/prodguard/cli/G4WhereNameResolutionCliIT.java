package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G4 through the real jar on real servers: a DELETE whose WHERE the server resolves to a condition
 * that holds for every row (attacker 22, findings 07, 08, 09, 12, 13) is refused by {@code promote}
 * as delete-without-where before anything runs, and the target keeps its rows.
 */
@DisplayName("G4: promote refuses a WHERE that the server reads as holding for every row")
class G4WhereNameResolutionCliIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "G4: {0} {1} is refused; the orders stay")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          POSTGRESQL | CREATE FUNCTION purge_order(id int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE orders.id = id $$; SELECT purge_order(3);
          POSTGRESQL | DELETE FROM orders WHERE id IN (SELECT id FROM refunds);
          POSTGRESQL | DELETE FROM orders WHERE id IN (SELECT id FROM orders LIMIT 1000000);
          MARIADB | DELETE FROM orders WHERE id IN (SELECT id FROM refunds);
          MARIADB | DELETE FROM orders WHERE status = 0;
          MARIADB | CREATE PROCEDURE purge_orders(IN status VARCHAR(20)) DELETE FROM orders WHERE status = 'void'; CALL purge_orders('void');
          """)
  void refusedBeforeAnyRowGoes(DatabaseKind kind, String v2) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = CliProd.ci(db);
      // verify traces on an embedded server: the binaries' cache the other trace tests filled
      env.put("XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString());
      CliProd.promoted(
          dir,
          env,
          "backup: { directory: backups }\n",
          "V1__init.sql",
          "CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20));\n"
              + "CREATE TABLE refunds (order_id INT);\n"
              + "INSERT INTO orders VALUES (1, 'paid'), (2, 'shipped'), (3, 'void');\n"
              + "INSERT INTO refunds VALUES (3);\n");

      Files.writeString(dir.resolve("db/migration/V2__purge.sql"), v2 + "\n");
      Cli.Result lint = Cli.run(dir, env, "lint", "--env", "prod");
      assertThat(lint.exit()).as(lint.all()).isEqualTo(1);
      assertThat(lint.all()).contains("[delete-without-where]");
      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isEqualTo(1);
      assertThat(promote.all()).contains("delete-without-where");
      try (Connection c = db.connect();
          ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM orders")) {
        rs.next();
        assertThat(rs.getLong(1)).as("orders left").isEqualTo(3);
      }
    }
  }
}
