package dev.prodguard.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G9 for sync: the backup a sync takes before writing goes through the same checks as {@code
 * prodguard backup} (client version, every host of the URL, hash, completeness).
 */
@DisplayName("G9: a sync's backup is a verified backup")
class G9SyncBackupTest {
  @TempDir Path dir;
  @TempDir Path bin;

  private static SyncFixture fixture(Path dir) throws Exception {
    SyncFixture f = new SyncFixture(DatabaseKind.POSTGRESQL, dir, SyncDryRunTest.CONTRACT);
    SyncDryRunTest.servicesTable(f);
    f.dev.execute("INSERT INTO services VALUES (1, 'Basic', 12.00, true, NULL, 'dev')");
    f.prod.execute("INSERT INTO services VALUES (1, 'Basic', 10.00, true, NULL, 'prod')");
    return f;
  }

  private static Sync sync(SyncFixture f, Map<String, String> env) {
    RunContext ctx = RunContext.of(env);
    return new Sync(f.config(), f.loadContract(), ctx, new TableBackup(ctx), Sync.Hooks.NONE);
  }

  private static Map<String, String> env(SyncFixture f) {
    Map<String, String> env = new HashMap<>();
    env.put("DEV_DATABASE_URL", f.dev.libpqUrl());
    env.put("PROD_DATABASE_URL", f.prod.libpqUrl());
    env.put("CI", "true");
    return env;
  }

  @Test
  @DisplayName(
      "G9: a sync with a pg_dump older than the server is refused before anything is written")
  void tooOldClientRefuses() throws Exception {
    try (SyncFixture f = fixture(dir)) {
      // a pg_dump that says it is 9.6 and otherwise is the real one: only the version check tells
      Path pgDump = bin.resolve("pg_dump");
      Files.writeString(
          pgDump,
          "#!/bin/sh\n"
              + "if [ \"$1\" = \"--version\" ]; then echo 'pg_dump (PostgreSQL) 9.6.24'; exit 0;"
              + " fi\n"
              + "exec "
              + real("pg_dump")
              + " \"$@\"\n");
      Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwx------"));
      Path pgRestore = bin.resolve("pg_restore");
      Files.writeString(pgRestore, "#!/bin/sh\nexec " + real("pg_restore") + " \"$@\"\n");
      Files.setPosixFilePermissions(pgRestore, PosixFilePermissions.fromString("rwx------"));
      Map<String, String> env = env(f);
      env.put("PRODGUARD_DUMP_BINDIR", bin.toString());
      List<List<String>> before = SyncFixture.rows(f.prod, SyncApplyRevertTest.SELECT);

      SyncRefusal r =
          catchThrowableOfType(
              SyncRefusal.class,
              () -> sync(f, env).run(Sync.Request.dryRun("dev", "prod", "services").applying()));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains("pg_dump 9", "older than the PostgreSQL");
      assertThat(r.fix()).contains("PRODGUARD_DUMP_BINDIR");
      assertThat(SyncFixture.rows(f.prod, SyncApplyRevertTest.SELECT)).isEqualTo(before);
    }
  }

  @Test
  @DisplayName(
      "G9: a sync's backup reaches the server through every host of a multi-host URL, as the"
          + " connection does")
  void multiHostUrl() throws Exception {
    try (SyncFixture f = fixture(dir)) {
      Map<String, String> env = env(f);
      // the first host refuses connections; the driver and the dump tool both go on to the second
      env.put(
          "PROD_DATABASE_URL",
          f.prod.libpqUrl().replaceFirst("@127\\.0\\.0\\.1:5432/", "@127.0.0.1:1,127.0.0.1:5432/"));
      assertThat(env.get("PROD_DATABASE_URL")).contains(",127.0.0.1:5432/");

      Sync.Applied a =
          sync(f, env)
              .run(Sync.Request.dryRun("dev", "prod", "services").applying())
              .applied()
              .orElseThrow();

      assertThat(a.backup().file()).exists();
      assertThat(Files.readString(a.backup().file(), java.nio.charset.StandardCharsets.ISO_8859_1))
          .startsWith("PGDMP");
      assertThat(SyncFixture.rows(f.prod, "SELECT price FROM services"))
          .containsExactly(List.of("12.00"));
    }
  }

  private static String real(String tool) {
    for (String d : System.getenv("PATH").split(":")) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(tool + " is not on PATH");
  }
}
