package dev.prodguard.guard.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.support.SchemaObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("G7 drift: schema descriptions and their object-level diff")
class SchemaDiffTest {
  private static SchemaDescription of(SchemaObject... o) {
    return SchemaDescription.of(List.of(o));
  }

  @Test
  @DisplayName("the digest does not depend on the catalog's row order, and the text parses back")
  void canonical() {
    SchemaObject a = new SchemaObject("table public.a", "");
    SchemaObject b = new SchemaObject("function public.f()", "body with\ttab, \\ and\nnewline");
    SchemaDescription x = of(a, b);
    SchemaDescription y = of(b, a);

    assertThat(x.sha256()).isEqualTo(y.sha256()).hasSize(64);
    assertThat(x.text()).isEqualTo(y.text()).hasLineCount(2);
    SchemaDescription back = SchemaDescription.parse(x.text());
    assertThat(back.objects()).isEqualTo(x.objects());
    assertThat(back.sha256()).isEqualTo(x.sha256());
    assertThat(of(a).sha256()).isNotEqualTo(x.sha256());
    assertThatThrownBy(() -> SchemaDescription.parse("no tab here\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("added, removed and changed objects, sorted by name, each on one line")
  void diff() {
    SchemaDescription before =
        of(
            new SchemaObject("table public.orders", ""),
            new SchemaObject("table public.orders column total", "numeric(10,2)"),
            new SchemaObject("table public.orders index orders_old", "CREATE INDEX orders_old"));
    SchemaDescription after =
        of(
            new SchemaObject("table public.orders", ""),
            new SchemaObject("table public.orders column total", "numeric(12,2)"),
            new SchemaObject("table public.orders column note", "text"));

    SchemaDiff d = SchemaDiff.between(before, after);

    assertThat(d.changes())
        .extracting(SchemaDiff.Change::line)
        .containsExactly(
            "+ table public.orders column note: text",
            "~ table public.orders column total: numeric(10,2) -> numeric(12,2)",
            "- table public.orders index orders_old: CREATE INDEX orders_old");
    assertThat(SchemaDiff.between(after, after).isEmpty()).isTrue();
    assertThat(d.render(2)).endsWith("... and 1 more");
  }
}
