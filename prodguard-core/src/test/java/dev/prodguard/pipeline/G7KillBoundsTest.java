package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.EngineStatements;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G7: whether a deploy killed inside a migration can leave part of it committed, judged per
 * migration when the deploy starts ({@link KillBounds}), without a database.
 */
@DisplayName("G7: a kill inside a migration is bounded (nothing stays) or not, judged at start")
class G7KillBoundsTest {
  private static final String SCRIPT = "V2__x.sql";

  /** MariaDB's tables as information_schema would report them: name -> engine; triggers on some. */
  private static KillBounds.Tables tables(Map<String, String> engines, List<String> triggered) {
    return new KillBounds.Tables() {
      @Override
      public Optional<String> engine(String table) {
        return Optional.ofNullable(engines.get(table));
      }

      @Override
      public boolean hasTriggers(String table) {
        return triggered.contains(table);
      }
    };
  }

  private static final KillBounds.Tables NONE = tables(Map.of(), List.of());

  /** The engine's statements for {@code sql}, one per line, each transactional or not. */
  private static EngineStatements engine(
      String sql, boolean transactional, Optional<Boolean> config) {
    List<EngineStatements.Statement> st =
        sql.lines()
            .filter(l -> !l.isBlank())
            .map(l -> new EngineStatements.Statement(1, l, transactional))
            .toList();
    return EngineStatements.of(st, config);
  }

  private static KillBounds.Judged postgres(String sql, Optional<Boolean> config) {
    return postgres(sql, true, config);
  }

  private static KillBounds.Judged postgres(
      String sql, boolean transactional, Optional<Boolean> config) {
    return KillBounds.judge(
        DatabaseKind.POSTGRESQL,
        true,
        SCRIPT,
        "V2 x",
        engine(sql, transactional, config),
        Optional.of(sql),
        NONE);
  }

  private static KillBounds.Judged mariadb(String sql, KillBounds.Tables t) {
    return KillBounds.judge(
        DatabaseKind.MARIADB,
        false,
        SCRIPT,
        "V2 x",
        engine(sql, true, Optional.empty()),
        Optional.of(sql),
        t);
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL, executeInTransaction=false, a row change then a sleep: unbounded (each"
          + " statement commits as it runs), the script configuration named")
  void postgresOutsideTransaction() {
    KillBounds.Judged j =
        postgres(
            "INSERT INTO audit_log (msg) VALUES ('deployed');\nSELECT pg_sleep(30);\n",
            Optional.of(false));
    assertThat(j.bounded()).isFalse();
    assertThat(j.why()).contains("executeInTransaction=false", "each statement commits");
    assertThat(j.script()).isEqualTo(SCRIPT);
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL, in Flyway's transaction (DDL, a row change, a sleep): bounded, the server"
          + " rolls it back")
  void postgresInTransaction() {
    KillBounds.Judged j =
        postgres(
            "CREATE TABLE half_applied (id INT);\nINSERT INTO half_applied VALUES (1);\n"
                + "SELECT pg_sleep(120);\n",
            Optional.empty());
    assertThat(j.bounded()).isTrue();
    assertThat(j.why()).contains("one transaction");
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL, a statement that cannot run in a transaction makes the file unbounded;"
          + " alone (CREATE INDEX CONCURRENTLY) it is one statement the server undoes whole")
  void postgresNonTransactionalStatement() {
    KillBounds.Judged two =
        postgres(
            "INSERT INTO audit_log (msg) VALUES ('x');\nCREATE INDEX CONCURRENTLY i ON t (v);\n",
            false,
            Optional.empty());
    assertThat(two.bounded()).isFalse();
    assertThat(two.why()).contains("cannot run in a transaction");
    KillBounds.Judged one =
        postgres("CREATE INDEX CONCURRENTLY i ON t (v);\n", false, Optional.empty());
    assertThat(one.bounded()).isTrue();
    assertThat(one.why()).contains("one statement");
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL, in a transaction but with transaction control or a CALL: unbounded (fail"
          + " closed, PartialMigration.mayCommitPart)")
  void postgresCommitsOnItsOwn() {
    assertThat(postgres("INSERT INTO t VALUES (1);\nCOMMIT;\n", Optional.empty()).why())
        .contains("transaction control");
    KillBounds.Judged call = postgres("CALL archive_orders();\n", Optional.empty());
    assertThat(call.bounded()).isFalse();
    assertThat(call.why()).contains("CALL", "archive_orders", "V2__x.sql:1");
  }

  @Test
  @DisplayName(
      "G7: MariaDB, DDL then a row change: unbounded (DDL commits implicitly), even in Flyway's"
          + " transaction")
  void mariadbDdl() {
    KillBounds.Judged j =
        mariadb(
            "CREATE TABLE half_applied (id INT);\nINSERT INTO items VALUES (1);\n",
            tables(Map.of("items", "InnoDB"), List.of()));
    assertThat(j.bounded()).isFalse();
    assertThat(j.why()).contains("not a row change", "V2__x.sql:1", "MariaDB");
  }

  @Test
  @DisplayName(
      "G7: MariaDB, row changes: bounded only on existing InnoDB tables without triggers; an Aria"
          + " or MyISAM table, a trigger, a table not there yet, a multi-table UPDATE are not")
  void mariadbRowChanges() {
    String insert = "INSERT INTO audit_log (msg) VALUES ('x');\nSELECT SLEEP(30);\n";
    assertThat(mariadb(insert, tables(Map.of("audit_log", "InnoDB"), List.of())).bounded())
        .isTrue();
    KillBounds.Judged aria = mariadb(insert, tables(Map.of("audit_log", "Aria"), List.of()));
    assertThat(aria.bounded()).isFalse();
    assertThat(aria.why()).contains("audit_log", "Aria", "does not roll back");
    assertThat(mariadb(insert, tables(Map.of("audit_log", "MyISAM"), List.of())).bounded())
        .isFalse();
    KillBounds.Judged trigger =
        mariadb(insert, tables(Map.of("audit_log", "InnoDB"), List.of("audit_log")));
    assertThat(trigger.bounded()).isFalse();
    assertThat(trigger.why()).contains("triggers");
    KillBounds.Judged missing = mariadb(insert, NONE);
    assertThat(missing.bounded()).isFalse();
    assertThat(missing.why()).contains("not an existing base table");
    assertThat(
            mariadb(
                    "UPDATE a JOIN b ON a.id = b.id SET a.x = 1, b.y = 2;\n",
                    tables(Map.of("a", "InnoDB", "b", "MyISAM"), List.of()))
                .bounded())
        .isFalse();
  }

  @Test
  @DisplayName(
      "G7: MariaDB, InnoDB row changes with executeInTransaction=false: unbounded (each commits)")
  void mariadbOutsideTransaction() {
    KillBounds.Judged j =
        KillBounds.judge(
            DatabaseKind.MARIADB,
            false,
            SCRIPT,
            "V2 x",
            engine("INSERT INTO audit_log (msg) VALUES ('x');\n", true, Optional.of(false)),
            Optional.of("INSERT INTO audit_log (msg) VALUES ('x');\n"),
            tables(Map.of("audit_log", "InnoDB"), List.of()));
    assertThat(j.bounded()).isFalse();
    assertThat(j.why()).contains("executeInTransaction=false");
  }

  @Test
  @DisplayName(
      "G7: what cannot be read is unbounded: a file the engine cannot split, a script whose text"
          + " is not known (a Java migration, a placeholder without a value)")
  void unreadableFailsClosed() {
    assertThat(
            KillBounds.judge(
                    DatabaseKind.POSTGRESQL,
                    true,
                    SCRIPT,
                    "V2 x",
                    EngineStatements.failed("unterminated dollar quote"),
                    Optional.of("SELECT 1;"),
                    NONE)
                .why())
        .contains("unterminated dollar quote");
    assertThat(
            KillBounds.judge(
                    DatabaseKind.POSTGRESQL,
                    true,
                    SCRIPT,
                    "V2 x",
                    engine("SELECT 1", true, Optional.empty()),
                    Optional.empty(),
                    NONE)
                .bounded())
        .isFalse();
  }

  @Test
  @DisplayName(
      "G7: the judgements survive the receipt (read back after a kill); a settled receipt keeps"
          + " them and records the reason, who and the repair's run")
  void receiptRoundTrip() {
    KillBounds.Judged a = new KillBounds.Judged("V2__a.sql", "V2 a", true, "one transaction");
    KillBounds.Judged b = new KillBounds.Judged("V3__b.sql", "V3 b", false, "Aria");
    String receipt =
        "{\"run\":\"run-1\",\"phase\":\"migrating\",\"kill_bounds\":"
            + "[{\"script\":\"V2__a.sql\",\"label\":\"V2 a\",\"bounded\":true,\"why\":\"one"
            + " transaction\"},{\"script\":\"V3__b.sql\",\"label\":\"V3 b\",\"bounded\":false,"
            + "\"why\":\"Aria\"}]}";
    Run r = run(receipt);
    assertThat(KillBounds.judgedOf(r)).containsExactly(a, b);
    String settled = KillBounds.settled(r, "INC-9 checked", "ci", Instant.EPOCH, "run-2");
    assertThat(settled).contains("\"settled\"", "INC-9 checked", "run-2", "kill_bounds");
    assertThat(KillBounds.judgedOf(run(settled))).containsExactly(a, b);
    // an unreadable receipt is one unknown, unbounded migration
    assertThat(KillBounds.judgedOf(run("not json")))
        .singleElement()
        .satisfies(j -> assertThat(j.bounded()).isFalse());
  }

  private static Run run(String receipt) {
    Instant t = Instant.EPOCH;
    return new Run(
        "run-1",
        "prod",
        RunStatus.FAILED,
        "0".repeat(64),
        2,
        "V2__a.sql\nV3__b.sql",
        Optional.empty(),
        Optional.empty(),
        "ci",
        "ci",
        t,
        t,
        t,
        Optional.empty(),
        t,
        Optional.of(t),
        Optional.empty(),
        Optional.empty(),
        Optional.of(t),
        Optional.of(receipt),
        Optional.empty(),
        t);
  }
}
