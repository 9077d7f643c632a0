package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4 (attack 13, F1) on real servers: a CREATE TABLE named like a protected table that never ran
 * (an untaken branch of a DO block, MariaDB's BEGIN NOT ATOMIC) made lint take the protected table
 * as new in the file, so the file's later DELETE and UPDATE of it passed and promote emptied it.
 * Verify must refuse, and the protected table keeps its rows.
 */
@DisplayName("G4: a CREATE TABLE that may not have run does not make a protected table new")
class G4NewTableOnlyWhenCertainIT {
  @TempDir Path dir;

  private static void assertRefused(PipelineFixture f, String file) {
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
    assertThat(r).as("verify must refuse " + file).isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
    assertThat(r.why()).contains(file, "protected-table-write", "users");
    assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
  }

  @Test
  @DisplayName("G4 PostgreSQL: a table made only in a DO block's untaken branch is not new")
  void postgresqlUntakenBranchDoesNotMakeTableNew() throws Exception {
    try (PipelineFixture f = PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "")) {
      f.migration(
          "V3__sync.sql",
          "do $$ begin if false then create table users(id int); end if; end $$;\n"
              + "create table notes (id int primary key, body text);\n"
              + "create function notes_sync() returns trigger language plpgsql as $$\n"
              + "begin delete from users where id > 0; return new; end $$;\n"
              + "create trigger notes_sync after update on notes for each row"
              + " execute function notes_sync();\n"
              + "insert into notes values (1, 'x');\n"
              + "update notes set body = body where id = 1;\n"
              + "delete from users where id > 0;\n");

      assertRefused(f, "V3__sync.sql");
    }
  }

  @Test
  @DisplayName("G4 MariaDB: a table made only in BEGIN NOT ATOMIC ... IF FALSE is not new")
  void mariadbUntakenBranchDoesNotMakeTableNew() throws Exception {
    try (PipelineFixture f = PipelineFixture.protectedUsers(DatabaseKind.MARIADB, dir, "")) {
      f.migration(
          "V3__sync.sql",
          "DELIMITER //\nBEGIN NOT ATOMIC\n  IF FALSE THEN\n    CREATE TABLE users (id int);\n"
              + "  END IF;\nEND//\nDELIMITER ;\n"
              + "UPDATE users SET account_id = 0 WHERE id > 0;\n"
              + "DELETE FROM users WHERE id > 1;\n");

      assertRefused(f, "V3__sync.sql");
    }
  }

  @Test
  @DisplayName("G4 PostgreSQL: a routine's CREATE TABLE or one on a moved search path is not new")
  void postgresqlRoutineOrMovedSearchPathDoesNotMakeTableNew() throws Exception {
    try (PipelineFixture f = PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "")) {
      f.migration(
          "V3__scratch.sql",
          "create function never_called() returns void language plpgsql as $$ begin create table"
              + " users(id int); end $$;\n"
              + "create schema scratch;\nset search_path = scratch;\n"
              + "create table users(id int);\nset search_path = public;\n"
              + "delete from users where id > 0;\n");

      assertRefused(f, "V3__scratch.sql");
    }
  }
}
