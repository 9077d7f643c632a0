package dev.prodguard.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G7: a table that looks like Flyway's history under another name (its history columns) is found on
 * PostgreSQL by a catalog read of the columns instead of the driver's {@code getColumns} ({@link
 * ProdguardOnlySchema#historyColumns}); the columns found are the driver's, for every kind of
 * relation, dropped columns, schema patterns and names in any case.
 */
@DisplayName("G7 history look-alike: the catalog's columns are the driver's")
class G7HistoryColumnsIT {
  private static final List<String> HISTORY =
      List.of("installed_rank", "version", "script", "checksum", "success");

  /** What the driver lists, reduced as the check reduces it. */
  private static Map<String, Set<String>> driver(DatabaseMetaData meta, String schema)
      throws SQLException {
    Map<String, Set<String>> out = new TreeMap<>();
    try (ResultSet rs = meta.getColumns(null, schema, "%", "%")) {
      while (rs.next()) {
        String column = rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
        if (HISTORY.contains(column)) {
          out.computeIfAbsent(rs.getString("TABLE_NAME"), k -> new HashSet<>()).add(column);
        }
      }
    }
    return out;
  }

  @Test
  @DisplayName(
      "PostgreSQL: tables, partitioned tables, views, materialized views, dropped columns, quoted"
          + " names, a schema whose name is a LIKE pattern, no schema: the driver's answer; a"
          + " renamed history table is still found")
  void catalogColumnsAreTheDriversColumns() throws Exception {
    try (TestDatabase db = TestDatabase.postgres();
        Connection c = db.connect();
        Statement st = c.createStatement()) {
      String cols =
          "installed_rank int, version varchar(50), script varchar(1000), checksum int,"
              + " success boolean";
      st.execute("CREATE TABLE old_history (" + cols + ", extra text)");
      st.execute("CREATE TABLE half (" + cols + ")");
      st.execute("ALTER TABLE half DROP COLUMN success");
      st.execute(
          "CREATE TABLE \"Loud\" (\"INSTALLED_RANK\" int, \"Version\" text, script text,"
              + " checksum int, success boolean)");
      st.execute("CREATE TABLE parted (" + cols + ") PARTITION BY RANGE (installed_rank)");
      st.execute("CREATE VIEW hist_view AS SELECT * FROM old_history");
      st.execute("CREATE MATERIALIZED VIEW hist_mat AS SELECT * FROM old_history");
      st.execute("CREATE SEQUENCE version");
      st.execute("CREATE SCHEMA app_1");
      st.execute("CREATE SCHEMA appx1");
      st.execute("CREATE TABLE app_1.one (" + cols + ")");
      st.execute("CREATE TABLE appx1.two (version text, checksum int)");
      DatabaseMetaData meta = c.getMetaData();
      for (String schema : new String[] {"public", "app_1", "appx1", "nothing", "", null}) {
        assertThat(ProdguardOnlySchema.historyColumns(c, meta, schema))
            .as("schema " + schema)
            .isEqualTo(driver(meta, schema));
      }
      // the driver's answer, spelled out: the comparison compares something
      Map<String, Set<String>> pub = driver(meta, "public");
      assertThat(pub.get("old_history")).containsExactlyInAnyOrderElementsOf(HISTORY);
      assertThat(pub.get("half")).doesNotContain("success").hasSize(4);
      assertThat(pub.get("Loud")).containsExactlyInAnyOrderElementsOf(HISTORY);
      assertThat(pub).containsKeys("parted", "hist_view", "hist_mat").doesNotContainKey("version");
      assertThat(driver(meta, "app_1")).containsKeys("one", "two");

      // the check itself: a renamed history table is named (and refused by its callers) ...
      assertThat(
              ProdguardOnlySchema.otherHistoryTable(c, Optional.empty(), "flyway_schema_history"))
          .contains("Loud");
      st.execute("DROP TABLE \"Loud\"");
      assertThat(
              ProdguardOnlySchema.otherHistoryTable(c, Optional.empty(), "flyway_schema_history"))
          .contains("hist_view");
      assertThat(
              ProdguardOnlySchema.otherHistoryTable(
                  c, Optional.of("app_1"), "flyway_schema_history"))
          .contains("one");
      // ... unless the configured history table is there
      st.execute("CREATE TABLE flyway_schema_history (" + cols + ")");
      assertThat(
              ProdguardOnlySchema.otherHistoryTable(c, Optional.empty(), "flyway_schema_history"))
          .isEmpty();
    }
  }
}
