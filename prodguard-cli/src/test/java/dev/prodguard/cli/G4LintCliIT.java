package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.flyway.CallbackFile;
import dev.prodguard.support.DatabaseSupport;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

@DisplayName("G4: prodguard lint, end to end through the shaded jar")
class G4LintCliIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path repo;
  Path migrations;

  @BeforeEach
  void setUp() throws Exception {
    migrations = Files.createDirectories(repo.resolve("db/migration"));
    write(
        "prodguard.yml",
        """
        environments:
          dev:
            url: jdbc:postgresql://127.0.0.1:5432/dev
          prod:
            url: ${PROD_DATABASE_URL}
            protected: true
            database: postgresql
        migrations:
          locations: [db/migration]
        """);
    write(
        "prodguard-contract.yml",
        """
        version: 1
        protected-tables:
          users: { writable-columns: [last_login_at] }
        exceptions:
          - { migration: V2, rule: drop-column, reason: "legacy_ref unused since V1 (expand/contract)" }
        """);
    write("db/migration/V1__init.sql", "CREATE TABLE orders (id bigint, legacy_ref text);\n");
    write(
        "db/migration/V2__contract.sql",
        "-- reviewed in the contract\nALTER TABLE orders DROP COLUMN legacy_ref;\n");
  }

  Path write(String name, String text) throws Exception {
    Path p = repo.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  void breakIt() throws Exception {
    write("db/migration/V3__oops.sql", "SELECT 1;\n\nDELETE FROM orders;\n");
  }

  @Test
  @DisplayName(
      "G6: a callback Flyway runs on every migrate that rewrites or locks a table (CLUSTER, VACUUM"
          + " FULL, REINDEX, LOCK TABLE) is an every-migrate-callback-write error, as a write is:"
          + " it runs at every application start (attacker 20/10); plain VACUUM and ANALYZE are"
          + " not")
  void everyMigrateCallbackRewriteIsAnError() throws Exception {
    for (String sql :
        new String[] {
          "CLUSTER orders USING orders_pkey;",
          "VACUUM FULL orders;",
          "REINDEX TABLE orders;",
          "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;"
        }) {
      write("db/migration/afterMigrate__maintenance.sql", sql + "\n");
      Cli.Result r = Cli.run(repo, "lint");
      assertThat(r.exit()).as(sql + "\n" + r).isEqualTo(1);
      assertThat(r.out()).as(sql).contains("[every-migrate-callback-write]");
    }
    write("db/migration/afterMigrate__maintenance.sql", "VACUUM orders;\nANALYZE orders;\n");
    Cli.Result quiet = Cli.run(repo, "lint");
    assertThat(quiet.out()).doesNotContain("every-migrate-callback-write");
  }

  @Test
  @DisplayName(
      "G10: the history table migrations.table names is one of prodguard's objects: a migration"
          + " that forges a row in it is a prodguard-objects error (attacker"
          + " 20/03)")
  void configuredHistoryTableIsReserved() throws Exception {
    write(
        "prodguard.yml",
        Files.readString(repo.resolve("prodguard.yml"))
            .replace(
                "  locations: [db/migration]",
                "  locations: [db/migration]\n  table: shop_schema_history"));
    write(
        "db/migration/V3__seed.sql",
        "INSERT INTO shop_schema_history (installed_rank, version, script, success)"
            + " VALUES (100, '4', 'V4__check.sql', true);\n");
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains("V3__seed.sql:1:1: error [prodguard-objects]")
        .contains("shop_schema_history, one of prodguard's own objects");
    // named in dynamic SQL too
    write(
        "db/migration/V3__seed.sql",
        "DO $$ BEGIN EXECUTE 'update SHOP_SCHEMA_HISTORY set checksum = 1'; END $$;\n");
    Cli.Result dynamic = Cli.run(repo, "lint");
    assertThat(dynamic.exit()).as(dynamic.toString()).isEqualTo(1);
    assertThat(dynamic.out()).contains("[prodguard-objects]");
  }

  @Test
  @DisplayName(
      "G4: lint judges Flyway's callbacks (afterMigrate.sql runs on every migrate) but not"
          + " prodguard's own beforeEachMigrate.sql, exactly as init-fingerprint writes it")
  void callbacks() throws Exception {
    write(
        "db/migration/" + CallbackFile.NAME,
        CallbackFile.expected(DatabaseSupport.of(DatabaseKind.POSTGRESQL)));
    Cli.Result own = Cli.run(repo, "lint");
    assertThat(own.exit()).as(own.toString()).isEqualTo(0);
    assertThat(own.out()).contains("in 2 files");

    write("db/migration/afterMigrate.sql", "DROP TABLE orders;\n");
    Cli.Result attack = Cli.run(repo, "lint");
    assertThat(attack.exit()).as(attack.toString()).isEqualTo(1);
    assertThat(attack.out()).contains("db/migration/afterMigrate.sql:1:1: error [drop-table]");
  }

  @Test
  @DisplayName("G4: lint passes (exit 0) when every finding is covered by the contract")
  void cleanRunExitsZero() throws Exception {
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out())
        .contains("covered error [drop-column]")
        .contains("legacy_ref unused since V1")
        .contains("ok: 0 errors");
  }

  @Test
  @DisplayName("G4: the contract check fails when a migration breaks it (exit 1, file:line)")
  void brokenContractExitsOne() throws Exception {
    breakIt();
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains("db/migration/V3__oops.sql:3:1: error [delete-without-where]")
        .contains("fix: ")
        .contains("FAILED: 1 error");
  }

  @Test
  @DisplayName("G4: --env of a non-protected environment reports warnings and exits 0")
  void nonProtectedEnv() throws Exception {
    breakIt();
    Cli.Result r = Cli.run(repo, "lint", "--env", "dev");
    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).contains("warning [delete-without-where]");
    assertThat(Cli.run(repo, "lint", "--env", "prod").exit()).isEqualTo(1);
  }

  @Test
  @DisplayName("G4: unknown statements fail closed (exit 1)")
  void unknownFailsClosed() throws Exception {
    write("db/migration/V3__magic.sql", "SUMMON DRAGON orders;\n");
    Cli.Result r = Cli.run(repo, "lint", "db/migration/V3__magic.sql");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("[unknown-statement]");
  }

  @Test
  @DisplayName("G4: --format json carries every finding field and the contract hash")
  void json() throws Exception {
    breakIt();
    Cli.Result r = Cli.run(repo, "lint", "--format", "json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("ok").asBoolean()).isFalse();
    assertThat(j.get("contract_sha256").asText()).hasSize(64);
    assertThat(j.get("files")).hasSize(3);
    JsonNode f = j.get("findings").get(1);
    assertThat(f.get("rule").asText()).isEqualTo("delete-without-where");
    assertThat(f.get("severity").asText()).isEqualTo("error");
    assertThat(f.get("file").asText()).isEqualTo("db/migration/V3__oops.sql");
    assertThat(f.get("migration").asText()).isEqualTo("V3");
    assertThat(f.get("line").asInt()).isEqualTo(3);
    assertThat(f.get("column").asInt()).isEqualTo(1);
    assertThat(f.get("excerpt").asText()).isEqualTo("DELETE FROM orders");
    assertThat(f.get("recipe").asText()).isNotBlank();
    assertThat(f.get("covered").asBoolean()).isFalse();
    assertThat(j.get("findings").get(0).get("covered").asBoolean()).isTrue();
  }

  @Test
  @DisplayName("G4: --format sarif validates against the SARIF 2.1.0 schema")
  void sarif() throws Exception {
    breakIt();
    Cli.Result r = Cli.run(repo, "lint", "--format", "sarif");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    JsonSchema schema;
    try (InputStream in = getClass().getResourceAsStream("/sarif-schema-2.1.0.json")) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
    JsonNode log = JSON.readTree(r.out());
    Set<ValidationMessage> errors = schema.validate(log);
    assertThat(errors).as(r.out()).isEmpty();
    JsonNode results = log.get("runs").get(0).get("results");
    assertThat(results).hasSize(2);
    assertThat(results.get(0).get("suppressions").get(0).get("kind").asText())
        .isEqualTo("external");
    JsonNode loc = results.get(1).get("locations").get(0).get("physicalLocation");
    assertThat(loc.get("artifactLocation").get("uri").asText())
        .isEqualTo("db/migration/V3__oops.sql");
    assertThat(loc.get("region").get("startLine").asInt()).isEqualTo(3);
    // a schema that really validates: a broken log is rejected
    ((com.fasterxml.jackson.databind.node.ObjectNode) log).put("version", "9.9");
    assertThat(schema.validate(log)).isNotEmpty();
  }

  @Test
  @DisplayName("G4: --format junit is well-formed XML with one failure per error")
  void junit() throws Exception {
    breakIt();
    write("db/migration/V4__x.sql", "DROP TABLE a; DROP TABLE b \"&<>\";\n");
    Cli.Result r = Cli.run(repo, "lint", "--format", "junit");
    assertThat(r.exit()).isEqualTo(1);
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("testsuites");
    assertThat(doc.getElementsByTagName("failure").getLength()).isEqualTo(3);
    assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(5);
  }

  @Test
  @DisplayName("G4: --changed-since lints only migrations added or changed since a git revision")
  void changedSince() throws Exception {
    write("db/migration/V3__old_but_bad.sql", "TRUNCATE orders;\n");
    Cli.git(repo, "init", "-q");
    Cli.git(repo, "add", "-A");
    Cli.git(repo, "commit", "-q", "-m", "base");
    write("db/migration/V4__new.sql", "UPDATE orders SET id = 1;\n");
    Cli.Result r = Cli.run(repo, "lint", "--changed-since", "HEAD", "--format", "json");
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("files")).hasSize(1);
    assertThat(j.get("files").get(0).asText()).isEqualTo("db/migration/V4__new.sql");
    assertThat(j.get("findings").get(0).get("rule").asText()).isEqualTo("update-without-where");
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "G4: --changed-since learns the schema of the unchanged earlier migrations without reporting"
          + " them: a MariaDB ENUM append or a CHANGE to the same definition is judged as in a full"
          + " lint (hux23 F1, F2)")
  void changedSinceLearnsEarlierSchema() throws Exception {
    write(
        "db/migration/V3__job.sql",
        "CREATE TABLE job (id BIGINT PRIMARY KEY, state ENUM('a','b') NOT NULL);\n"
            + "TRUNCATE orders;\n");
    Cli.git(repo, "init", "-q");
    Cli.git(repo, "add", "-A");
    Cli.git(repo, "commit", "-q", "-m", "base");
    write(
        "db/migration/V4__append.sql",
        "ALTER TABLE job MODIFY COLUMN state ENUM('a','b','c') NOT NULL;\n");
    write(
        "db/migration/V5__rename.sql",
        "ALTER TABLE job CHANGE state status ENUM('a','b','c') NOT NULL;\n");
    Cli.Result changed =
        Cli.run(
            repo, "lint", "--dialect", "mariadb", "--changed-since", "HEAD", "--format", "json");
    JsonNode j = JSON.readTree(changed.out());
    assertThat(j.get("files")).as(changed.out()).hasSize(2);
    assertThat(changed.out()).doesNotContain("alter-column-type").doesNotContain("truncate");
    Cli.Result full =
        Cli.run(
            repo,
            "lint",
            "--dialect",
            "mariadb",
            "db/migration/V3__job.sql",
            "db/migration/V4__append.sql",
            "db/migration/V5__rename.sql");
    assertThat(full.out()).as(full.toString()).doesNotContain("alter-column-type");
    assertThat(full.out()).contains("[truncate]"); // the full lint does judge V3
  }

  @Test
  @DisplayName("G4: an exception that matches nothing fails lint (exit 1)")
  void unusedException() throws Exception {
    write("db/migration/V2__contract.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("prodguard-contract.yml:5:1:").contains("covers no finding");
  }

  @Test
  @DisplayName("G4: a contract exception without a reason is a configuration error (exit 2)")
  void exceptionWithoutReason() throws Exception {
    write(
        "prodguard-contract.yml",
        "version: 1\nexceptions:\n  - { migration: V2, rule: drop-column }\n");
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("prodguard-contract.yml:3").contains("exceptions[0].reason");
  }

  @Test
  @DisplayName("G4: MySQL procedures with DELIMITER are analysed (--dialect mariadb)")
  void mysql() throws Exception {
    write(
        "db/migration/V3__proc.sql",
        """
        DELIMITER //
        CREATE PROCEDURE purge() BEGIN
          DELETE FROM sessions;
        END //
        DELIMITER ;
        """);
    Cli.Result r = Cli.run(repo, "lint", "--dialect", "mariadb", "db/migration/V3__proc.sql");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("V3__proc.sql:3:3: error [delete-without-where]");
  }

  @Test
  @DisplayName(
      "G4: a write in a PL/pgSQL loop header or a MariaDB FOR ... END FOR body is found (exit 1)")
  void bodyLoops() throws Exception {
    write(
        "db/migration/V3__drain.sql",
        """
        CREATE FUNCTION drain() RETURNS int LANGUAGE plpgsql AS $$
        DECLARE r record;
        BEGIN
          FOR r IN DELETE FROM users RETURNING * LOOP
          END LOOP;
          RETURN 1;
        END $$;
        """);
    Cli.Result r = Cli.run(repo, "lint", "db/migration/V3__drain.sql");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("V3__drain.sql:4:12: error [protected-table-write]");

    write(
        "db/migration/V3__drain.sql",
        """
        DELIMITER //
        CREATE PROCEDURE drain() BEGIN
          FOR i IN 1..3 DO
            DELETE FROM users WHERE id = i;
          END FOR;
        END //
        DELIMITER ;
        """);
    r = Cli.run(repo, "lint", "--dialect", "mariadb", "db/migration/V3__drain.sql");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("V3__drain.sql:4:5: error [protected-table-write]");
  }

  // ---- issue 12: the analyser reads what the server will run -------------------------------

  /** The environment of a shell without CI and without any database URL, plus {@code extra}. */
  static Map<String, String> shell(String... extra) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < extra.length; i += 2) {
      env.put(extra[i], extra[i + 1]);
    }
    return env;
  }

  /** A configuration any prodguard version reads: one environment with a literal URL. */
  void literalPostgresConfig() throws Exception {
    write(
        "prodguard.yml",
        """
        environments:
          dev:
            url: jdbc:postgresql://127.0.0.1:5432/dev
        migrations:
          locations: [db/migration]
        """);
  }

  @Test
  @DisplayName("G4: a DROP behind a -- comment ended by a bare CR is found (exit 1)")
  void carriageReturnComment() throws Exception {
    literalPostgresConfig();
    write("db/migration/V3__tidy.sql", "-- tidy up\rDROP TABLE orders;\n");
    Cli.Result r = Cli.run(repo, shell(), "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("db/migration/V3__tidy.sql:2:1: error [drop-table]");
  }

  @Test
  @DisplayName("G4: lint and Flyway disagreeing on a statement is refused (exit 1)")
  void flywayDisagrees() throws Exception {
    literalPostgresConfig();
    write("db/migration/V3__prepare.sql", "PREPARE q(int) AS SELECT $1;\nSELECT 2;\n");
    Cli.Result r = Cli.run(repo, shell(), "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains("db/migration/V3__prepare.sql:1:1: error [unknown-statement]")
        .contains("the migration tool and the server's rules disagree on statement 1");
  }

  @Test
  @DisplayName("G4: lint --env prod judges by the server of the resolved PROD_DATABASE_URL")
  void dialectFromResolvedUrl() throws Exception {
    write(
        "prodguard.yml",
        """
        environments:
          prod:
            url: ${PROD_DATABASE_URL}
            protected: true
        migrations:
          locations: [db/migration]
        """);
    // MariaDB comments do not nest: the DROP is code there, inside a comment on PostgreSQL
    write("db/migration/V3__tidy.sql", "/* /* */ DROP TABLE orders; */\n");
    Cli.Result r =
        Cli.run(
            repo,
            shell("PROD_DATABASE_URL", "jdbc:mariadb://db.prod.internal:3306/shop"),
            "lint",
            "--env",
            "prod");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains("db/migration/V3__tidy.sql:1:10: error [drop-table]")
        .contains("MySQL/MariaDB, for 'prod' (protected)");
  }

  @Test
  @DisplayName("G4: when nothing tells which server an environment runs, lint refuses (exit 2)")
  void dialectUnknown() throws Exception {
    write(
        "prodguard.yml",
        """
        environments:
          prod:
            url: ${PROD_DATABASE_URL}
            protected: true
        """);
    Cli.Result r = Cli.run(repo, shell(), "lint", "--env", "prod", "db/migration");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .contains("PROD_DATABASE_URL is not set here")
        .contains("add 'database: postgresql' or 'database: mariadb' to environments.prod");
    assertThat(Cli.run(repo, shell(), "lint", "db/migration").exit()).isEqualTo(2);
  }

  @Test
  @DisplayName("G4: a database: key that contradicts the resolved URL is a configuration error")
  void databaseKeyContradictsUrl() throws Exception {
    Cli.Result r =
        Cli.run(
            repo,
            shell("PROD_DATABASE_URL", "jdbc:mariadb://db.prod.internal:3306/shop"),
            "lint",
            "--env",
            "prod");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("says database: postgresql", "leads to MySQL/MariaDB");
  }

  @Test
  @DisplayName("G4: environments on different servers, or --dialect against --env, exit 2")
  void serversDisagree() throws Exception {
    write(
        "prodguard.yml",
        """
        environments:
          dev:
            url: jdbc:postgresql://127.0.0.1:5432/dev
          prod:
            url: ${PROD_DATABASE_URL}
            database: mariadb
        """);
    Cli.Result all = Cli.run(repo, shell(), "lint", "db/migration");
    assertThat(all.exit()).as(all.toString()).isEqualTo(2);
    assertThat(all.err()).contains("dev: PostgreSQL, prod: MySQL/MariaDB", "--env ENV");
    Cli.Result against =
        Cli.run(repo, shell(), "lint", "--env", "prod", "--dialect", "postgresql", "db/migration");
    assertThat(against.exit()).as(against.toString()).isEqualTo(2);
    assertThat(against.err()).contains("--dialect postgresql contradicts environment 'prod'");
  }

  /**
   * prodguard.yml names {@code contracts/prod.yml}, which protects {@code users}; V2 writes it.
   * Under the default rules V2 passes, so falling back to them would let it through.
   */
  void nameUnreadableContract(String how) throws Exception {
    write(
        "prodguard.yml",
        """
        environments:
          prod:
            url: ${PROD_DATABASE_URL}
            database: postgresql
            protected: true
        migrations:
          locations: [db/migration]
        contract: contracts/prod.yml
        """);
    Files.delete(repo.resolve("db/migration/V2__contract.sql"));
    write("db/migration/V2__users.sql", "UPDATE users SET email = 'x' WHERE id = 1;\n");
    Path contracts = Files.createDirectories(repo.resolve("contracts"));
    Path named = contracts.resolve("prod.yml");
    switch (how) {
      case "missing" -> {}
      case "directory" -> Files.createDirectories(named);
      case "symlink-loop" -> Files.createSymbolicLink(named, named.getFileName());
      case "dangling-symlink" -> Files.createSymbolicLink(named, contracts.resolve("gone.yml"));
      default -> throw new AssertionError(how);
    }
  }

  @ParameterizedTest(
      name =
          "G4: lint refuses (exit 2, naming the file) a contract prodguard.yml names but cannot"
              + " be read: {0}")
  @ValueSource(strings = {"missing", "directory", "symlink-loop", "dangling-symlink"})
  void namedContractUnreadable(String how) throws Exception {
    nameUnreadableContract(how);
    for (String[] args :
        new String[][] {{"lint"}, {"lint", "--env", "prod"}, {"lint", "db/migration"}}) {
      Cli.Result r = Cli.run(repo, args);
      assertThat(r.exit()).as(how + " " + String.join(" ", args) + ": " + r).isEqualTo(2);
      assertThat(r.err()).contains("configuration error").contains("prod.yml");
      assertThat(r.all()).doesNotContain("applying the default forbidden rules");
    }
  }

  @Test
  @DisplayName(
      "G4: the contract is read when prodguard.yml names it: its protected tables refuse the"
          + " write the defaults would let through")
  void namedContractIsApplied() throws Exception {
    nameUnreadableContract("missing");
    write(
        "contracts/prod.yml",
        "version: 1\nprotected-tables:\n  users: { writable-columns: [last_login_at] }\n");
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("[protected-table-write]");
  }

  @Test
  @DisplayName(
      "G4: only when prodguard.yml names no contract and the default file is absent do the"
          + " defaults apply; a default file that is a dangling link is an error")
  void defaultsOnlyWhenAbsent() throws Exception {
    Files.delete(repo.resolve("prodguard-contract.yml"));
    Files.delete(repo.resolve("db/migration/V2__contract.sql"));
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.err()).contains("applying the default forbidden rules");
    Files.createSymbolicLink(repo.resolve("prodguard-contract.yml"), repo.resolve("gone.yml"));
    Cli.Result linked = Cli.run(repo, "lint");
    assertThat(linked.exit()).as(linked.toString()).isEqualTo(2);
    assertThat(linked.err()).contains("prodguard-contract.yml").contains("symbolic link");
  }

  @Test
  @DisplayName(
      "G4: lint without paths judges only migrations after the contract's baseline; a baseline"
          + " that names no migration is a configuration error (exit 2, file:line)")
  void baseline() throws Exception {
    write(
        "db/migration/V2__contract.sql",
        "UPDATE orders SET legacy_ref = NULL;\nALTER TABLE orders DROP COLUMN legacy_ref;\n");
    write("prodguard-contract.yml", "version: 1\n");
    assertThat(Cli.run(repo, "lint").exit()).isEqualTo(1);

    pin("version: 1\nbaseline: { version: \"2\", reason: \"ran in production\" }\n");
    Cli.Result clean = Cli.run(repo, "lint");
    assertThat(clean.exit()).as(clean.toString()).isZero();
    assertThat(clean.out())
        .contains("ok: 0 errors, 0 warnings in 0 files")
        .contains("history up to the contract's baseline V2 (2 files) not judged");

    breakIt();
    Cli.Result after = Cli.run(repo, "lint");
    assertThat(after.exit()).as(after.toString()).isEqualTo(1);
    assertThat(after.out())
        .contains("db/migration/V3__oops.sql:3:1: error [delete-without-where]")
        .doesNotContain("V2__contract.sql");

    write(
        "prodguard-contract.yml",
        "version: 1\nbaseline: { version: \"9\", reason: \"everything\" }\n");
    Cli.Result bad = Cli.run(repo, "lint");
    assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains("prodguard-contract.yml:2", "V9", "not a migration");
  }

  @Test
  @DisplayName(
      "G4: lint counts the history files that would fail as written on a new environment (a"
          + " MariaDB '--comment' without a space), though history is not judged")
  void historyThatWouldFailIsCounted() throws Exception {
    write(
        "prodguard.yml",
        """
        environments:
          prod:
            url: ${PROD_DATABASE_URL}
            protected: true
            database: mariadb
        """);
    write(
        "db/migration/V5__tickets.sql",
        "CREATE TABLE tickets (id INT PRIMARY KEY, price INT);\n"
            + "--set the default price\n"
            + "UPDATE tickets SET price = 0;\n");
    write("db/migration/V6__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
    pin("version: 1\nbaseline: { version: \"6\", reason: \"ran in production\" }\n");
    Cli.Result r = Cli.run(repo, "lint");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("history up to the contract's baseline V6 (")
        .contains(
            " not judged; 1 of them would fail as written on a new environment:"
                + " db/migration/V5__tickets.sql:2 [unknown-statement]");
  }

  /**
   * Writes the contract with its baseline pinned, as a reviewer does, to the digest lint names for
   * the history as it is now.
   */
  void pin(String yaml) throws Exception {
    write("prodguard-contract.yml", yaml);
    Cli.Result r = Cli.run(repo, "lint");
    write(
        "prodguard-contract.yml",
        yaml.replaceFirst(
            "(baseline: \\{[^}]*)\\}", "$1, sha256: \"" + namedDigest(r.err()) + "\" }"));
  }

  /** The digest a baseline refusal names, from "sha256: \"<64 hex>\"". */
  static String namedDigest(String text) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("sha256: \"([0-9a-f]{64})\"").matcher(text);
    assertThat(m.find()).as("the refusal names the digest to write: " + text).isTrue();
    return m.group(1);
  }

  @Test
  @DisplayName(
      "G4: the contract's baseline is pinned to the reviewed history (baseline.sha256): without"
          + " it lint refuses naming the digest; a history file edited, added or its script"
          + " configuration changed after review is refused (exit 1) instead of passing unjudged")
  void baselinePinnedToReviewedHistory() throws Exception {
    write("db/migration/V2__contract.sql", "UPDATE orders SET legacy_ref = NULL;\n");
    String unpinned = "version: 1\nbaseline: { version: \"2\", reason: \"ran in production\" }\n";
    write("prodguard-contract.yml", unpinned);
    Cli.Result missing = Cli.run(repo, "lint");
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
    assertThat(missing.err()).contains("G4", "baseline", "sha256");
    String digest = namedDigest(missing.err());

    String pinned =
        "version: 1\nbaseline: { version: \"2\", reason: \"ran in production\", sha256: \""
            + digest
            + "\" }\n";
    write("prodguard-contract.yml", pinned);
    Cli.Result clean = Cli.run(repo, "lint");
    assertThat(clean.exit()).as(clean.toString()).isZero();
    assertThat(clean.out()).contains("history up to the contract's baseline V2 (2 files)");

    // attack: after review, a history file is edited to purge the table; a new environment
    // would replay it unjudged
    write("db/migration/V2__contract.sql", "DELETE FROM orders;\n");
    Cli.Result edited = Cli.run(repo, "lint");
    assertThat(edited.exit()).as(edited.toString()).isEqualTo(1);
    assertThat(edited.err())
        .contains("G4", "history changed since", digest)
        .doesNotContain("DELETE FROM orders");
    String editedDigest = namedDigest(edited.err());
    assertThat(editedDigest).isNotEqualTo(digest);
    write("db/migration/V2__contract.sql", "UPDATE orders SET legacy_ref = NULL;\n");

    // attack: a file slipped in below the baseline
    write("db/migration/V1_5__sneak.sql", "DELETE FROM orders;\n");
    Cli.Result added = Cli.run(repo, "lint");
    assertThat(added.exit()).as(added.toString()).isEqualTo(1);
    assertThat(added.err()).contains("history changed since");
    Files.delete(migrations.resolve("V1_5__sneak.sql"));

    // attack: the script configuration of a history file changed (part of the migration set)
    write("db/migration/V2__contract.sql.conf", "executeInTransaction=false\n");
    Cli.Result conf = Cli.run(repo, "lint");
    assertThat(conf.exit()).as(conf.toString()).isEqualTo(1);
    assertThat(conf.err()).contains("history changed since");
    Files.delete(migrations.resolve("V2__contract.sql.conf"));

    assertThat(Cli.run(repo, "lint").exit()).isZero();
  }
}
