package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Hashes;
import dev.prodguard.findings.Finding;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contract exception covers the content that was reviewed, not whatever its migration file says
 * later (attack21 finding 10): a repeatable migration runs again whenever it changes, so its
 * exception must carry the file's {@code sha256}, and any exception with a {@code sha256} stops
 * covering once the file changes.
 */
@DisplayName("G4: a contract exception is bound to the reviewed content")
class G4ExceptionContentBindingTest {
  static final String REVIEWED = "DELETE FROM staging_import;\n";
  static final String LATER = "DELETE FROM staging_import;\nDELETE FROM orders;\n";

  @TempDir Path dir;

  private Contract contract(String entry) {
    return ContractLoader.parse(
        dir.resolve("prodguard-contract.yml"),
        ("version: 1\nexceptions:\n  - " + entry + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Lints one file as the engine discovered it: with the identity an exception names. */
  private LintReport lint(String file, String sql, Contract c) throws Exception {
    Path p = Files.writeString(dir.resolve(file), sql, StandardCharsets.UTF_8);
    String id = file.substring(0, file.length() - ".sql".length());
    boolean repeatable = id.startsWith("R__");
    if (!repeatable) {
      id = id.substring(0, id.indexOf("__"));
    }
    MigrationFiles read = MigrationFiles.read(List.of(p));
    MigrationSource source =
        new MigrationSource(
            read.all().get(0),
            repeatable ? MigrationSource.Role.REPEATABLE : MigrationSource.Role.VERSIONED,
            MigrationId.parse(id),
            read.shown(read.all().get(0)));
    return new Linter(DatabaseKind.POSTGRESQL).lint(List.of(source), List.of(), c, true, true);
  }

  private static String sha(String s) {
    return Hashes.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("G4: an exception for R__ without sha256 covers nothing and says what to add")
  void repeatableWithoutSha256() throws Exception {
    LintReport r =
        lint(
            "R__refresh_staging.sql",
            LATER,
            contract(
                "{ migration: R__refresh_staging, rule: delete-without-where, reason: reviewed }"));
    List<String> blocking = r.blocking().stream().map(Finding::rule).toList();
    assertThat(blocking).containsOnly("delete-without-where", "contract-exception-unused");
    assertThat(r.blocking().stream().filter(f -> f.rule().equals("delete-without-where")))
        .hasSize(2);
    assertThat(r.blocking())
        .anySatisfy(
            f -> assertThat(f.message()).contains("not bound", "add sha256: " + sha(LATER)));
  }

  @Test
  @DisplayName("G4: an exception with sha256 covers the reviewed file, and not the changed one")
  void repeatableBoundToReviewedContent() throws Exception {
    Contract c =
        contract(
            "{ migration: R__refresh_staging, rule: delete-without-where, reason: reviewed,"
                + " sha256: "
                + sha(REVIEWED)
                + " }");
    assertThat(lint("R__refresh_staging.sql", REVIEWED, c).blocking()).isEmpty();

    LintReport later = lint("R__refresh_staging.sql", LATER, c);
    assertThat(later.blocking().stream().map(Finding::rule))
        .containsOnly("delete-without-where", "contract-exception-unused");
    assertThat(later.blocking())
        .anySatisfy(
            f ->
                assertThat(f.message())
                    .contains("file has changed since", "set sha256: " + sha(LATER)));
  }

  @Test
  @DisplayName("G4: a pending versioned migration's exception with sha256 stops at a change")
  void versionedBoundWhenPinned() throws Exception {
    Contract unpinned = contract("{ migration: V2, rule: delete-without-where, reason: reviewed }");
    assertThat(lint("V2__x.sql", LATER, unpinned).blocking()).isEmpty(); // versioned: as before
    Contract pinned =
        contract(
            "{ migration: V2, rule: delete-without-where, reason: reviewed, sha256: "
                + sha(REVIEWED)
                + " }");
    assertThat(lint("V2__x.sql", REVIEWED, pinned).blocking()).isEmpty();
    assertThat(lint("V2__x.sql", LATER, pinned).blocking()).isNotEmpty();
  }

  @Test
  @DisplayName("G4: a sha256 that is not 64 hex digits is a configuration error")
  void malformedSha256() {
    Assertions.assertThatThrownBy(
            () ->
                contract("{ migration: R__x, rule: delete-without-where, reason: r, sha256: abc }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not a SHA-256");
  }
}
