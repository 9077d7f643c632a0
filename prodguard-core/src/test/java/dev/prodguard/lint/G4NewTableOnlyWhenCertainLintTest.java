package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G4 (attack 13, F1): a table counts as made by the migration (so writing it writes no production
 * row) only when a plain {@code CREATE TABLE} that is a statement of the file itself certainly ran
 * before the write, under the name and in the schema the write resolves to. A creation in a DO
 * block, a branch that never runs, a routine never called, a compound block, a dynamic string, on a
 * moved search path, with IF NOT EXISTS, or undone by a drop or rename made the protected table's
 * later writes pass.
 */
@DisplayName("G4: only a table a migration certainly made is new; every other write is judged")
class G4NewTableOnlyWhenCertainLintTest {
  @TempDir Path dir;

  private static final String V1 =
      "CREATE TABLE users (id INT PRIMARY KEY, name TEXT);\n"
          + "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT);\n";

  /** The protected-table-write findings on the last line of V2 (the write). */
  private List<Finding> lastLineWrites(DatabaseKind kind, String... v2Files) throws Exception {
    List<Path> files = new ArrayList<>();
    files.add(Files.writeString(dir.resolve("V1__init.sql"), V1, StandardCharsets.UTF_8));
    for (int i = 0; i < v2Files.length; i++) {
      files.add(
          Files.writeString(
              dir.resolve("V" + (i + 2) + "__x.sql"), v2Files[i], StandardCharsets.UTF_8));
    }
    String last = v2Files[v2Files.length - 1];
    int lastLine = last.strip().split("\n", -1).length;
    String lastName = "V" + (v2Files.length + 1) + "__x.sql";
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            "version: 1\nprotected-tables:\n  users: {}\n  audit: {}\n"
                .getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(files, c, true).blocking().stream()
            .filter(x -> x.file().endsWith(lastName))
            .filter(x -> x.rule().equals("protected-table-write"))
            .filter(x -> x.line() == lastLine)
            .toList();
  }

  @ParameterizedTest(name = "G4 PostgreSQL: {0}")
  @ValueSource(
      strings = {
        "do $$ begin if false then create table users(id int); end if; end $$;\n"
            + "delete from users where id > 0;",
        "do $$ begin if to_regclass('users') is null then create table users(id int); end if;"
            + " end $$;\ndelete from users where id > 0;",
        "do $$ begin create table users(id int); exception when duplicate_table then null; end"
            + " $$;\nupdate users set name = 'x' where id > 0;",
        "do $$ begin execute 'create table users(id int)'; exception when others then null; end"
            + " $$;\nupdate users set name = 'x' where id > 0;",
        "create function never_called() returns void language plpgsql as $$ begin create table"
            + " users(id int); end $$;\nupdate users set name = 'x' where id > 0;",
        "create procedure never_called() language sql begin atomic create table users(id int);"
            + " end;\nupdate users set name = 'x' where id > 0;",
        "create schema scratch;\nset search_path = scratch;\ncreate table users(id int);\n"
            + "set search_path = public;\nupdate users set name = 'x' where id > 0;",
        "create schema scratch;\nselect set_config('search_path', 'scratch', false);\n"
            + "create table users(id int);\nselect set_config('search_path', 'public', false);\n"
            + "update users set name = 'x' where id > 0;",
        "create table if not exists users(id int);\ndelete from users where id > 0;",
        "create table scratch.users(id int);\ndelete from users where id > 0;",
        "create table users(id int);\ndrop table users;\ndelete from users where id > 0;",
        "create table users(id int);\nalter table users rename to users_old;\n"
            + "delete from users where id > 0;",
        "do $$ begin if false then create table users(id int); end if; end $$;\n"
            + "create function notes_sync() returns trigger language plpgsql as $$\n"
            + "begin delete from users where id > 0; return new; end $$;\n"
            + "create trigger notes_sync after update on notes for each row execute function"
            + " notes_sync();\nupdate notes set body = body where id = 1;",
      })
  void postgresqlCreationThatMayNotHaveMadeTheTableIsNoNewTable(String v2) throws Exception {
    assertThat(lastLineWrites(DatabaseKind.POSTGRESQL, v2)).as(v2).isNotEmpty();
  }

  @ParameterizedTest(name = "G4 MariaDB: {0}")
  @ValueSource(
      strings = {
        "DELIMITER //\nBEGIN NOT ATOMIC\n  IF FALSE THEN\n    CREATE TABLE users (id int);\n"
            + "  END IF;\nEND//\nDELIMITER ;\nUPDATE users SET name = 'x' WHERE id > 0;",
        "CREATE PROCEDURE never_called() CREATE TABLE users (id int);\n"
            + "UPDATE users SET name = 'x' WHERE id > 0;",
        "CREATE TABLE IF NOT EXISTS users (id int);\nDELETE FROM users WHERE id > 1;",
        "USE scratch;\nCREATE TABLE users (id int);\nUSE prod;\n"
            + "DELETE FROM users WHERE id > 1;",
      })
  void mariadbCreationThatMayNotHaveMadeTheTableIsNoNewTable(String v2) throws Exception {
    assertThat(lastLineWrites(DatabaseKind.MARIADB, v2)).as(v2).isNotEmpty();
  }

  @Test
  @DisplayName("G4: a table made in one migration is not new in the next (it may hold rows)")
  void newTableDoesNotCarryAcrossFiles() throws Exception {
    assertThat(
            lastLineWrites(
                DatabaseKind.POSTGRESQL,
                "create table audit(id int);\n",
                "delete from audit where id > 0;"))
        .isNotEmpty();
  }

  @Test
  @DisplayName("G4: a plain top-level CREATE TABLE still makes a new table its file may fill")
  void certainCreationStillNew() throws Exception {
    assertThat(
            lastLineWrites(
                DatabaseKind.POSTGRESQL,
                "create table audit(id int);\ninsert into audit values (1);\n"
                    + "delete from audit where id > 0;"))
        .isEmpty();
    assertThat(
            lastLineWrites(
                DatabaseKind.POSTGRESQL,
                "select pg_catalog.set_config('search_path', '', false);\n"
                    + "create table public.audit(id int);\ninsert into public.audit values (1);\n"
                    + "delete from public.audit where id > 0;"))
        .isEmpty();
    assertThat(
            lastLineWrites(
                DatabaseKind.MARIADB,
                "CREATE TABLE audit (id int);\nINSERT INTO audit VALUES (1);\n"
                    + "DELETE FROM audit WHERE id > 0;"))
        .isEmpty();
  }
}
