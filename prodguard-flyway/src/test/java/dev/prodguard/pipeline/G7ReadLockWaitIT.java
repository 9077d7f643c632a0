package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7 (issue 18, newuser18 item 39): another session holding a lock on the target's {@code
 * flyway_schema_history} made {@code status} and every {@code promote} (of a fleet's target too)
 * wait silently and without bound, before the deploy's own bounded waits. The reads before the
 * deploy now wait at most {@code pipeline.lock-wait-timeout} and end in a one-screen refusal naming
 * the session that holds the lock; nothing is changed.
 */
@DisplayName("G7 the reads before a deploy wait for a lock at most pipeline.lock-wait-timeout")
class G7ReadLockWaitIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: a lock held on flyway_schema_history ends status and promote at"
          + " pipeline.lock-wait-timeout with a refusal naming the session that holds it, nothing"
          + " changed; once it is released, promote deploys")
  void lockedHistoryIsBounded(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      Path yml = f.dir.resolve("prodguard.yml");
      String before = "pipeline: { verification-ttl: 30m, backup-ttl: 60m }";
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  before,
                  "pipeline: { verification-ttl: 30m, backup-ttl: 60m, lock-wait-timeout: 2s }"));
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      GuardRefusal status;
      GuardRefusal promote;
      String holder;
      long millis;
      try (Connection blocker = f.db.connect();
          Statement st = blocker.createStatement()) {
        if (kind == DatabaseKind.POSTGRESQL) {
          blocker.setAutoCommit(false);
          st.execute("SET application_name = 'history-locker'");
          st.execute("LOCK TABLE flyway_schema_history IN ACCESS EXCLUSIVE MODE");
          holder = one(st, "SELECT pg_backend_pid()::text");
        } else {
          st.execute("LOCK TABLES flyway_schema_history WRITE");
          holder = one(st, "SELECT CONNECTION_ID()");
        }
        long start = System.nanoTime();
        status =
            (GuardRefusal)
                assertTimeoutPreemptively(
                    Duration.ofSeconds(60),
                    () -> catchThrowable(() -> f.pipeline().status("prod")));
        promote =
            (GuardRefusal)
                assertTimeoutPreemptively(
                    Duration.ofSeconds(60),
                    () -> catchThrowable(() -> f.pipeline().promote("prod")));
        millis = (System.nanoTime() - start) / 1_000_000;
        if (kind == DatabaseKind.POSTGRESQL) {
          blocker.rollback();
        } else {
          st.execute("UNLOCK TABLES");
        }
      }

      for (GuardRefusal r : new GuardRefusal[] {status, promote}) {
        assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
        assertThat(r.why())
            .containsAnyOf(
                "reading the migration history of 'prod'", "reading the schema of 'prod'")
            .contains("waited longer than pipeline.lock-wait-timeout (2 s)", "Nothing was changed");
        assertThat(r.render().lines().count()).isLessThan(25);
        if (kind == DatabaseKind.POSTGRESQL) {
          assertThat(r.why())
              .contains(
                  "held by pid " + holder,
                  "application 'history-locker'",
                  "exclusive lock on flyway_schema_history");
          assertThat(r.fix()).contains("SELECT pg_terminate_backend(" + holder + ")");
        }
      }
      assertThat(status.what()).isEqualTo("status prod");
      assertThat(status.why()).contains("reading the migration history of 'prod'");
      assertThat(millis).as("two bounded reads of 2 s, not an unbounded wait").isLessThan(30_000);
      assertThat(f.tableExists("more_items")).isFalse();

      Results.Promote done = f.pipeline().promote("prod");
      assertThat(done.deploy()).isPresent();
      assertThat(f.tableExists("more_items")).isTrue();
    }
  }

  private static String one(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
