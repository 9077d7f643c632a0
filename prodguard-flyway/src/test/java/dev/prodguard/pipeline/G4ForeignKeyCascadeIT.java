package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G4: a write to an unprotected parent table whose foreign key cascades into a protected table is a
 * write to the protected table. verify reads the foreign keys from the target's catalog (an
 * attacker emptied a protected table with {@code DELETE FROM customers WHERE id > 0}).
 */
@DisplayName("G4 writes that reach a protected table through foreign keys (pipeline)")
class G4ForeignKeyCascadeIT {
  @TempDir Path dir;

  private static PipelineFixture withOrders(DatabaseKind kind, Path dir) throws Exception {
    PipelineFixture f = PipelineFixture.prod(kind, dir);
    f.migration(
        "V2__orders.sql",
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50));\n"
            + "CREATE TABLE regions (id INT PRIMARY KEY);\n"
            + "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, region_id INT,"
            + " CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)"
            + " ON DELETE CASCADE ON UPDATE CASCADE,"
            + " CONSTRAINT orders_region_fk FOREIGN KEY (region_id) REFERENCES regions (id));\n"
            + "INSERT INTO customers VALUES (1, 'a'), (2, 'b');\n"
            + "INSERT INTO regions VALUES (1);\n"
            + "INSERT INTO orders VALUES (1, 1, 1), (2, 2, 1);\n");
    f.pipeline().promote("prod");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\nprotected-tables: { orders: {} }\n");
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: DELETE on a parent whose key says ON DELETE CASCADE is refused by verify")
  void deleteCascades(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = withOrders(kind, dir)) {
      f.migration("V3__tidy.sql", "DELETE FROM customers WHERE id > 0;\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why())
          .contains("V3__tidy.sql", "protected-table-write", "cascades into", "orders")
          .contains("orders_customer_fk", "ON DELETE CASCADE");
      assertThat(f.query("SELECT COUNT(*) FROM orders")).contains("2");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: UPDATE of a parent whose key says ON UPDATE CASCADE is refused by verify")
  void updateCascades(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = withOrders(kind, dir)) {
      f.migration("V3__renumber.sql", "UPDATE customers SET id = id + 1000 WHERE id > 0;\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.why()).contains("V3__renumber.sql", "cascades into", "ON UPDATE CASCADE");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: writes to a parent whose key cannot change the protected rows (no action) still pass")
  void noActionPasses(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = withOrders(kind, dir)) {
      f.migration(
          "V3__regions.sql",
          "INSERT INTO regions VALUES (2);\n" + "DELETE FROM regions WHERE id = 2;\n");

      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }
}
