package dev.prodguard.support.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G7 drift: the schema's catalog queries go to the server as one statement, each query's rows as it
 * gives them on its own (the description is the same; G7SchemaDriftIT and G7SchemaDriftCatalog4IT
 * read real schemas with it).
 */
@DisplayName("G7 drift: the catalog queries of one read in one statement")
class PgCatalogReadsTest {
  private static final String REL = "WITH r AS (SELECT 1 AS oid WHERE 'x' = ? AND 'y' = ?) ";

  @Test
  void relationsReadOnceParametersInOrder() {
    PgCatalogReads q = new PgCatalogReads(REL, "s", "own");
    q.add(REL + "SELECT 'a', 'b' FROM r", "s", "own");
    q.add("SELECT 'c', ? ", "p1");
    q.add(REL + "SELECT 'd', ? FROM r", "s", "own", "p2");
    String sql = q.statement();
    assertThat(sql).startsWith(REL);
    assertThat(sql.indexOf("WITH r AS", 1)).isEqualTo(-1);
    assertThat(sql.split(" UNION ALL ", -1)).hasSize(3);
    assertThat(q.parameters()).containsExactly("s", "own", "p1", "p2");
  }

  @Test
  void noRelationQueryNoPrefix() {
    PgCatalogReads q = new PgCatalogReads(null);
    q.add("WITH r AS (SELECT ? AS x) SELECT 'a', r.x FROM r", "one");
    assertThat(q.statement()).startsWith("SELECT q.n::pg_catalog.text");
    assertThat(q.parameters()).isEqualTo(List.of("one"));
  }

  @Test
  void relationQueryWithOtherParametersRefused() {
    PgCatalogReads q = new PgCatalogReads(REL, "s", "own");
    assertThatThrownBy(() -> q.add(REL + "SELECT 'a', 'b' FROM r", "other", "own"))
        .isInstanceOf(IllegalStateException.class);
  }
}
