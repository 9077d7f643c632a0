package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.support.TableParent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A partition (or an inheritance child) of a protected table holds that table's rows, so it is
 * protected too (attack finding 30: {@code ALTER TABLE orders_2024 ...}, {@code DROP TABLE
 * orders_2024} passed lint because only the parent's name was judged). verify knows the partitions
 * from the target's catalog; lint without a database knows those the migrations make.
 */
@DisplayName("G4: partitions and inheritance children of a protected table are protected")
class G4PartitionProtectionLintTest {
  @TempDir Path dir;

  private Contract contract() {
    return ContractLoader.parse(
        dir.resolve("prodguard-contract.yml"),
        """
        version: 1
        protected-tables:
          public.orders: { writable-columns: [note] }
        """
            .getBytes(StandardCharsets.UTF_8));
  }

  private List<Finding> lint(Linter linter, String history, String sql) throws Exception {
    Path v1 = Files.writeString(dir.resolve("V1__history.sql"), history, StandardCharsets.UTF_8);
    Path v2 = Files.writeString(dir.resolve("V2__change.sql"), sql, StandardCharsets.UTF_8);
    return linter.lintFiles(List.of(v2), List.of(v1), contract(), true).findings().stream()
        .filter(f -> f.rule().equals("protected-table-write"))
        .toList();
  }

  /** The target's catalog, as verify reads it: orders_2024 of orders, orders_2024_q1 of that. */
  private static Linter withCatalog() {
    return new Linter(DatabaseKind.POSTGRESQL)
        .tableParents(
            List.of(
                new TableParent("public", "orders_2024", "public", "orders"),
                new TableParent("public", "orders_2024_q1", "public", "orders_2024"),
                new TableParent("public", "orders_archive", "public", "orders")));
  }

  @ParameterizedTest(name = "G4: {0} is a write to protected table public.orders (catalog)")
  @ValueSource(
      strings = {
        "DROP TABLE orders_2024;",
        "ALTER TABLE orders_2024 ADD CONSTRAINT positive CHECK (id > 0);",
        "DELETE FROM public.orders_2024 WHERE id < 10;",
        "TRUNCATE orders_2024_q1;",
        "ALTER TABLE orders_archive ADD COLUMN extra int;",
        "UPDATE orders_2024 SET total = 0 WHERE id = 1;"
      })
  void partitionOfProtectedTableFromTheCatalog(String sql) throws Exception {
    List<Finding> found = lint(withCatalog(), "SELECT 1;\n", sql + "\n");
    assertThat(found)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.blocking()).isTrue();
              assertThat(f.message())
                  .contains("a partition (or inheritance child) of protected table public.orders");
            });
  }

  @Test
  @DisplayName(
      "G4: an UPDATE of a partition that sets only the protected table's writable columns is"
          + " allowed, as on the table; an unrelated table stays unprotected")
  void writableColumnsAndOtherTables() throws Exception {
    assertThat(lint(withCatalog(), "SELECT 1;\n", "UPDATE orders_2024 SET note = 'x';\n"))
        .isEmpty();
    assertThat(lint(withCatalog(), "SELECT 1;\n", "DROP TABLE customers_2024;\n")).isEmpty();
  }

  @ParameterizedTest(name = "G4: lint without a database: {0}, then DROP TABLE of the partition")
  @ValueSource(
      strings = {
        "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM (0) TO (1000);",
        "CREATE TABLE orders_2024 (LIKE orders);\n"
            + "ALTER TABLE orders ATTACH PARTITION orders_2024 FOR VALUES FROM (0) TO (1000);",
        "CREATE TABLE orders_2024 () INHERITS (orders);",
        "CREATE TABLE orders_2024 (id bigint, total int, note text);\n"
            + "ALTER TABLE orders_2024 INHERIT orders;"
      })
  void partitionMadeByTheMigrations(String made) throws Exception {
    String history =
        "CREATE TABLE orders (id bigint, total int, note text) PARTITION BY RANGE (id);\n"
            + made
            + "\n";
    List<Finding> found =
        lint(new Linter(DatabaseKind.POSTGRESQL), history, "DROP TABLE orders_2024;\n");
    assertThat(found)
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.message())
                    .contains(
                        "orders_2024, a partition (or inheritance child) of protected table"));
  }
}
