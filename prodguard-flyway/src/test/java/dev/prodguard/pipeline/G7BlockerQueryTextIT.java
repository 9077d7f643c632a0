package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7 (issue 14, item 24): a refusal for a lock wait named the blocking session with "its last
 * statement", read from {@code pg_stat_activity.query} / {@code PROCESSLIST.INFO}. Another
 * session's SQL can hold a secret (a password in {@code ALTER ROLE}, a token in a literal), and the
 * line went to CI logs, the refusal and the audit trail. Now a blocker is named by pid, user,
 * application, state, duration and relation only.
 */
@DisplayName("G7 another session's statement text never reaches output nor the audit")
class G7BlockerQueryTextIT {
  private static final String SECRET = "sk_live_hx19_9f8e7d6c5b4a";

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: a deploy blocked by a session whose running statement holds a secret is refused naming"
          + " that session, and the secret is in no progress line, refusal or audit record")
  void deployWaitNamesTheSessionNotItsStatement(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      lockWaitTimeout(f, "3s");
      f.migration("V2__add_x.sql", "ALTER TABLE items ADD COLUMN x INT;\n");
      List<String> lines = Collections.synchronizedList(new ArrayList<>());
      Progress progress =
          new Progress() {
            @Override
            public void waiting(String message) {
              lines.add(message);
            }
          };
      Throwable t;
      String blockerId;
      try (Connection blocker = f.db.connect()) {
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
          st.executeQuery("SELECT COUNT(*) FROM items").close(); // holds the table: ALTER waits
          blockerId = sessionId(kind, st);
          try (Running secret = new Running(blocker, secretSql(kind))) {
            t = catchAll(() -> f.pipeline().progress(progress).promote("prod"));
          }
        }
        blocker.rollback();
      }

      assertThat(t).isInstanceOf(GuardRefusal.class);
      GuardRefusal refused = (GuardRefusal) t;
      assertThat(refused.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(refused.why())
          .contains(
              "V2__add_x.sql waited",
              (kind == DatabaseKind.POSTGRESQL ? "pid " : "connection ") + blockerId);
      assertThat(refused.render()).doesNotContain(SECRET).doesNotContain("last statement");
      assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContain(SECRET));
      assertNotInTheAudit(f);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: status refused at pipeline.lock-wait-timeout names the session holding the history"
          + " table, and the secret in that session's statement is in no refusal or audit record")
  void readWaitNamesTheSessionNotItsStatement(DatabaseKind kind) throws Exception {
    // MariaDB: an unprotected environment, whose url account may read PROCESSLIST and INNODB_TRX
    // (the role split's application account of a protected one sees no other session at all)
    try (PipelineFixture f =
        PipelineFixture.create(kind, dir, "prod", kind == DatabaseKind.POSTGRESQL, false)) {
      f.pipeline().promote("prod");
      lockWaitTimeout(f, "2s");
      Throwable t;
      String otherId = null;
      try (Connection locker = f.db.connect();
          Statement st = locker.createStatement()) {
        if (kind == DatabaseKind.POSTGRESQL) {
          locker.setAutoCommit(false);
          st.execute("LOCK TABLE flyway_schema_history IN ACCESS EXCLUSIVE MODE");
          try (Running secret = new Running(locker, secretSql(kind))) {
            t = catchAll(() -> f.pipeline().status("prod"));
          }
          locker.rollback();
        } else {
          // MariaDB names no metadata lock holder: the sessions with an open transaction are
          // listed, here one that runs a statement holding a secret.
          st.execute("LOCK TABLES flyway_schema_history WRITE");
          try (Connection other = f.db.connect();
              Statement o = other.createStatement()) {
            other.setAutoCommit(false);
            o.executeQuery("SELECT COUNT(*) FROM items").close();
            otherId = sessionId(kind, o);
            try (Running secret = new Running(other, secretSql(kind))) {
              t = catchAll(() -> f.pipeline().status("prod"));
            }
            other.rollback();
          }
          st.execute("UNLOCK TABLES");
        }
      }

      assertThat(t).isInstanceOf(GuardRefusal.class);
      GuardRefusal refused = (GuardRefusal) t;
      assertThat(refused.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(refused.why()).contains("waited longer than pipeline.lock-wait-timeout");
      if (kind == DatabaseKind.POSTGRESQL) {
        assertThat(refused.why()).contains("exclusive lock on flyway_schema_history");
      } else {
        assertThat(refused.why())
            .as("the open transaction is named")
            .contains("connection " + otherId);
      }
      assertThat(refused.render()).doesNotContain(SECRET).doesNotContain("last statement");
      assertNotInTheAudit(f);
    }
  }

  /** A statement whose text holds the secret and that runs for a while. */
  private static String secretSql(DatabaseKind kind) {
    return kind == DatabaseKind.POSTGRESQL
        ? "SELECT '" + SECRET + "' AS token, pg_sleep(30)"
        : "SELECT '" + SECRET + "' AS token, SLEEP(30)";
  }

  private static void assertNotInTheAudit(PipelineFixture f) {
    String rows = f.query("SELECT COUNT(*) FROM prodguard_audit").orElseThrow();
    assertThat(Integer.parseInt(rows)).as("audit rows").isPositive();
    assertThat(
            f.query(
                    "SELECT COUNT(*) FROM prodguard_audit WHERE CONCAT(command, ' ', outcome, ' ',"
                        + " details) LIKE '%"
                        + SECRET
                        + "%'")
                .orElseThrow())
        .as("audit records holding the other session's secret")
        .isEqualTo("0");
    assertThat(
            f.query(
                    "SELECT COUNT(*) FROM prodguard_run WHERE CONCAT(COALESCE(failure, ''), ' ',"
                        + " COALESCE(receipt, '')) LIKE '%"
                        + SECRET
                        + "%'")
                .orElseThrow())
        .as("run records holding the other session's secret")
        .isEqualTo("0");
  }

  private static String sessionId(DatabaseKind kind, Statement st) throws Exception {
    try (ResultSet rs =
        st.executeQuery(
            kind == DatabaseKind.POSTGRESQL
                ? "SELECT pg_backend_pid()::text"
                : "SELECT CAST(CONNECTION_ID() AS CHAR)")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void lockWaitTimeout(PipelineFixture f, String value) throws Exception {
    Path yml = f.dir.resolve("prodguard.yml");
    String before = "pipeline: { verification-ttl: 30m, backup-ttl: 60m }";
    String config = Files.readString(yml);
    assertThat(config).contains(before);
    Files.writeString(
        yml,
        config.replace(
            before,
            "pipeline: { verification-ttl: 30m, backup-ttl: 60m, lock-wait-timeout: "
                + value
                + " }"));
  }

  private interface Work {
    Object run() throws Exception;
  }

  private static Throwable catchAll(Work w) {
    try {
      Object r = w.run();
      throw new AssertionError("expected a refusal, got " + r);
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      return e;
    }
  }

  /** A statement running on {@code c} in the background until closed (then cancelled). */
  private static final class Running implements AutoCloseable {
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final Statement st;
    private final Future<?> done;

    Running(Connection c, String sql) throws Exception {
      st = c.createStatement();
      done =
          pool.submit(
              () -> {
                try (ResultSet rs = st.executeQuery(sql)) {
                  return null;
                }
              });
      Thread.sleep(500); // the statement is on the server and shown as running
    }

    @Override
    public void close() throws Exception {
      st.cancel();
      try {
        done.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        // cancelled, as intended
      } finally {
        pool.shutdownNow();
        st.close();
      }
    }
  }
}
