package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4 on migrations as real projects write them: what lint reported wrongly (a PL/pgSQL assignment
 * read as an unknown statement, MariaDB's {@code RENAME x} read as a column rename, an appended
 * ENUM value read as a type change, a table created with IF NOT EXISTS earlier in the file treated
 * as a live one), and that the strict readings stay where they protect data.
 */
@DisplayName("G4: lint reads real migration histories right")
class G4RealHistoryLintTest {
  @TempDir Path dir;

  List<Finding> lint(DatabaseKind kind, String contract, String... files) throws Exception {
    return report(kind, contract, files).findings();
  }

  LintReport report(DatabaseKind kind, String contract, String... files) throws Exception {
    List<Path> paths = new java.util.ArrayList<>();
    for (int i = 0; i < files.length; i++) {
      paths.add(
          Files.writeString(
              dir.resolve("V" + (i + 1) + "__m.sql"), files[i], StandardCharsets.UTF_8));
    }
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), contract.getBytes(StandardCharsets.UTF_8));
    return new Linter(kind).lintFiles(paths, c, true);
  }

  static List<String> rules(List<Finding> findings) {
    return findings.stream().map(Finding::rule).toList();
  }

  @Test
  @DisplayName("G4: PL/pgSQL assignments with = to fields and subscripts are assignments")
  void plpgsqlAssignments() throws Exception {
    // the shape of diesel's diesel_set_updated_at() trigger function (LemmyNet/lemmy, crates.io)
    String trigger =
        """
        CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
        BEGIN
            IF (
                NEW IS DISTINCT FROM OLD AND
                NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
            ) THEN
                NEW.updated_at = current_timestamp;
            END IF;
            NEW.touched = now();
            NEW.counts[1] = 0;
            NEW.tags[2:3] := ARRAY['a', 'b'];
            NEW.meta.owner.name = 'x';
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """;
    assertThat(rules(lint(DatabaseKind.POSTGRESQL, "version: 1\n", trigger))).isEmpty();
    // an assignment that hides a statement is still read: the right-hand side runs
    assertThat(
            rules(
                lint(
                    DatabaseKind.POSTGRESQL,
                    "version: 1\n",
                    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " NEW.n[1] = (SELECT count(*) FROM t); EXECUTE 'DROP TABLE t'; RETURN"
                        + " NEW; END $$;\nSELECT f();\n")))
        .contains("dynamic-sql");
  }

  @Test
  @DisplayName(
      "G4: MariaDB ALTER TABLE client RENAME client_v2 is a table rename, refused by rename-table")
  void mariadbRenameIsTableRename() throws Exception {
    LintReport r =
        report(
            DatabaseKind.MARIADB,
            "version: 1\nforbidden: [rename-table]\n",
            "ALTER TABLE client RENAME client_v2;\n");
    assertThat(r.blocking()).extracting(Finding::rule).containsExactly("rename-table");
    assertThat(r.findings()).extracting(Finding::rule).doesNotContain("rename-column");
  }

  @Test
  @DisplayName(
      "G4: MariaDB MODIFY appending an ENUM value to a definition from an earlier file is no type change")
  void enumAppendAcrossFiles() throws Exception {
    List<Finding> f =
        lint(
            DatabaseKind.MARIADB,
            "version: 1\n",
            "CREATE TABLE job (id int PRIMARY KEY, state ENUM('new','run') NOT NULL);\n",
            "ALTER TABLE job MODIFY COLUMN state ENUM('new','run','done') NOT NULL;\n",
            "ALTER TABLE job MODIFY COLUMN state ENUM('new','done') NOT NULL;\n");
    assertThat(f)
        .filteredOn(x -> x.rule().equals("alter-column-type"))
        .extracting(x -> Path.of(x.location().file()).getFileName().toString())
        .containsExactly("V3__m.sql"); // V2 only appends; V3 removes a value
  }

  @Test
  @DisplayName("G4: a column redefined in an applied migration is judged by its latest definition")
  void definitionsFollowAppliedMigrations() throws Exception {
    Path created =
        Files.writeString(
            dir.resolve("V1__create.sql"), "CREATE TABLE job (id int, state ENUM('a','b'));\n");
    Path changed =
        Files.writeString(
            dir.resolve("V2__change.sql"), "ALTER TABLE job MODIFY state ENUM('x','y');\n");
    Path pending =
        Files.writeString(
            dir.resolve("V3__append.sql"), "ALTER TABLE job MODIFY state ENUM('a','b','c');\n");
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    // V1 and V2 ran already (context): V3 does not append to V2's ('x','y'), it replaces them
    assertThat(
            new Linter(DatabaseKind.MARIADB)
                .lintFiles(List.of(pending), List.of(created, changed), c, true)
                .findings())
        .extracting(Finding::rule)
        .contains("alter-column-type");
    assertThat(
            new Linter(DatabaseKind.MARIADB)
                .lintFiles(List.of(pending), List.of(created), c, true)
                .findings())
        .extracting(Finding::rule)
        .doesNotContain("alter-column-type");
  }

  @Test
  @DisplayName(
      "G4: a table created with IF NOT EXISTS earlier in the file is new for lock rules, not for protected writes")
  void createTableIfNotExistsIsNew() throws Exception {
    String sql =
        """
        CREATE TABLE IF NOT EXISTS audit (id bigint PRIMARY KEY, at timestamptz, who text);
        CREATE INDEX audit_at ON audit (at);
        ALTER TABLE audit ADD CONSTRAINT audit_who CHECK (who <> '');
        ALTER TABLE audit ALTER COLUMN who SET NOT NULL;
        ALTER TABLE audit ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
        CREATE INDEX other_at ON other (at);
        """;
    List<Finding> f = lint(DatabaseKind.POSTGRESQL, "version: 1\n", sql);
    assertThat(f)
        .extracting(x -> x.rule() + "@" + x.location().line())
        .containsExactly("create-index-not-concurrently@6");
    // a protected table exists already: IF NOT EXISTS does not make writes to it harmless
    List<Finding> p =
        lint(
            DatabaseKind.POSTGRESQL,
            "version: 1\nprotected-tables:\n  orders: {}\n",
            "CREATE TABLE IF NOT EXISTS orders (id bigint);\nINSERT INTO orders VALUES (1);\n");
    assertThat(p).extracting(Finding::rule).contains("protected-table-write");
  }
}
