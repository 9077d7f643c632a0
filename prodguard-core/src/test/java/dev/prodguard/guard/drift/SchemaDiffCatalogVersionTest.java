package dev.prodguard.guard.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.support.SchemaObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Catalog version 2 reads rules, row security, policies and storage. A schema recorded by an
 * earlier prodguard (version 1) does not list them: they are still compared (fail closed: who made
 * them cannot be told) and reported as kinds the reference could not list, so a reviewer accepts
 * them once; the version object itself is no change.
 */
@DisplayName("G7 drift: catalog version 2's object kinds against older references")
class SchemaDiffCatalogVersionTest {
  private static final SchemaObject TABLE = new SchemaObject("table public.items", "");
  private static final SchemaObject RULE =
      new SchemaObject(
          "table public.items rule items_ignore",
          "CREATE RULE items_ignore AS ON INSERT TO public.items DO INSTEAD NOTHING;");
  private static final SchemaObject V2 = new SchemaObject(SchemaObject.CATALOG_VERSION, "2");

  private static SchemaDescription of(SchemaObject... objects) {
    return SchemaDescription.of(new ArrayList<>(List.of(objects)));
  }

  @Test
  void olderReferenceReportsTheNewKindsAsUnlisted() {
    SchemaDiff d = SchemaDiff.between(of(TABLE), of(TABLE, V2, RULE));
    assertThat(d.changes()).extracting(SchemaDiff.Change::object).containsExactly(RULE.name());
    assertThat(SchemaDiff.unlistedBy(of(TABLE), d)).hasSize(1);
  }

  @Test
  void theVersionObjectIsNoChange() {
    assertThat(SchemaDiff.between(of(TABLE), of(TABLE, V2)).isEmpty()).isTrue();
  }

  @Test
  void version2ReferenceSeesAHandMadeRule() {
    SchemaDiff d = SchemaDiff.between(of(TABLE, V2), of(TABLE, V2, RULE));
    assertThat(d.changes()).hasSize(1);
    assertThat(d.changes().get(0).line()).startsWith("+ table public.items rule items_ignore");
  }

  @Test
  void olderReferenceStillSeesEverythingElse() {
    SchemaObject column = new SchemaObject("table public.items column note", "text");
    assertThat(SchemaDiff.between(of(TABLE), of(TABLE, V2, column)).changes()).hasSize(1);
  }
}
