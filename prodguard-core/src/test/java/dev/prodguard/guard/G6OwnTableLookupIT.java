package dev.prodguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G6, G7: whether one of prodguard's tables (the guard's configuration, the history table the guard
 * sits on, the schema versions, the drift reference) exists is read from PostgreSQL's catalog
 * instead of {@code information_schema.tables} ({@link DatabaseSupport#tableCountQuery}); the
 * answer is the view's for every kind of relation and privilege, so a guard's table the session may
 * see is never taken for missing (a missing history guard would read as "no table yet").
 */
@DisplayName("G6/G7 own-table lookup: the catalog's answer is information_schema's")
class G6OwnTableLookupIT {

  private static long count(Connection c, String sql, String... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static final String VIEW_HERE =
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
          + " AND table_name = ?";
  private static final String VIEW_THERE =
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?";

  @Test
  @DisplayName(
      "PostgreSQL, as an unprivileged owner role: tables, views, partitioned and foreign-like"
          + " relations, others' tables with a table or column privilege or none, sequences,"
          + " indexes, materialized views, another schema, temporary tables, odd names")
  void postgresAnswersAsTheView() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      String role = db.createOwnerRole();
      db.execute(
          "CREATE TABLE admin_hidden (id int)",
          "CREATE TABLE admin_column (id int, note text)",
          "GRANT SELECT (note) ON admin_column TO " + role,
          "CREATE TABLE admin_granted (id int)",
          "GRANT INSERT ON admin_granted TO " + role,
          "CREATE SCHEMA other",
          "CREATE TABLE other.prodguard_guard_config (id int)",
          "GRANT USAGE ON SCHEMA other TO " + role,
          "GRANT SELECT ON other.prodguard_guard_config TO " + role,
          "CREATE TABLE other.hidden_there (id int)");
      DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
      List<String> names =
          List.of(
              "prodguard_schema",
              "flyway_schema_history",
              "a_view",
              "parted",
              "a_seq",
              "an_index",
              "a_matview",
              "admin_hidden",
              "admin_column",
              "admin_granted",
              "Mixed Case",
              "tmp_own",
              "nothing_here",
              "prodguard_guard_config",
              "hidden_there",
              "prodguard%",
              "prodguard_schem_");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(role));
          java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE TABLE prodguard_schema (component text, version int)");
        st.execute("CREATE TABLE flyway_schema_history (installed_rank int)");
        st.execute("CREATE VIEW a_view AS SELECT 1 AS one");
        st.execute("CREATE TABLE parted (id int) PARTITION BY RANGE (id)");
        st.execute("CREATE SEQUENCE a_seq");
        st.execute("CREATE INDEX an_index ON prodguard_schema (version)");
        st.execute("CREATE MATERIALIZED VIEW a_matview AS SELECT 1 AS one");
        st.execute("CREATE TABLE \"Mixed Case\" (id int)");
        st.execute("CREATE TEMPORARY TABLE tmp_own (id int)");

        Map<String, Boolean> view = new LinkedHashMap<>();
        Map<String, Boolean> catalog = new LinkedHashMap<>();
        Map<String, Boolean> lookup = new LinkedHashMap<>();
        for (String n : names) {
          view.put(n, count(c, VIEW_HERE, n) > 0);
          catalog.put(n, count(c, d.tableCountQuery(false), n) > 0);
          lookup.put(n, PipelineSchema.tableExists(c, d, n));
        }
        assertThat(catalog).isEqualTo(view);
        assertThat(lookup).isEqualTo(view);
        // what the view answers, spelled out: the comparison above compares something
        assertThat(view)
            .containsEntry("prodguard_schema", true)
            .containsEntry("flyway_schema_history", true)
            .containsEntry("a_view", true)
            .containsEntry("parted", true)
            .containsEntry("admin_column", true)
            .containsEntry("admin_granted", true)
            .containsEntry("Mixed Case", true)
            .containsEntry("a_seq", false)
            .containsEntry("an_index", false)
            .containsEntry("a_matview", false)
            .containsEntry("admin_hidden", false)
            .containsEntry("nothing_here", false)
            .containsEntry("prodguard_guard_config", false)
            .containsEntry("prodguard%", false)
            .containsEntry("prodguard_schem_", false);

        // a schema named by the caller (a history table in Flyway's default schema)
        List<String[]> there =
            List.of(
                new String[] {"other", "prodguard_guard_config"},
                new String[] {"other", "hidden_there"},
                new String[] {"other", "nothing_here"},
                new String[] {"public", "prodguard_schema"},
                new String[] {"Other", "prodguard_guard_config"});
        List<Boolean> viewThere = new ArrayList<>();
        List<Boolean> catalogThere = new ArrayList<>();
        for (String[] p : there) {
          viewThere.add(count(c, VIEW_THERE, p) > 0);
          catalogThere.add(count(c, d.tableCountQuery(true), p) > 0);
        }
        assertThat(catalogThere)
            .isEqualTo(viewThere)
            .containsExactly(true, false, false, true, false);
      }
    }
  }

  @Test
  @DisplayName(
      "PostgreSQL: the history guard of a table the session sees is MISSING once its trigger is"
          + " dropped (never NO_TABLE), NO_TABLE only while the table is not there")
  void historyGuardSeesTheTable() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
      try (Connection c = db.connect()) {
        assertThat(DatabaseGuards.historyGuard(c, d, "flyway_schema_history"))
            .isEqualTo(DatabaseGuards.HistoryGuard.NO_TABLE);
        db.execute("CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY)");
        assertThat(DatabaseGuards.historyGuard(c, d, "flyway_schema_history"))
            .isEqualTo(DatabaseGuards.HistoryGuard.MISSING);
      }
    }
  }

  @Test
  @DisplayName("MariaDB: the lookup is information_schema's, as before")
  void mariaDbAnswersAsTheView() throws Exception {
    try (TestDatabase db = TestDatabase.mariadb()) {
      DatabaseSupport d = DatabaseSupport.of(DatabaseKind.MARIADB);
      try (Connection c = db.connect();
          java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE TABLE prodguard_schema (component varchar(20), version int)");
        st.execute("CREATE VIEW a_view AS SELECT 1 AS one");
        String here =
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                + " AND table_name = ?";
        Map<String, Boolean> view = new LinkedHashMap<>();
        Map<String, Boolean> lookup = new LinkedHashMap<>();
        for (String n : List.of("prodguard_schema", "a_view", "nothing_here", "prodguard%")) {
          view.put(n, count(c, here, n) > 0);
          lookup.put(n, PipelineSchema.tableExists(c, d, n));
        }
        assertThat(lookup)
            .isEqualTo(view)
            .containsEntry("prodguard_schema", true)
            .containsEntry("a_view", true)
            .containsEntry("nothing_here", false)
            .containsEntry("prodguard%", false);
      }
    }
  }
}
