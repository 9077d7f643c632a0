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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G4 (attack 13, F4): Flyway replaces its built-in placeholders ({@code ${flyway:database}}, {@code
 * ${flyway:user}}, ...) inside quoted identifiers too, so {@code "${flyway:database}"} names an
 * object prodguard does not know, exactly as the bare {@code ${flyway:database}} does: a protected
 * table named like the database was emptied through it with no finding.
 */
@DisplayName("G4: a placeholder in a quoted name is as unknown as a bare one")
class G4QuotedPlaceholderNameLintTest {
  @TempDir Path dir;

  private List<Finding> blocking(DatabaseKind kind, String v2) throws Exception {
    Path v1 =
        Files.writeString(
            dir.resolve("V1__init.sql"),
            "CREATE TABLE users (id INT PRIMARY KEY, name TEXT);\n",
            StandardCharsets.UTF_8);
    Path f = Files.writeString(dir.resolve("V2__x.sql"), v2, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            "version: 1\nprotected-tables:\n  users: {}\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(List.of(v1, f), c, true).blocking().stream()
            .filter(x -> x.file().endsWith("V2__x.sql"))
            .toList();
  }

  @ParameterizedTest(name = "G4 PostgreSQL: {0}")
  @ValueSource(
      strings = {
        "delete from \"${flyway:database}\" where id > 0;",
        "delete from public.\"${flyway:user}\" where id > 0;",
        "delete from \"${flyway:defaultSchema}\" where id > 0;",
        "update \"${flyway:environment}\" set name = 'x' where id > 0;",
        "delete from ${flyway:defaultSchema}.\"use${flyway:filename}\" where id > 0;",
        "do $$ begin delete from \"${flyway:database}\" where id > 0; exception when"
            + " undefined_table then null; end $$;",
        "do $$ begin execute 'delete from \"${flyway:database}\" where id > 0'; end $$;",
        "insert into \"${flyway:user}\" select * from users;",
      })
  void postgresqlQuotedPlaceholderNameIsUnknown(String v2) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, v2)).as(v2).isNotEmpty();
  }

  @ParameterizedTest(name = "G4 MariaDB: {0}")
  @ValueSource(
      strings = {
        "DELETE FROM `${flyway:database}` WHERE id > 0;",
        "UPDATE `${flyway:user}` SET name = 'x' WHERE id > 0;",
        "DELETE FROM `${flyway:defaultSchema}`.`${flyway:environment}` WHERE id > 0;",
      })
  void mariadbQuotedPlaceholderNameIsUnknown(String v2) throws Exception {
    assertThat(blocking(DatabaseKind.MARIADB, v2)).as(v2).isNotEmpty();
  }
}
