package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G8 under load (issue 19, part 3): six {@code promote} processes of the same set, started together
 * against one protected database, trial after trial. Before the fix each verify superseded
 * another's run, whose backup or deploy was then refused, and in some trials none deployed. Now
 * exactly one deploys and the other five are refused by the deploy lock, naming the winner's run.
 *
 * <p>The winner's migration is held (the test holds a lock on the table it alters) until the five
 * others have ended, so every trial really runs six promotes at once.
 */
@DisplayName("G8: of six concurrent promotes exactly one deploys, the others name it")
class G8ConcurrentPromoteIT {
  static final int PROCESSES = 6;
  static final int TRIALS = 5;
  private static final Pattern DEPLOYED = Pattern.compile("deployed run (run-[0-9a-f]{12})");

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("6 promotes at once, 5 trials: one exit 0, five exit 1 naming its run, V once")
  void concurrentPromotes(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = CliProd.ci(db);
      CliProd.promoted(
          dir,
          env,
          "backup: { directory: backups }\n",
          "V1__items.sql",
          "CREATE TABLE items (id INT PRIMARY KEY);\nINSERT INTO items VALUES (1), (2);\n");

      ExecutorService pool = Executors.newFixedThreadPool(PROCESSES);
      try {
        for (int trial = 1; trial <= TRIALS; trial++) {
          int version = trial + 1;
          Files.writeString(
              dir.resolve("db/migration/V" + version + "__c" + version + ".sql"),
              "ALTER TABLE items ADD COLUMN c" + version + " INT;\n");
          List<Cli.Result> results = trial(db, env, pool);
          String label = kind + " trial " + trial + ":\n" + results;

          List<Cli.Result> ok = results.stream().filter(r -> r.exit() == 0).toList();
          assertThat(ok).as(label).hasSize(1);
          Matcher m = DEPLOYED.matcher(ok.get(0).out());
          assertThat(m.find()).as(label).isTrue();
          String winner = m.group(1);
          List<Cli.Result> refused = results.stream().filter(r -> r.exit() != 0).toList();
          assertThat(refused).as(label).hasSize(PROCESSES - 1);
          for (Cli.Result r : refused) {
            assertThat(r.exit()).as(label).isEqualTo(1);
            assertThat(r.err())
                .as(label)
                .contains("G8 one deploy at a time", "promote prod", winner)
                .doesNotContain("superseded", "Exception");
          }
          assertThat(
                  scalar(
                      db,
                      "SELECT COUNT(*) FROM flyway_schema_history WHERE version = '"
                          + version
                          + "' AND success"))
              .as(label + "\nV" + version + " applied exactly once")
              .isEqualTo(1);
          assertThat(
                  scalar(
                      db,
                      "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'items'"
                          + (kind == DatabaseKind.POSTGRESQL
                              ? " AND table_schema = current_schema()"
                              : " AND table_schema = DATABASE()")
                          + " AND column_name = 'c"
                          + version
                          + "'"))
              .as(label)
              .isEqualTo(1);
          assertThat(scalar(db, "SELECT COUNT(*) FROM prodguard_run WHERE status = 'deployed'"))
              .as(label + "\none deployed run per trial, plus the first promote")
              .isEqualTo(trial + 1);
        }
      } finally {
        pool.shutdownNow();
      }
      System.out.println(
          "G8ConcurrentPromoteIT " + kind + ": " + TRIALS + " trials x " + PROCESSES + " promotes");
    }
  }

  /**
   * Starts six promotes together while the test holds a lock on {@code items}, which the pending
   * migration alters: whichever promote gets the deploy lock waits in its migration until the other
   * five have ended (or 90 s have passed), then the lock is released and it finishes.
   */
  private List<Cli.Result> trial(TestDatabase db, Map<String, String> env, ExecutorService pool)
      throws Exception {
    Semaphore ended = new Semaphore(0);
    List<Future<Cli.Result>> running = new ArrayList<>();
    try (Connection hold = db.connect()) {
      hold.setAutoCommit(false);
      try (Statement st = hold.createStatement()) {
        if (db.kind() == DatabaseKind.POSTGRESQL) {
          st.execute("LOCK TABLE items IN ACCESS SHARE MODE");
        } else {
          try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM items")) {
            rs.next(); // holds a shared metadata lock on items until the transaction ends
          }
        }
      }
      for (int i = 0; i < PROCESSES; i++) {
        running.add(
            pool.submit(
                () -> {
                  try {
                    return Cli.run(dir, env, "promote", "prod");
                  } finally {
                    ended.release();
                  }
                }));
      }
      ended.tryAcquire(PROCESSES - 1, 90, TimeUnit.SECONDS);
      hold.rollback();
    }
    List<Cli.Result> out = new ArrayList<>();
    for (Future<Cli.Result> f : running) {
      out.add(f.get(180, TimeUnit.SECONDS));
    }
    return out;
  }

  private static long scalar(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
