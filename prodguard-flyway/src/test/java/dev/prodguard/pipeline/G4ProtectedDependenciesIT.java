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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G4 on PostgreSQL: what a protected table's rows depend on (its trigger functions, the enum types
 * and domains of its columns, its sequences) is part of it. An attacker rewrote every order by
 * replacing its trigger function and renamed an enum value every row held; verify reads these
 * dependencies from the target's catalog.
 */
@DisplayName("G4 objects a protected table depends on (pipeline, PostgreSQL)")
class G4ProtectedDependenciesIT {
  @TempDir Path dir;

  private static PipelineFixture withOrders(Path dir) throws Exception {
    PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    f.migration(
        "V2__orders.sql",
        "CREATE TYPE order_status AS ENUM ('new', 'paid');\n"
            + "CREATE DOMAIN amount AS numeric(10,2) CHECK (VALUE >= 0);\n"
            + "CREATE TABLE orders (id serial PRIMARY KEY, status order_status, total amount,"
            + " touched timestamptz);\n"
            + "CREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " NEW.touched := now(); RETURN NEW; END $$;\n"
            + "CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON orders"
            + " FOR EACH ROW EXECUTE FUNCTION orders_touch();\n"
            + "INSERT INTO orders (status, total) VALUES ('paid', 10), ('new', 5);\n"
            + "CREATE FUNCTION unrelated() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n");
    f.pipeline().promote("prod");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\nprotected-tables: { orders: {} }\n");
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "CREATE OR REPLACE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " RETURN NULL; END $$",
        "ALTER TYPE order_status RENAME VALUE 'paid' TO 'refunded'",
        "ALTER DOMAIN amount ADD CONSTRAINT small CHECK (VALUE < 1) NOT VALID",
        "ALTER SEQUENCE orders_id_seq RESTART WITH 1",
        "SELECT setval('orders_id_seq', 1)",
        "SELECT setval('public.orders_id_seq'::regclass, 1, false)",
        "DROP FUNCTION orders_touch() CASCADE",
      })
  @DisplayName("G4: verify refuses a change to what a protected table depends on")
  void refused(String statement) throws Exception {
    try (PipelineFixture f = withOrders(dir)) {
      f.migration("V3__change.sql", statement + ";\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).as(statement).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("V3__change.sql", "protected-table-write", "of protected table");
      assertThat(f.query("SELECT string_agg(status::text, ',' ORDER BY id) FROM orders"))
          .contains("paid,new");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "CREATE OR REPLACE FUNCTION unrelated() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$",
        "CREATE TYPE other_status AS ENUM ('x')",
        "CREATE SEQUENCE other_seq; SELECT setval('other_seq', 5)",
      })
  @DisplayName("G4: objects no protected table depends on stay free to change")
  void unrelatedPasses(String statement) throws Exception {
    try (PipelineFixture f = withOrders(dir)) {
      f.migration("V3__change.sql", statement + ";\n");

      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }
}
