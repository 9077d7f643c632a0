package dev.prodguard.lint.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.sql.OpKind;
import dev.prodguard.support.ForeignKey;
import dev.prodguard.support.ForeignKey.Action;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("G4: which writes reach a protected table through foreign keys")
class G4CascadesTest {
  private static final Contract CONTRACT =
      ContractLoader.parse(
          Path.of("prodguard-contract.yml"),
          "version: 1\nprotected-tables: { orders: {} }\n".getBytes(StandardCharsets.UTF_8));

  private static ForeignKey fk(String name, String child, String parent, Action del, Action upd) {
    return new ForeignKey(name, "public", child, "public", parent, del, upd);
  }

  private static final Cascades KEYS =
      Cascades.of(
          List.of(
              fk("orders_customer_fk", "orders", "customers", Action.CASCADE, Action.NO_ACTION),
              fk("customers_account_fk", "customers", "accounts", Action.SET_NULL, Action.CASCADE),
              fk("orders_region_fk", "orders", "regions", Action.RESTRICT, Action.NO_ACTION),
              fk("notes_orders_fk", "notes", "orders", Action.CASCADE, Action.CASCADE)),
          CONTRACT);

  @Test
  @DisplayName("G4: DELETE on a direct and on a transitive parent cascades; UPDATE only per action")
  void transitive() {
    assertThat(KEYS.reach(OpKind.DELETE, "customers"))
        .get()
        .asString()
        .contains("orders_customer_fk");
    assertThat(KEYS.reach(OpKind.DELETE, "public.accounts"))
        .get()
        .asString()
        .contains("customers_account_fk", "ON DELETE SET NULL", "public.orders");
    assertThat(KEYS.reach(OpKind.UPDATE, "customers")).isEmpty();
    assertThat(KEYS.reach(OpKind.MERGE, "customers")).isPresent();
  }

  @Test
  @DisplayName("G4: RESTRICT/NO ACTION parents pass; TRUNCATE (CASCADE) of any parent does not")
  void restrictAndTruncate() {
    assertThat(KEYS.reach(OpKind.DELETE, "regions")).isEmpty();
    assertThat(KEYS.reach(OpKind.TRUNCATE, "regions")).get().asString().contains("TRUNCATE");
    assertThat(KEYS.reach(OpKind.DELETE, "notes")).isEmpty(); // a child of orders, not a parent
    assertThat(KEYS.reach(OpKind.INSERT, "customers")).isEmpty();
  }

  @Test
  @DisplayName("G4: names match in any schema when unqualified, and only there when qualified")
  void names() {
    assertThat(KEYS.reach(OpKind.DELETE, "CUSTOMERS")).isPresent();
    assertThat(KEYS.reach(OpKind.DELETE, "\"customers\"")).isPresent();
    assertThat(KEYS.reach(OpKind.DELETE, "other.customers")).isEmpty();
    assertThat(Cascades.NONE.reach(OpKind.DELETE, "customers")).isEmpty();
  }
}
