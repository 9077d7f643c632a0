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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Review hux23 F10: the {@code table-rewrite} fix of a PostgreSQL volatile default also gave
 * MariaDB and VACUUM FULL advice. Each finding names one way forward, for its server and its cause:
 * the words of the other dialect or of another cause never appear.
 */
@DisplayName("G4: a table-rewrite finding gives the one fix of its server and cause")
class G4TableRewriteFixTest {
  @TempDir Path dir;

  private Finding rewrite(DatabaseKind kind, String sql) throws Exception {
    Path f = Files.writeString(dir.resolve("V2__x.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    List<Finding> all = new Linter(kind).lintFiles(List.of(f), c, true).findings();
    return all.stream()
        .filter(x -> x.rule().equals("table-rewrite"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no table-rewrite in " + all));
  }

  @ParameterizedTest(name = "G4: {0} {1}: fix says {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          POSTGRESQL | ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid() | SET DEFAULT
          POSTGRESQL | ALTER TABLE t ADD COLUMN at timestamptz DEFAULT clock_timestamp() | SET DEFAULT
          POSTGRESQL | ALTER TABLE t ADD COLUMN n bigserial | sequence
          POSTGRESQL | VACUUM FULL t | pg_repack
          POSTGRESQL | CLUSTER t USING t_pkey | pg_repack
          MARIADB | ALTER TABLE t ADD COLUMN n int, ALGORITHM=COPY | ALGORITHM=INSTANT or INPLACE
          MARIADB | OPTIMIZE TABLE t | online schema-change
          MARIADB | ALTER TABLE t ADD COLUMN token char(36) DEFAULT (uuid()) | constant one
          """)
  void oneFixPerServerAndCause(DatabaseKind kind, String sql, String says) throws Exception {
    String fix = rewrite(kind, sql + ";\n").recipe();
    assertThat(fix).contains(says);
    if (kind == DatabaseKind.POSTGRESQL) {
      assertThat(fix).doesNotContain("MariaDB", "ALGORITHM", "gh-ost");
    } else {
      assertThat(fix).doesNotContain("pg_repack", "VACUUM", "PostgreSQL");
    }
    if (sql.contains("DEFAULT gen_random_uuid()") || sql.contains("clock_timestamp")) {
      assertThat(fix).doesNotContain("pg_repack", "CLUSTER", "sequence");
    }
    if (sql.startsWith("VACUUM") || sql.startsWith("CLUSTER")) {
      assertThat(fix).doesNotContain("default", "batches");
    }
  }
}
