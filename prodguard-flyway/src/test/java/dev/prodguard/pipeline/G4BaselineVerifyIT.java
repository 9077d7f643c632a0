package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** verify honours the contract's reviewed baseline and per-rule severity (G4). */
@DisplayName("G4: verify judges only what is newer than the contract's baseline")
class G4BaselineVerifyIT {
  @TempDir Path dir;

  void contract(String yaml) throws Exception {
    Files.writeString(dir.resolve("prodguard-contract.yml"), yaml);
  }

  /**
   * The contract with its baseline pinned, as a reviewer does, to the history files as they are now
   * ({@code baseline.sha256}).
   */
  void pinned(PipelineFixture f, String yaml) throws Exception {
    contract(yaml);
    dev.prodguard.contract.Adoption.Baseline b =
        dev.prodguard.contract.ContractLoader.load(dir.resolve("prodguard-contract.yml"))
            .adoption()
            .baselineIfAny()
            .orElseThrow();
    dev.prodguard.migration.MigrationFiles files =
        dev.prodguard.migration.MigrationFiles.read(java.util.List.of(f.migrations));
    String digest =
        dev.prodguard.lint.History.sha256(
            b,
            new dev.prodguard.flyway.FlywayMigrationEngine()
                .discover(files, DatabaseKind.POSTGRESQL)
                .analysed(),
            files);
    contract(yaml.replaceFirst("(baseline: \\{[^}]*)\\}", "$1, sha256: \"" + digest + "\" }"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: history up to the baseline passes verify; a migration after it is judged")
  void baseline(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration("V2__fix.sql", "UPDATE items SET name = 'x';\n");
      contract("version: 1\n");
      GuardRefusal without =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(without.why()).contains("V2__fix.sql", "update-without-where");

      pinned(f, "version: 1\nbaseline: { version: \"2\", reason: \"ran in production\" }\n");
      f.pipeline().promote("prod");
      assertThat(f.query("SELECT name FROM items WHERE id = 1")).contains("x");

      f.migration("V3__purge.sql", "DELETE FROM items;\n");
      GuardRefusal after =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(after.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(after.why()).contains("V3__purge.sql", "delete-without-where");
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("3");
    }
  }

  @Test
  @DisplayName("G4: a severity: error entry makes verify refuse a rule that only warns by default")
  void severityError() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration("V2__idx.sql", "CREATE INDEX items_name ON items (name);\n");
      contract("version: 1\nseverity: { create-index-not-concurrently: error }\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("V2__idx.sql", "create-index-not-concurrently");

      contract("version: 1\nseverity: { create-index-not-concurrently: off }\n");
      f.pipeline().promote("prod");
      assertThat(f.query("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'items_name'"))
          .contains("1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: a baseline moved up over a new migration does not hide it on a target that already"
          + " has part of the history (attack: baseline V2 where V2 is the new DELETE)")
  void baselineCannotHideANewMigration(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      contract("version: 1\n");
      f.pipeline().promote("prod"); // V1 applied
      f.migration("V2__purge.sql", "DELETE FROM items;\n");
      pinned(f, "version: 1\nbaseline: { version: \"2\", reason: \"adopting the history\" }\n");
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("V2__purge.sql", "delete-without-where");
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("3");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: a new environment whose first deploy of the reviewed history stopped part way still"
          + " receives the rest of it as history; a file added since, or one below an applied"
          + " baseline, is still judged or refused")
  void baselineSurvivesAFirstDeployThatStoppedPartWay(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration("V2__fix.sql", "UPDATE items SET name = 'x';\n");
      f.migration("V3__broken.sql", "INSERT INTO no_such_table VALUES (1);\n");
      f.migration("V4__purge.sql", "DELETE FROM items;\nINSERT INTO items VALUES (9, 'nine');\n");
      String reviewed = "version: 1\nbaseline: { version: \"4\", reason: \"ran in production\" }\n";
      pinned(f, reviewed);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.pipeline().promote("prod"));
      assertThat(f.query("SELECT name FROM items WHERE id = 1")).contains("x"); // V1, V2 applied
      // A file slipped in before the repair: the repair's run lists it among the pending ones,
      // but it migrated nothing, so the file is not part of the replay.
      f.migration("V2_4__early_sneak.sql", "DELETE FROM items;\n");
      pinned(f, reviewed); // even when a reviewer pins it, the replay does not cover it
      f.pipeline().repair("prod", "V3 does not run on this server; fixed in the file");
      GuardRefusal early =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(early.why()).contains("V2_4__early_sneak.sql", "delete-without-where");
      Files.delete(f.migrations.resolve("V2_4__early_sneak.sql"));
      // The history file is mended (still a statement that today's rules refuse); V3, V4 pending.
      f.migration("V3__broken.sql", "UPDATE items SET name = 'y';\n");

      // A file slipped in between the applied history and the rest is new: judged.
      f.migration("V2_5__sneak.sql", "DELETE FROM items;\n");
      pinned(f, reviewed);
      GuardRefusal sneak =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(sneak.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(sneak.why()).contains("V2_5__sneak.sql", "delete-without-where");
      assertThat(sneak.why()).doesNotContain("V3__broken.sql");
      Files.delete(f.migrations.resolve("V2_5__sneak.sql"));
      pinned(f, reviewed); // the mended history, reviewed again

      f.pipeline().promote("prod"); // the rest of the reviewed history, not judged
      assertThat(f.query("SELECT name FROM items WHERE id = 9")).contains("nine");

      // The baseline's migration is applied: a new file below it is out of order, never history.
      f.migration("V3_5__purge.sql", "DELETE FROM items;\n");
      catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> f.pipeline().promote("prod")))
          .isNotNull();
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("1");
    }
  }

  @Test
  @DisplayName(
      "G7: MariaDB: a history file that will not run as written ('--comment' without a space) is"
          + " refused before any backup when verify replays the history onto a new environment")
  void historyThatWillNotRunIsRefusedBeforeTheReplay() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.migration(
          "V2__price.sql",
          "ALTER TABLE items ADD COLUMN price INT;\n"
              + "--set the default price\n"
              + "UPDATE items SET price = 0;\n");
      f.migration("V3__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
      pinned(f, "version: 1\nbaseline: { version: \"3\", reason: \"ran in production\" }\n");
      Throwable t =
          org.assertj.core.api.Assertions.catchThrowable(() -> f.pipeline().verify("prod"));
      assertThat(t).isNotNull();
      assertThat(String.valueOf(t.getMessage()) + (t instanceof GuardRefusal r ? r.why() : ""))
          .contains("V2__price.sql", "unknown-statement", "add the space");
      assertThat(f.tableExists("items")).isFalse(); // nothing of the history ran
    }
  }

  /** The digest a baseline refusal names, from "sha256: \"<64 hex>\"". */
  static String namedDigest(GuardRefusal r) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("sha256: \"([0-9a-f]{64})\"").matcher(r.render());
    assertThat(m.find()).as("the refusal names the digest to write: " + r.render()).isTrue();
    return m.group(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: verify pins the baseline to the reviewed history: a contract baseline without sha256"
          + " is refused naming the digest; a history file edited or added after review is"
          + " refused on a new environment before any of it runs, instead of being replayed"
          + " unjudged")
  void baselinePinnedToReviewedHistory(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration("V2__fix.sql", "UPDATE items SET name = 'x' WHERE id = 1;\n");
      contract("version: 1\nbaseline: { version: \"2\", reason: \"ran in production\" }\n");
      GuardRefusal missing =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(missing).as("a baseline without sha256 must be refused").isNotNull();
      assertThat(missing.guarantee()).isEqualTo(Guarantee.G4);
      String digest = namedDigest(missing);

      // after review, V2 is edited to purge the table: the new environment would run it unjudged
      f.migration("V2__fix.sql", "DELETE FROM items;\n");
      contract(
          "version: 1\nbaseline: { version: \"2\", reason: \"ran in production\", sha256: \""
              + digest
              + "\" }\n");
      GuardRefusal edited =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(edited).as("an edited history file must be refused").isNotNull();
      assertThat(edited.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(edited.render()).contains("history changed since", digest);
      assertThat(f.tableExists("items")).isFalse(); // nothing of the history ran

      // a file added below the baseline is refused the same way
      f.migration("V2__fix.sql", "UPDATE items SET name = 'x' WHERE id = 1;\n");
      f.migration("V1_5__sneak.sql", "DELETE FROM items;\n");
      GuardRefusal added =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(added).as("a file added below the baseline must be refused").isNotNull();
      assertThat(added.render()).contains("history changed since");
      Files.delete(f.migrations.resolve("V1_5__sneak.sql"));

      // the reviewed history, as pinned, is replayed
      f.pipeline().promote("prod");
      assertThat(f.query("SELECT name FROM items WHERE id = 1")).contains("x");
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("3");
    }
  }

  @Test
  @DisplayName(
      "G4 (NU27/03): a target behind the baseline judges its pending history; a reviewed"
          + " exception for a version within the baseline covers it there, and lint without a"
          + " database neither refuses nor reports it unused")
  void exceptionWithinBaselineCoversATargetBehindIt() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      contract("version: 1\n");
      f.pipeline().promote("prod"); // V1 applied: this production is behind the baseline
      f.migration("V2__legacy.sql", "ALTER TABLE items DROP COLUMN name;\n");
      f.migration("V3__more.sql", "CREATE TABLE more (id int);\n");
      String base =
          "version: 1\nbaseline: { version: \"3\", reason: \"ran on the newer prods\" }\n";
      f.pinnedContract(base);
      GuardRefusal judged =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(judged.why()).contains("V2__legacy.sql", "drop-column");
      // the way forward for history is the contract's exception, never editing the file
      assertThat(judged.why())
          .contains("history under the contract's baseline")
          .contains("exceptions: - { migration: V2, rule: drop-column");

      f.pinnedContract(
          base
              + "exceptions:\n"
              + "  - { migration: V2, rule: drop-column, reason: \"name unused (PR 12)\" }\n");
      dev.prodguard.migration.MigrationFiles files =
          dev.prodguard.migration.MigrationFiles.read(java.util.List.of(f.migrations));
      dev.prodguard.contract.Contract c =
          dev.prodguard.contract.ContractLoader.load(dir.resolve("prodguard-contract.yml"));
      java.util.List<dev.prodguard.migration.MigrationSource> sources =
          new dev.prodguard.flyway.FlywayMigrationEngine()
              .discover(files, DatabaseKind.POSTGRESQL)
              .analysed();
      dev.prodguard.lint.History split = dev.prodguard.lint.History.of(sources, files, c);
      dev.prodguard.lint.LintReport lint =
          dev.prodguard.lint.Linter.forEngine(
                  DatabaseKind.POSTGRESQL, new dev.prodguard.flyway.FlywayMigrationEngine(), files)
              .lint(split.judged(), split.history(), c, true, true);
      assertThat(lint.findings()).noneMatch(x -> x.rule().equals("contract-exception-unused"));

      f.pipeline().promote("prod");
      assertThat(f.tableExists("more")).isTrue();
    }
  }

  @Test
  @DisplayName(
      "G4 (NU27/03): an exception within the baseline must name one of the history's migrations")
  void exceptionWithinBaselineMustExist() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration("V3__more.sql", "CREATE TABLE more (id int);\n");
      f.pinnedContract(
          "version: 1\nbaseline: { version: \"3\", reason: \"r\" }\nexceptions:\n"
              + "  - { migration: V2, rule: drop-column, reason: \"typo\" }\n");
      dev.prodguard.migration.MigrationFiles files =
          dev.prodguard.migration.MigrationFiles.read(java.util.List.of(f.migrations));
      dev.prodguard.contract.Contract c =
          dev.prodguard.contract.ContractLoader.load(dir.resolve("prodguard-contract.yml"));
      java.util.List<dev.prodguard.migration.MigrationSource> sources =
          new dev.prodguard.flyway.FlywayMigrationEngine()
              .discover(files, DatabaseKind.POSTGRESQL)
              .analysed();
      dev.prodguard.config.ConfigException e =
          catchThrowableOfType(
              dev.prodguard.config.ConfigException.class,
              () -> dev.prodguard.lint.History.of(sources, files, c));
      assertThat(e.getMessage()).contains("V2", "does not exist");
    }
  }
}
