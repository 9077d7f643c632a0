package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G4 (attackers 08 and 09): a routine whose loop header runs the write. PostgreSQL: {@code FOR r IN
 * DELETE FROM users RETURNING * LOOP}, whose query the analyser skipped as a loop header; MariaDB
 * 10.3+: {@code FOR i IN 1..3 DO DELETE ...; END FOR}, whose {@code END FOR} the splitter did not
 * know, so the body was cut (with Flyway's {@code DELIMITER}, the loop's statements were skipped:
 * nothing found; without it, the cut body was refused as a stray {@code END}). The routine is
 * created, not called, so nothing runs the write during verify's trace: only the analysis can see
 * it. verify refuses before anything is deployed.
 */
@DisplayName("G4 writes of a protected table hidden in a routine body's loop")
class G4BodyStatementsIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: verify refuses a routine whose loop writes a protected table")
  void loopWritesProtected(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration(
          "V2__users.sql",
          "CREATE TABLE users (id INT PRIMARY KEY, balance INT NOT NULL DEFAULT 0);\n"
              + "INSERT INTO users VALUES (1, 0);\n");
      f.pipeline().promote("prod");
      Files.writeString(
          dir.resolve("prodguard-contract.yml"), "version: 1\nprotected-tables: { users: {} }\n");
      f.migration(
          "V3__drain.sql",
          kind == DatabaseKind.POSTGRESQL
              ? "CREATE FUNCTION drain() RETURNS int LANGUAGE plpgsql AS $$ DECLARE r record;"
                  + " n int := 0; BEGIN FOR r IN DELETE FROM users RETURNING * LOOP n := n + 1;"
                  + " END LOOP; RETURN n; END $$;\n"
              : "DELIMITER //\nCREATE PROCEDURE drain() BEGIN FOR i IN 1..3 DO DELETE FROM users"
                  + " WHERE id = i; END FOR; END //\nDELIMITER ;\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("V3__drain.sql", "protected-table-write", "users");
      assertThat(f.query("SELECT count(*) FROM users")).contains("1");
    }
  }
}
