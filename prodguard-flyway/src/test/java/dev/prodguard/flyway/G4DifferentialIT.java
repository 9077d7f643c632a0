package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proof that prodguard reads migrations as the servers do (G4, issue 12). Every file under
 * {@code src/test/resources/g4-differential/<server>/} (bare carriage returns, form feeds, nested
 * and executable comments, quoting, dollar tags, {@code DELIMITER}, ... see the folder's README) is
 * run twice: through prodguard's analysis as {@code lint} runs it (the server's rules plus the
 * check against Flyway's own split), and through plain Flyway {@code migrate} on a throwaway
 * database holding a few tables with rows (on MariaDB with {@code allowMultiQueries=true}, so that
 * the server runs all it is sent). Then the catalog says what the server really did: tables dropped
 * or created, rows removed, added or changed. Everything it did must be among the operations
 * prodguard found, or prodguard must have refused the file.
 */
@DisplayName("G4: differential test: what the server did is what prodguard found, or refused")
class G4DifferentialIT {
  private static final Path CASES = casesFolder();
  private static final String HISTORY = "flyway_schema_history";

  @TempDir Path dir;

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (DatabaseKind kind : DatabaseKind.values()) {
      try (Stream<Path> files = Files.list(CASES.resolve(folder(kind)))) {
        files
            .filter(p -> p.toString().endsWith(".sql"))
            .sorted()
            .forEach(p -> out.add(Arguments.of(folder(kind) + "/" + p.getFileName(), kind, p)));
      }
    }
    return out.stream();
  }

  private static Path casesFolder() {
    try {
      return Path.of(G4DifferentialIT.class.getResource("/g4-differential").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String folder(DatabaseKind kind) {
    return kind == DatabaseKind.POSTGRESQL ? "postgresql" : "mariadb";
  }

  @ParameterizedTest(name = "G4: {0}")
  @MethodSource("cases")
  @DisplayName("G4: the server did only what prodguard found, or prodguard refused the file")
  void serverAgreesWithProdguard(String name, DatabaseKind kind, Path file) throws Exception {
    Path location = Files.createDirectories(dir.resolve("db/migration"));
    Files.copy(CASES.resolve(folder(kind) + "-fixture.sql"), location.resolve("V1__fixture.sql"));
    String base = file.getFileName().toString().replaceAll("^\\d+-", "").replace('-', '_');
    Path migration = location.resolve("V2__" + base);
    Files.copy(file, migration);

    Verdict prodguard = analyse(kind, migration);

    try (TestDatabase db = TestDatabase.create(kind)) {
      flyway(db, location).target("1").load().migrate();
      Map<String, Table> before = catalog(db);
      String outcome;
      try {
        flyway(db, location).load().migrate();
        outcome = "migrated";
      } catch (FlywayException e) {
        outcome = "failed: " + firstLine(e.getMessage());
      }
      List<String> effects = effects(before, catalog(db));
      List<String> unexplained = effects.stream().filter(e -> !prodguard.explains(e)).toList();
      String story =
          name
              + "\n  server: "
              + outcome
              + ", "
              + (effects.isEmpty() ? "changed nothing" : String.join(", ", effects))
              + "\n  prodguard: "
              + prodguard;
      System.out.println("G4 differential " + story);
      assertThat(prodguard.refused() || unexplained.isEmpty())
          .as(
              "the server did %s, which prodguard neither found nor refused:\n%s",
              unexplained, story)
          .isTrue();
    }
  }

  // ---- prodguard's side: exactly what `lint` does -------------------------------------------

  /** What prodguard found in the file, and whether it refused it. */
  record Verdict(List<Operation> operations, List<Finding> refusals) {
    boolean refused() {
      return !refusals.isEmpty();
    }

    boolean explains(String effect) {
      String[] e = effect.split(" ", 2);
      String table = e[1];
      return operations.stream()
          .anyMatch(
              op ->
                  switch (e[0]) {
                    case "dropped" ->
                        (Set.of(OpKind.DROP_TABLE, OpKind.RENAME_TABLE).contains(op.kind())
                                && table.equals(name(op.target())))
                            || op.kind() == OpKind.DROP_SCHEMA
                            || op.kind() == OpKind.DROP_DATABASE;
                    case "created" ->
                        (op.kind() == OpKind.CREATE_TABLE && table.equals(name(op.target())))
                            || op.kind() == OpKind.RENAME_TABLE;
                    case "emptied" ->
                        // a table dropped and created again (CREATE OR REPLACE TABLE) is emptied
                        Set.of(OpKind.DELETE, OpKind.TRUNCATE, OpKind.MERGE, OpKind.DROP_TABLE)
                                .contains(op.kind())
                            && table.equals(name(op.target()));
                    case "filled" ->
                        Set.of(OpKind.INSERT, OpKind.COPY_IN, OpKind.MERGE).contains(op.kind())
                            && table.equals(name(op.target()));
                    case "changed" ->
                        Set.of(OpKind.UPDATE, OpKind.MERGE, OpKind.INSERT, OpKind.DELETE)
                                .contains(op.kind())
                            && table.equals(name(op.target()));
                    default -> false;
                  });
    }

    @Override
    public String toString() {
      return refused()
          ? "refused: " + refusals.get(0).message()
          : "found " + operations.stream().map(Operation::toString).toList();
    }
  }

  private static Verdict analyse(DatabaseKind kind, Path migration) throws IOException {
    FlywayMigrationEngine engine = new FlywayMigrationEngine();
    Linter linter = new Linter(kind).crossCheck(file -> engine.statements(file, kind));
    Contract contract =
        ContractLoader.parse(
            migration.resolveSibling("contract.yml"),
            "version: 1\n".getBytes(StandardCharsets.UTF_8));
    LintReport report = linter.lintFiles(List.of(migration), contract, true);
    List<Finding> refusals =
        report.findings().stream()
            .filter(f -> f.severity() == Severity.ERROR)
            .filter(f -> f.rule().equals("unknown-statement") || f.rule().equals("dynamic-sql"))
            .toList();
    List<Operation> ops = new ArrayList<>();
    String text = Files.readString(migration, StandardCharsets.UTF_8);
    linter.analyse(migration.toString(), text, ops::add);
    return new Verdict(ops, refusals);
  }

  private static String name(String target) {
    if (target == null) {
      return "";
    }
    String t = target.toLowerCase(Locale.ROOT).replace("\"", "").replace("`", "");
    return t.substring(t.lastIndexOf('.') + 1);
  }

  // ---- the server's side: plain Flyway, then the catalog ------------------------------------

  /**
   * Plain Flyway. On MariaDB the connection allows several statements per query, as a user's URL
   * may: the server then runs everything it is sent, the worst case for prodguard.
   */
  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(
      TestDatabase db, Path location) {
    String url =
        db.kind() == DatabaseKind.POSTGRESQL
            ? db.jdbcUrl()
            : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "allowMultiQueries=true";
    return Flyway.configure().dataSource(url, null, null).locations("filesystem:" + location);
  }

  /** One table: its row count and a digest of its rows. */
  record Table(long rows, String digest) {}

  private static Map<String, Table> catalog(TestDatabase db) throws SQLException {
    Map<String, Table> out = new TreeMap<>();
    boolean pg = db.kind() == DatabaseKind.POSTGRESQL;
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              pg
                  ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                  : "SELECT table_name FROM information_schema.tables"
                      + " WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        if (t.equalsIgnoreCase(HISTORY)) {
          continue;
        }
        String q = pg ? "\"" + t.replace("\"", "\"\"") + "\"" : "`" + t.replace("`", "``") + "`";
        long rows;
        try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + q)) {
          rs.next();
          rows = rs.getLong(1);
        }
        String digest;
        try (ResultSet rs =
            st.executeQuery(
                pg
                    ? "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
                        + " FROM "
                        + q
                        + " x"
                    : "CHECKSUM TABLE " + q)) {
          rs.next();
          digest = rs.getString(pg ? 1 : 2);
        }
        out.put(t.toLowerCase(Locale.ROOT), new Table(rows, digest));
      }
    }
    return out;
  }

  /** What the migration did, from the catalog before and after: "dropped orders", ... */
  private static List<String> effects(Map<String, Table> before, Map<String, Table> after) {
    List<String> out = new ArrayList<>();
    for (String t : before.keySet()) {
      if (!after.containsKey(t)) {
        out.add("dropped " + t);
        continue;
      }
      Table b = before.get(t);
      Table a = after.get(t);
      if (a.rows() < b.rows()) {
        out.add("emptied " + t);
      } else if (a.rows() > b.rows()) {
        out.add("filled " + t);
      } else if (!a.digest().equals(b.digest())) {
        out.add("changed " + t);
      }
    }
    for (String t : after.keySet()) {
      if (!before.containsKey(t)) {
        out.add("created " + t);
      }
    }
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    // Flyway's "Failed to execute script" carries the server's words on a "Message" line
    String line =
        s.lines()
            .map(String::strip)
            .filter(l -> l.startsWith("Message"))
            .findFirst()
            .orElse(s.strip().lines().findFirst().orElse(""));
    return line.length() > 400 ? line.substring(0, 397) + "..." : line;
  }
}
