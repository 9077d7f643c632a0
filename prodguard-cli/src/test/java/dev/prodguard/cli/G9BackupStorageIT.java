package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G9 (issue 19, part 6, and the attacker's finding 8): a backup directory that cannot take the dump
 * (read-only, missing and not creatable, not a directory, full) is an expected condition, and one
 * that another local user can change (writable by group or others, or inside a folder anyone can
 * write without the sticky bit) is not used as is: they could swap the dump between backup and
 * deploy. Before the fix each ended as "unexpected failure" (exit 3) with a Java exception name and
 * no path. Now: a one-screen G9 refusal (exit 1) naming the path and what the file system said,
 * nothing recorded, no stack trace.
 *
 * <p>Read-only and full file systems are small tmpfs mounts the test makes (it runs as root, as the
 * test script does; without the right to mount it fails, saying so).
 */
@DisplayName(
    "G9: a backup directory that is read-only, missing, not a directory, full or not private is"
        + " refused")
class G9BackupStorageIT {
  @TempDir Path dir;
  @TempDir Path mounts;

  private final List<Path> mounted = new java.util.ArrayList<>();

  enum Storage {
    READ_ONLY("read-only file system", "read-only"),
    MISSING_ON_READ_ONLY("read-only file system", "read-only"),
    NOT_A_DIRECTORY("not a directory", "not a directory"),
    FULL("no space left on device", "no space left on device"),
    WRITABLE_BY_OTHERS("writable by every user (0777)", "other users can write to it (mode 0777)"),
    WRITABLE_BY_GROUP("writable by its group (0775)", "other users can write to it (mode 0775)"),
    PARENT_WRITABLE_BY_OTHERS(
        "inside a folder any user can write, without the sticky bit",
        "can be written by any user without the sticky bit");

    final String label;
    final String said;

    Storage(String label, String said) {
      this.label = label;
      this.said = said;
    }
  }

  @AfterEach
  void unmount() throws Exception {
    for (Path p : mounted) {
      sh("umount", p.toString());
    }
  }

  private Path tmpfs(String name, String options) throws Exception {
    Path p = mounts.resolve(name);
    Files.createDirectories(p);
    String out = sh("mount", "-t", "tmpfs", "-o", options, "tmpfs", p.toString());
    assertThat(Files.readString(Path.of("/proc/mounts")))
        .as(
            "this test mounts a small tmpfs (needs root, as scripts/test runs); mount said: %s",
            out)
        .contains(" " + p + " tmpfs ");
    mounted.add(p);
    return p;
  }

  private static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  /** The backup.directory for each case. */
  private Path directory(Storage s, DatabaseKind kind, TestDatabase db) throws Exception {
    return switch (s) {
      case READ_ONLY -> tmpfs("ro", "ro,size=64k,mode=0700");
      case MISSING_ON_READ_ONLY -> tmpfs("ro-parent", "ro,size=64k,mode=0700").resolve("backups");
      case NOT_A_DIRECTORY -> {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        yield file.resolve("backups");
      }
      case FULL -> {
        // 64 KiB fills with any real dump: give the database more than that
        db.execute(
            kind == DatabaseKind.POSTGRESQL
                ? "CREATE TABLE filler AS SELECT g AS id, md5(g::text) AS v FROM"
                    + " generate_series(1, 20000) g"
                : "CREATE TABLE filler AS SELECT seq AS id, MD5(seq) AS v FROM seq_1_to_20000");
        yield tmpfs("full", "size=64k,mode=0700");
      }
      case WRITABLE_BY_OTHERS -> mode(Files.createDirectories(dir.resolve("shared")), "rwxrwxrwx");
      case WRITABLE_BY_GROUP -> mode(Files.createDirectories(dir.resolve("team")), "rwxrwxr-x");
      case PARENT_WRITABLE_BY_OTHERS -> {
        Path open = mode(Files.createDirectories(dir.resolve("open")), "rwxrwxrwx");
        yield mode(Files.createDirectories(open.resolve("backups")), "rwx------");
      }
    };
  }

  private static Path mode(Path p, String perms) throws Exception {
    Files.setPosixFilePermissions(
        p, java.nio.file.attribute.PosixFilePermissions.fromString(perms));
    return p;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("each storage fault: exit 1, G9, the path and the reason, no exception name")
  void storageFaults(DatabaseKind kind) throws Exception {
    for (Storage s : Storage.values()) {
      try (TestDatabase db = TestDatabase.create(kind)) {
        Path backups = directory(s, kind, db);
        Path repo = Files.createDirectories(dir.resolve(s.name().toLowerCase()));
        Map<String, String> env = new HashMap<>();
        env.put("CI", "true");
        env.put("PROD_DATABASE_URL", db.libpqUrl());
        if (kind == DatabaseKind.MARIADB) {
          env.put("PROD_DATABASE_URL", db.libpqUrl(db.createUser("SELECT, EXECUTE")));
          env.put("PROD_DEPLOY_DATABASE_URL", db.libpqUrl());
        }
        env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
        Files.writeString(
            repo.resolve("prodguard.yml"),
            "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n"
                + (kind == DatabaseKind.MARIADB
                    ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n"
                    : "")
                + "    protected: true\n"
                + "backup: { directory: '"
                + backups
                + "' }\n");
        Files.createDirectories(repo.resolve("db/migration"));
        Files.writeString(
            repo.resolve("db/migration/V1__items.sql"),
            "CREATE TABLE items (id INT PRIMARY KEY);\n");
        Cli.Result init = Cli.run(repo, env, "init-fingerprint", "prod", "--write-config");
        assertThat(init.exit()).as(init.all()).isZero();

        Cli.Result r = Cli.run(repo, env, "promote", "prod");
        String label = kind + " " + s.label + ":\n" + r;
        assertThat(r.exit()).as(label).isEqualTo(1);
        assertThat(r.err())
            .as(label)
            .contains("G9 verified backup before deploy", "back up 'prod'")
            .doesNotContain("Exception", "\tat ", "unexpected failure");
        assertThat(r.err().toLowerCase(java.util.Locale.ROOT)).as(label).contains(s.said);
        String path =
            s == Storage.NOT_A_DIRECTORY ? dir.resolve("a-file").toString() : backups.toString();
        assertThat(r.err()).as(label).contains(path);
        assertThat(r.err().lines().count()).as(label).isLessThanOrEqualTo(12);

        Cli.Result deploy = Cli.run(repo, env, "deploy", "prod");
        assertThat(deploy.exit()).as("nothing was recorded: " + deploy.all()).isEqualTo(1);
        assertThat(deploy.err()).contains("deployment fails without backup state");
        if (s.name().contains("WRITABLE")) {
          try (var left = Files.list(backups)) {
            assertThat(left.toList())
                .as("nothing is written into a folder others can change")
                .isEmpty();
          }
        }
        if (s == Storage.FULL) {
          try (var left = Files.list(backups)) {
            assertThat(left.toList()).as("the partial dump is removed").isEmpty();
          }
        }
      }
      unmount();
      mounted.clear();
    }
  }
}
