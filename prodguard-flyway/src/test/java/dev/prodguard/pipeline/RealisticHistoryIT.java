package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.RunContext;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14: a realistic migration history, as a service's repository holds it ({@code
 * src/test/resources/realistic-history/<server>/}: 12 versioned migrations and on PostgreSQL a
 * repeatable one; functions, triggers and a procedure body, {@code CREATE INDEX CONCURRENTLY} and
 * {@code REINDEX ... CONCURRENTLY} with script configurations, placeholders from {@code
 * prodguard.yml} (one read from the environment), a file with {@code placeholderReplacement=false},
 * a view, enum types and data fixes) is promoted by prodguard onto a protected database; plain
 * Flyway {@code migrate} of the same files, with the same placeholders, fills another database.
 * Their catalogs (columns, constraints, indexes, views, routines, triggers, comments, enum labels)
 * and rows must be equal, prodguard's own tables and the history table aside.
 */
@DisplayName("G7: a realistic history promoted by prodguard equals plain Flyway's migrate")
class RealisticHistoryIT {
  static final Map<String, String> PLACEHOLDERS =
      Map.of("prefix", "shop_", "currency", "EUR", "shop_name", "Ada shop");

  @TempDir Path dir;

  @ParameterizedTest(name = "G7: {0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: promote of a realistic history leaves the schema and rows plain Flyway leaves")
  void sameAsPlainFlyway(DatabaseKind kind) throws Exception {
    Path history = history(kind);
    try (PipelineFixture f = PipelineFixture.prod(kind, dir);
        TestDatabase plain = TestDatabase.create(kind)) {
      Files.delete(f.migrations.resolve("V1__items.sql"));
      try (Stream<Path> files = Files.list(history)) {
        for (Path p : files.toList()) {
          Files.copy(p, f.migrations.resolve(p.getFileName()));
        }
      }
      Path yml = dir.resolve("prodguard.yml");
      String config = Files.readString(yml);
      String locations = "migrations:\n  locations: [db/migration]\n";
      assertThat(config).contains(locations);
      Files.writeString(
          yml,
          config.replace(
              locations,
              locations
                  + "  placeholders:\n"
                  + "    prefix: shop_\n"
                  + "    currency: EUR\n"
                  + "    shop_name: ${SHOP_NAME}\n"));
      Map<String, String> env = new java.util.HashMap<>(f.ciEnv());
      env.put("SHOP_NAME", "Ada shop");
      RunContext ci = new RunContext(env, Clock.systemUTC(), "runner", "ci-host");

      Results.Promote promoted =
          new Pipeline(f.config(), ci, new FlywayMigrationEngine()).promote("prod");
      int expected = kind == DatabaseKind.POSTGRESQL ? 13 : 12;
      assertThat(promoted.deploy().orElseThrow().applied()).hasSize(expected);

      FluentConfiguration plainFlyway =
          Flyway.configure()
              .dataSource(plain.jdbcUrl(), null, null)
              .locations("filesystem:" + history)
              .placeholders(PLACEHOLDERS);
      // as projects with CREATE INDEX CONCURRENTLY configure it
      // (flyway.postgresql.transactional.lock)
      plainFlyway
          .getPluginRegister()
          .getExact(PostgreSQLConfigurationExtension.class)
          .setTransactionalLock(false);
      assertThat(plainFlyway.load().migrate().migrationsExecuted).isEqualTo(expected);

      List<String> ours = dump(f.db);
      List<String> theirs = dump(plain);
      System.out.println(
          "realistic history on " + kind + ": " + ours.size() + " catalog and row lines, equal");
      assertThat(ours).hasSizeGreaterThan(40).containsExactlyElementsOf(theirs);
      // the placeholders reached the server, and the file that opted out kept its text
      assertThat(ours)
          .anyMatch(l -> l.contains("shop_orders") && l.contains("thank you from Ada shop"))
          .anyMatch(l -> l.contains("Hello ${customer_name}!"))
          .anyMatch(l -> l.contains("'EUR'"));
    }
  }

  static Path history(DatabaseKind kind) throws Exception {
    return Path.of(
        RealisticHistoryIT.class
            .getResource(
                "/realistic-history/"
                    + (kind == DatabaseKind.POSTGRESQL ? "postgresql" : "mariadb"))
            .toURI());
  }

  /** The application's schema and rows, one line each, prodguard's objects and history aside. */
  static List<String> dump(TestDatabase db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      String name = db.name();
      List<String> queries =
          db.kind() == DatabaseKind.POSTGRESQL
              ? List.of(
                  "SELECT table_name, column_name, udt_name, is_nullable, column_default"
                      + " FROM information_schema.columns WHERE table_schema = 'public'"
                      + " ORDER BY table_name, ordinal_position",
                  "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                      + " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
                      + " ORDER BY 1, 2",
                  "SELECT tablename, indexname, indexdef FROM pg_indexes"
                      + " WHERE schemaname = 'public' ORDER BY 1, 2",
                  "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'"
                      + " ORDER BY 1",
                  "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
                      + " WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
                  "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                      + " WHERE NOT tgisinternal ORDER BY 1, 2",
                  "SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid ="
                      + " e.enumtypid ORDER BY t.typname, e.enumsortorder",
                  "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c"
                      + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
                      + " ORDER BY 1")
              : List.of(
                  "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA"
                      + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                      + " ORDER BY TABLE_NAME, ORDINAL_POSITION",
                  "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE"
                      + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
                      + " ORDER BY 1, 2, 3",
                  "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE"
                      + " FROM information_schema.TABLE_CONSTRAINTS"
                      + " WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2",
                  "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE"
                      + " FROM information_schema.CHECK_CONSTRAINTS"
                      + " WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2",
                  "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS"
                      + " WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
                  "SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION"
                      + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
                      + " ORDER BY 1",
                  "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION,"
                      + " ACTION_STATEMENT FROM information_schema.TRIGGERS"
                      + " WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1, 2",
                  "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES"
                      + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
                      + " ORDER BY 1");
      List<String> tables = new ArrayList<>();
      for (String q : queries) {
        try (ResultSet rs = st.executeQuery(q)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            StringBuilder line = new StringBuilder();
            for (int i = 1; i <= n; i++) {
              line.append(i == 1 ? "" : " | ").append(rs.getString(i));
            }
            String l = line.toString().replace(name, "<db>");
            if (!prodguards(l)) {
              out.add(l);
            }
          }
        }
      }
      try (ResultSet rs =
          c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          String t = rs.getString("TABLE_NAME");
          if (!prodguards(t)) {
            tables.add(t);
          }
        }
      }
      for (String t : tables.stream().sorted().toList()) {
        try (ResultSet rs = st.executeQuery("SELECT * FROM " + t + " ORDER BY 1")) {
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            StringBuilder line = new StringBuilder(t).append(':');
            for (int i = 1; i <= md.getColumnCount(); i++) {
              String type = md.getColumnTypeName(i).toLowerCase(Locale.ROOT);
              String v = rs.getString(i);
              // set by now() at deploy time: only whether it is set can be compared
              boolean clock =
                  md.getColumnName(i).equalsIgnoreCase("updated_at")
                      && (type.contains("timestamp") || type.contains("datetime"));
              line.append(' ').append(clock ? (v == null ? "null" : "set") : v);
            }
            out.add(line.toString());
          }
        }
      }
    }
    return out;
  }

  /** prodguard's own objects and Flyway's history table, which differ by design. */
  static boolean prodguards(String line) {
    String l = line.toLowerCase(Locale.ROOT);
    return l.contains("prodguard")
        || l.contains("database_metadata")
        || l.contains("flyway_schema_history");
  }
}
