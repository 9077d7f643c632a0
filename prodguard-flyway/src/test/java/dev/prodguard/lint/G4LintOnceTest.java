package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify's contract analysis and trace's judgement of the same pending migrations run side by side
 * and lint the same inputs: {@link LintOnce} makes that lint once per process. Its report must be
 * exactly the linter's, and any input that differs must get a lint of its own.
 */
@DisplayName("G4: the same lint made once for verify and trace (LintOnce)")
class G4LintOnceTest {
  static final FlywayMigrationEngine ENGINE = new FlywayMigrationEngine();

  @TempDir Path dir;
  Path migrations;

  @BeforeEach
  void files() throws Exception {
    migrations = Files.createDirectories(dir.resolve("db/migration"));
    write("V1__init.sql", "CREATE TABLE orders (id bigint primary key, n int);\n");
    write("V2__grant.sql", "GRANT SELECT ON orders TO PUBLIC;\nUPDATE orders SET n = 0;\n");
  }

  void write(String name, String sql) throws Exception {
    Files.writeString(migrations.resolve(name), sql, StandardCharsets.UTF_8);
  }

  Contract contract(String yaml) throws Exception {
    Path f = dir.resolve("prodguard-contract-" + Integer.toHexString(yaml.hashCode()) + ".yml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return ContractLoader.load(f);
  }

  static List<MigrationSource> sources(MigrationFiles files) {
    return ENGINE.discover(files, DatabaseKind.POSTGRESQL).analysed();
  }

  @Test
  @DisplayName(
      "G4: two threads linting the same snapshot, files, context, contract and protection get"
          + " one report, with the same findings as the linter's own")
  void sameInputsOneReport() throws Exception {
    MigrationFiles files = MigrationFiles.read(List.of(migrations));
    List<MigrationSource> all = sources(files);
    Contract c = contract("version: 1\n");
    CompletableFuture<LintReport> trace =
        CompletableFuture.supplyAsync(
            () ->
                LintOnce.lint(
                    DatabaseKind.POSTGRESQL, ENGINE, files, all, List.of(), c, true, false));
    LintReport verify =
        LintOnce.lint(DatabaseKind.POSTGRESQL, ENGINE, files, all, List.of(), c, true, false);

    assertThat(trace.get()).isSameAs(verify);
    LintReport own =
        Linter.forEngine(DatabaseKind.POSTGRESQL, ENGINE, files)
            .lint(all, List.of(), c, true, false);
    assertThat(verify).isEqualTo(own);
    assertThat(verify.findings()).extracting(f -> f.rule()).contains("grant");
  }

  @Test
  @DisplayName(
      "G4: another contract, protection, context or reading of the files is linted on its own,"
          + " never answered with a report made for other inputs")
  void otherInputsOwnReport() throws Exception {
    MigrationFiles files = MigrationFiles.read(List.of(migrations));
    List<MigrationSource> all = sources(files);
    Contract open = contract("version: 1\n");
    Contract strict = contract("version: 1\nforbidden: [grant]\n");
    LintReport first =
        LintOnce.lint(DatabaseKind.POSTGRESQL, ENGINE, files, all, List.of(), open, true, false);

    LintReport otherContract =
        LintOnce.lint(DatabaseKind.POSTGRESQL, ENGINE, files, all, List.of(), strict, true, false);
    LintReport unprotected =
        LintOnce.lint(DatabaseKind.POSTGRESQL, ENGINE, files, all, List.of(), open, false, false);
    LintReport withContext =
        LintOnce.lint(
            DatabaseKind.POSTGRESQL,
            ENGINE,
            files,
            all.subList(1, 2),
            all.subList(0, 1),
            open,
            true,
            false);
    write("V2__grant.sql", "GRANT SELECT ON orders TO PUBLIC;\n");
    MigrationFiles reread = MigrationFiles.read(List.of(migrations));
    LintReport changed =
        LintOnce.lint(
            DatabaseKind.POSTGRESQL, ENGINE, reread, sources(reread), List.of(), open, true, false);

    for (LintReport r : List.of(otherContract, unprotected, withContext, changed)) {
      assertThat(r).isNotSameAs(first);
    }
    assertThat(otherContract.contractSha256()).isNotEqualTo(first.contractSha256());
    assertThat(otherContract.blocking()).extracting(f -> f.rule()).contains("grant");
    assertThat(unprotected.protectedEnvironment()).isFalse();
    assertThat(withContext.files()).hasSize(1);
    assertThat(changed.statements()).isEqualTo(first.statements() - 1);
  }
}
