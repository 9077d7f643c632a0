package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real projects migrate a schema of their own: {@code migrations.schemas: [app]} is Flyway's {@code
 * schemas=app}. Before, the key was an unknown-key error and prodguard migrated {@code public}. Now
 * Flyway creates {@code app}, keeps its history there and runs the migrations in it, exactly as
 * plain Flyway with the same setting does; prodguard's objects stay in the connection's schema, the
 * history table's G6 guard sits on {@code app.flyway_schema_history}, and G7's run records and
 * checks work across promotes.
 */
@DisplayName("G7: a history promoted into schema app equals plain Flyway's with schemas=app")
class G7DefaultSchemaIT {
  @TempDir Path dir;

  static final String V2 =
      "CREATE TABLE notes (id INT PRIMARY KEY, item INT NOT NULL REFERENCES items (id), body"
          + " TEXT);\n"
          + "CREATE INDEX notes_item ON notes (item);\n"
          + "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body ="
          + " coalesce(NEW.body, '') || ' (${flyway:defaultSchema})'; RETURN NEW; END $$;\n"
          + "CREATE TRIGGER notes_touch BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION"
          + " touch();\n"
          + "INSERT INTO notes VALUES (1, 1, 'first');\n";

  static final String V3 = "ALTER TABLE notes ADD COLUMN done BOOLEAN NOT NULL DEFAULT false;\n";

  @Test
  void promotedIntoAppLikePlainFlyway() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
        TestDatabase plain = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Path yml = dir.resolve("prodguard.yml");
      String locations = "migrations:\n  locations: [db/migration]\n";
      String config = Files.readString(yml);
      assertThat(config).contains(locations);
      Files.writeString(yml, config.replace(locations, locations + "  schemas: [app]\n"));
      f.migration("V2__notes.sql", V2);

      Results.Promote first =
          new Pipeline(f.config(), f.ci(), new FlywayMigrationEngine()).promote("prod");
      assertThat(first.deploy().orElseThrow().applied()).hasSize(2);

      f.migration("V3__done.sql", V3);
      Results.Promote second =
          new Pipeline(f.config(), f.ci(), new FlywayMigrationEngine()).promote("prod");
      assertThat(second.deploy().orElseThrow().applied()).hasSize(1);

      try (Connection c = f.db.connect();
          Statement st = c.createStatement()) {
        // the history and the application in app; prodguard's objects and run records in public
        assertThat(tablesOf(st, "public"))
            .contains("database_metadata", "prodguard_run", "prodguard_guard_config")
            .doesNotContain("flyway_schema_history", "items", "notes");
        assertThat(tablesOf(st, "app")).containsExactly("flyway_schema_history", "items", "notes");
        try (ResultSet rs =
            st.executeQuery("SELECT count(*) FROM prodguard_run WHERE status = 'deployed'")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(2);
        }
        // G6: the history table's guard is on app.flyway_schema_history and enforces
        try (ResultSet rs =
            st.executeQuery(
                "SELECT t.tgenabled::text FROM pg_trigger t WHERE t.tgname ="
                    + " 'prodguard_history_guard' AND t.tgrelid ="
                    + " 'app.flyway_schema_history'::regclass")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("A");
        }
        Throwable direct =
            catchThrowable(
                () -> st.execute("DELETE FROM app.flyway_schema_history WHERE version = '3'"));
        assertThat(direct).isInstanceOf(SQLException.class).hasMessageContaining("blocked");
      }

      FluentConfiguration plainFlyway =
          Flyway.configure()
              .dataSource(plain.jdbcUrl(), null, null)
              .locations("filesystem:" + f.migrations)
              .schemas("app");
      plainFlyway
          .getPluginRegister()
          .getExact(PostgreSQLConfigurationExtension.class)
          .setTransactionalLock(false);
      // plain Flyway runs prodguard's callback too, so it gets the function it calls
      plain.execute(
          "CREATE FUNCTION prodguard_assert_deploy() RETURNS void LANGUAGE sql AS 'SELECT'");
      assertThat(plainFlyway.load().migrate().migrationsExecuted).isEqualTo(3);

      List<String> ours = dump(f.db);
      List<String> theirs = dump(plain);
      assertThat(ours).hasSizeGreaterThan(15).containsExactlyElementsOf(theirs);
      assertThat(ours)
          .anyMatch(l -> l.contains("<< Flyway Schema Creation >>"))
          .anyMatch(l -> l.contains("first (app)"));
    }
  }

  @Test
  @DisplayName("G6: on MariaDB a default schema other than the URL's database is refused")
  void mariadbAnotherDatabaseIsRefused() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      Path yml = dir.resolve("prodguard.yml");
      String locations = "migrations:\n  locations: [db/migration]\n";
      Files.writeString(
          yml,
          Files.readString(yml).replace(locations, locations + "  default-schema: elsewhere\n"));
      Throwable t =
          catchThrowable(
              () -> new Pipeline(f.config(), f.ci(), new FlywayMigrationEngine()).promote("prod"));
      assertThat(t).isInstanceOf(GuardRefusal.class);
      assertThat(((GuardRefusal) t).why()).contains("on MySQL/MariaDB a schema is a database");
      try (Connection c = f.db.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT count(*) FROM information_schema.SCHEMATA"
                      + " WHERE SCHEMA_NAME = 'elsewhere'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("nothing was migrated").isZero();
      }
    }
  }

  static List<String> tablesOf(Statement st, String schema) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs =
        st.executeQuery(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + schema
                + "' ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Schema app's catalog, its rows and its history (times and users aside), one line each. */
  static List<String> dump(TestDatabase db) throws SQLException {
    List<String> out = new ArrayList<>();
    List<String> queries =
        List.of(
            "SELECT table_name, column_name, udt_name, is_nullable, column_default"
                + " FROM information_schema.columns WHERE table_schema = 'app'"
                + " ORDER BY table_name, ordinal_position",
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                + " FROM pg_constraint WHERE connamespace = 'app'::regnamespace ORDER BY 1, 2",
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'app'"
                + " ORDER BY 1, 2",
            "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
                + " WHERE pronamespace = 'app'::regnamespace ORDER BY 1",
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger t JOIN pg_class c ON c.oid ="
                + " t.tgrelid WHERE c.relnamespace = 'app'::regnamespace AND NOT tgisinternal"
                + " AND tgname NOT IN ('prodguard_history_guard', 'prodguard_truncate_guard')"
                + " ORDER BY 1, 2",
            "SELECT * FROM app.items ORDER BY 1",
            "SELECT * FROM app.notes ORDER BY 1",
            "SELECT installed_rank, version, description, type, script, checksum, success"
                + " FROM app.flyway_schema_history ORDER BY installed_rank");
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      for (String q : queries) {
        try (ResultSet rs = st.executeQuery(q)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            StringBuilder line = new StringBuilder();
            for (int i = 1; i <= n; i++) {
              line.append(i == 1 ? "" : " | ").append(rs.getString(i));
            }
            out.add(line.toString());
          }
        }
      }
    }
    return out;
  }
}
