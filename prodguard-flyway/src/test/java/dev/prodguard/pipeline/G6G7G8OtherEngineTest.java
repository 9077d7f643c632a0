package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.guard.GuardStatus;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.support.DatabaseSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seam: the pipeline's guarantees hold for a migration engine that is not Flyway ({@link
 * NumberedScriptEngine}: numbered scripts applied by plain JDBC, its own history table, its own
 * guard artifact). Nothing in the pipeline, the linter or the guards knows Flyway's naming,
 * callbacks or history table.
 */
@DisplayName("G6-G8 through a migration engine that is not Flyway")
class G6G7G8OtherEngineTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: verify, backup and deploy run the engine's scripts in its order, bound to the verified"
          + " bytes; G6: its history table is guarded after the first deploy")
  void verifiedSetInOrder(DatabaseKind kind) throws Exception {
    NumberedScriptEngine engine = new NumberedScriptEngine();
    try (PipelineFixture f = PipelineFixture.prod(kind, dir, engine)) {
      f.migration("002_more.sql", "INSERT INTO orders VALUES (2);\n");
      f.migration("001_orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");

      Results.Verify v = f.pipeline(engine).verify("prod");
      assertThat(v.set().pending())
          .extracting(p -> p.file().fileName())
          .containsExactly("001_orders.sql", "002_more.sql");
      assertThat(v.set().callbacks())
          .extracting(MigrationFile::fileName)
          .containsExactly(NumberedScriptEngine.GUARD);

      // G7: a script changed after verify is not what was verified
      f.migration("002_more.sql", "INSERT INTO orders VALUES (2);\nDELETE FROM orders;\n");
      GuardRefusal changed =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline(engine).backup("prod", Optional.empty()));
      assertThat(changed).isNotNull();
      assertThat(changed.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(f.tableExists("orders")).isFalse();

      f.migration("002_more.sql", "INSERT INTO orders VALUES (2);\n");
      Results.Promote p = f.pipeline(engine).promote("prod");
      assertThat(p.deploy()).isPresent();
      assertThat(p.deploy().get().applied())
          .extracting(a -> a.script())
          .containsExactly("001_orders.sql", "002_more.sql");
      assertThat(f.query("SELECT COUNT(*) FROM orders")).contains("1");
      assertThat(f.query("SELECT COUNT(*) FROM " + NumberedScriptEngine.HISTORY)).contains("2");
      assertThat(f.run(p.deploy().get().run().orElseThrow().id()).status())
          .isEqualTo(RunStatus.DEPLOYED);
      assertThat(f.pipeline(engine).status("prod").guards().database().historyGuard())
          .isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);
      // G6: a hand-run writing the engine's history outside a deploy is refused by the database
      Throwable handRun =
          catchThrowable(
              () ->
                  f.db.execute(
                      "INSERT INTO "
                          + NumberedScriptEngine.HISTORY
                          + " VALUES (3, '003_by_hand.sql', 'x')"));
      assertThat(handRun).isNotNull();
      assertThat(f.query("SELECT COUNT(*) FROM " + NumberedScriptEngine.HISTORY)).contains("2");
      assertThat(f.pipeline(engine).verify("prod").upToDate()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6 through the engine: init-fingerprint writes the engine's own guard artifact, not Flyway's"
          + " callback; status reports that artifact (ok, then modified, with its name), never a"
          + " Flyway callback; verify refuses while it is modified")
  void ownGuardArtifacts(DatabaseKind kind) throws Exception {
    NumberedScriptEngine engine = new NumberedScriptEngine();
    try (PipelineFixture f = PipelineFixture.prod(kind, dir, engine)) {
      f.migration("001_orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
      Path guard = f.migrations.resolve(NumberedScriptEngine.GUARD);
      String written = engine.guardArtifacts(DatabaseSupport.of(kind)).get(0).content();

      String onDisk = Files.readString(guard);
      GuardStatus ok = f.pipeline(engine).status("prod").guards();
      Files.writeString(guard, written + "-- edited\n");
      GuardStatus modified = f.pipeline(engine).status("prod").guards();
      GuardRefusal refused =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline(engine).verify("prod"));

      assertThat(onDisk).isEqualTo(written);
      assertThat(f.migrations.resolve("beforeEachMigrate.sql")).doesNotExist();
      assertThat(ok.artifacts())
          .extracting(GuardArtifactFiles.Check::path, GuardArtifactFiles.Check::state)
          .containsExactly(tuple("db/migration/_before_each.sql", GuardArtifactFiles.State.OK));
      assertThat(ok.problems()).isEmpty();
      assertThat(modified.problems())
          .containsExactly(
              "the numbered-script guard db/migration/_before_each.sql is modified: run"
                  + " 'prodguard init-fingerprint ENV' to write it, then commit it");
      assertThat(modified.toJson().get("callback").toString())
          .contains("_before_each.sql", "modified");
      assertThat(refused).isNotNull();
      assertThat(refused.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(refused.why())
          .contains("the numbered-script guard db/migration/_before_each.sql is modified")
          .doesNotContain("Flyway");
      assertThat(f.tableExists("orders")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4 through the engine: verify lints the engine's scripts and refuses a DROP TABLE")
  void lintedThroughTheEngine(DatabaseKind kind) throws Exception {
    NumberedScriptEngine engine = new NumberedScriptEngine();
    try (PipelineFixture f = PipelineFixture.prod(kind, dir, engine)) {
      f.migration("001_orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
      f.pipeline(engine).promote("prod");
      f.migration("002_drop.sql", "DROP TABLE orders;\n");

      GuardRefusal r =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline(engine).verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("002_drop.sql", "[drop-table]");
      assertThat(f.tableExists("orders")).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G8 through the engine: while one deploy runs, a second deploy is refused")
  void oneDeployAtATime(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir, new NumberedScriptEngine())) {
      f.migration("001_orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
      NumberedScriptEngine held = new NumberedScriptEngine().hold();
      String id = f.pipeline(held).verify("prod").run().orElseThrow().id();
      f.pipeline(held).backup("prod", Optional.empty());
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Results.Deploy> first =
            pool.submit(() -> f.pipeline(held).deploy("prod", Optional.empty()));
        assertThat(held.inside.await(60, TimeUnit.SECONDS)).isTrue();

        GuardRefusal second =
            catchThrowableOfType(
                GuardRefusal.class,
                () -> f.pipeline(new NumberedScriptEngine()).deploy("prod", Optional.empty()));
        held.release.countDown();
        Results.Deploy done = first.get(60, TimeUnit.SECONDS);

        assertThat(second).isNotNull();
        assertThat(second.guarantee()).isEqualTo(Guarantee.G8);
        assertThat(second.why()).contains("run " + id);
        assertThat(done.applied()).extracting(a -> a.script()).isEqualTo(List.of("001_orders.sql"));
        assertThat(f.run(id).status()).isEqualTo(RunStatus.DEPLOYED);
      } finally {
        held.release.countDown();
        pool.shutdownNow();
      }
    }
  }
}
