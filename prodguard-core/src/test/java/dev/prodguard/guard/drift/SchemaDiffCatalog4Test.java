package dev.prodguard.guard.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.support.SchemaObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Catalog version 4: kinds that describe what a reviewed deploy may have made (column order,
 * owners, options) are compared from the first version-4 reference on, so an unchanged schema shows
 * no drift after upgrading; what no deploy makes (anything on prodguard's own tables, prodguard's
 * own routine not as installed) is compared against any reference. An aspect never repeats the
 * change of the object it describes.
 */
@DisplayName("G7 drift: catalog version 4's object kinds")
class SchemaDiffCatalog4Test {
  private static final SchemaObject TABLE = new SchemaObject("table public.items", "");
  private static final SchemaObject V3 = new SchemaObject(SchemaObject.CATALOG_VERSION, "3");
  private static final SchemaObject V4 = new SchemaObject(SchemaObject.CATALOG_VERSION, "4");
  private static final SchemaObject ORDER =
      new SchemaObject("columns of table public.items", "id, name");
  private static final SchemaObject OWN_AS_INSTALLED =
      new SchemaObject(
          "prodguard function public.prodguard_ddl_guard()", SchemaObject.AS_INSTALLED);

  private static SchemaDescription of(SchemaObject... objects) {
    return SchemaDescription.of(new ArrayList<>(List.of(objects)));
  }

  private static List<String> changed(SchemaDescription before, SchemaDescription after) {
    return SchemaDiff.between(before, after).changes().stream()
        .map(SchemaDiff.Change::object)
        .toList();
  }

  @Test
  void aCatalog4ReferenceSeesNoDriftOnARolesExistingSettingsAndACatalog5OneSeesTheirChange() {
    SchemaObject v5 = new SchemaObject(SchemaObject.CATALOG_VERSION, "5");
    SchemaObject replica =
        new SchemaObject("role app settings", "session_replication_role=replica");
    SchemaObject timeout = new SchemaObject("role app settings", "statement_timeout=5s");
    assertThat(replica.catalogVersion()).isEqualTo(5);
    assertThat(changed(of(TABLE, V4), of(TABLE, v5, replica))).isEmpty();
    assertThat(changed(of(TABLE, v5), of(TABLE, v5, replica))).containsExactly("role app settings");
    assertThat(changed(of(TABLE, v5, timeout), of(TABLE, v5, replica)))
        .containsExactly("role app settings");
  }

  @Test
  void aCatalog5ReferenceSeesNoDriftOnCatalog6KindsAndACatalog6OneSeesTheirChange() {
    SchemaObject v5 = new SchemaObject(SchemaObject.CATALOG_VERSION, "5");
    SchemaObject v6 = new SchemaObject(SchemaObject.CATALOG_VERSION, "6");
    SchemaObject every = new SchemaObject("settings of every role", "statement_timeout=1h");
    SchemaObject grantee = new SchemaObject("grantee app settings", "search_path=evil");
    SchemaObject members = new SchemaObject("members of publication cdc", "schemas public");
    // "settings " begins catalog 3's database settings, "publication " catalog 3's publication
    assertThat(every.catalogVersion()).isEqualTo(6);
    assertThat(grantee.catalogVersion()).isEqualTo(6);
    assertThat(members.catalogVersion()).isEqualTo(6);
    assertThat(new SchemaObject("publication cdc", "tables public.items").catalogVersion())
        .isEqualTo(3);
    assertThat(new SchemaObject("settings database", "x=1").catalogVersion()).isEqualTo(3);
    assertThat(changed(of(TABLE, v5), of(TABLE, v6, every, grantee, members))).isEmpty();
    assertThat(changed(of(TABLE, v6), of(TABLE, v6, every, grantee, members)))
        .containsExactlyInAnyOrder(every.name(), grantee.name(), members.name());
  }

  @Test
  void aCatalog3ReferenceSeesNoDriftOnAnUnchangedSchema() {
    assertThat(changed(of(TABLE, V3), of(TABLE, V4, ORDER, OWN_AS_INSTALLED))).isEmpty();
  }

  @Test
  void whatNoDeployMakesIsComparedAgainstACatalog3Reference() {
    SchemaObject trigger =
        new SchemaObject("prodguard table public.prodguard_audit trigger tap", "AFTER INSERT");
    SchemaObject replaced =
        new SchemaObject(
            "prodguard function public.prodguard_ddl_guard()", "changed outside prodguard: md5 x");
    assertThat(changed(of(TABLE, V3), of(TABLE, V4, trigger, replaced)))
        .containsExactlyInAnyOrder(trigger.name(), replaced.name());
    assertThat(SchemaDiff.unlistedBy(of(TABLE, V3), SchemaDiff.between(of(TABLE, V3), of(TABLE))))
        .isEmpty();
  }

  @Test
  void aCatalog4ReferenceComparesColumnOrder() {
    SchemaObject moved = new SchemaObject(ORDER.name(), "name, id");
    assertThat(changed(of(TABLE, V4, ORDER), of(TABLE, V4, moved))).containsExactly(ORDER.name());
  }

  @Test
  void aColumnAddedAtTheEndIsListedOnceAsTheColumn() {
    SchemaObject note = new SchemaObject("table public.items column note", "text");
    SchemaObject longer = new SchemaObject(ORDER.name(), "id, name, note");
    assertThat(changed(of(TABLE, V4, ORDER), of(TABLE, V4, longer, note)))
        .containsExactly(note.name());
  }

  @Test
  void aTableAddedByHandIsListedWithoutItsAspects() {
    SchemaObject side = new SchemaObject("table public.side", "");
    SchemaObject sideOrder = new SchemaObject("columns of table public.side", "x");
    SchemaObject column = new SchemaObject("table public.side column x", "integer");
    assertThat(changed(of(TABLE, V4), of(TABLE, V4, side, sideOrder, column)))
        .containsExactly(side.name(), column.name());
  }

  @Test
  void aNameAUserChoseCannotMakeAnObjectOfCatalog4() {
    assertThat(new SchemaObject("table public.t column columns", "").catalogVersion()).isEqualTo(1);
    assertThat(new SchemaObject("table public.owner of t", "").catalogVersion()).isLessThan(4);
    assertThat(new SchemaObject("ignored index i on table t", "").subject())
        .contains("table t index i");
  }
}
