package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** drift show/accept, trace, and verify with trace, through the real jar (PostgreSQL). */
@DisplayName("CLI end to end: drift (G7) and trace (G4)")
class DriftTraceCliIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G7: a hand-made change is shown by 'drift show' (exit 1) and refused by verify until 'drift"
          + " accept' from CI; trace and verify with trace report what the server did")
  void driftAndTrace() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("PROD_DATABASE_URL", db.libpqUrl());
      env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
      env.put("GITHUB_ACTOR", "ci-bot");
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n"
              + "  prod:\n"
              + "    url: ${PROD_DATABASE_URL}\n"
              + "    protected: true\n"
              + "backup: { directory: backups }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"),
          "CREATE TABLE items (id INT PRIMARY KEY, name text);\n"
              + "INSERT INTO items SELECT g, 'n' FROM generate_series(1, 1000) g;\n");
      assertThat(Cli.run(dir, env, "init-fingerprint", "prod", "--write-config").exit()).isZero();
      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isZero();
      Cli.Result clean = Cli.run(dir, env, "drift", "show", "prod");
      assertThat(clean.exit()).as(clean.all()).isZero();
      assertThat(clean.out()).contains("no drift: 'prod'");

      db.execute("ALTER TABLE items ADD COLUMN note text");
      Files.writeString(
          dir.resolve("db/migration/V2__index.sql"), "CREATE INDEX items_name ON items (name);\n");

      Cli.Result show = Cli.run(dir, env, "drift", "show", "prod");
      assertThat(show.exit()).as(show.all()).isEqualTo(1);
      assertThat(show.out()).contains("+ table public.items column note: text");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(verify.err())
          .contains("G7 order-locked pipeline", "changed outside the pipeline", "column note");

      Map<String, String> laptop = new HashMap<>(env);
      laptop.remove("CI");
      Cli.Result local = Cli.run(dir, laptop, "drift", "accept", "prod", "--reason", "INC-1");
      assertThat(local.exit()).as(local.all()).isEqualTo(1);
      // a blank reason is a usage error (exit 2) for both reviewed steps, as the exit codes say
      for (String[] blank :
          new String[][] {
            {"drift", "accept", "prod", "--reason", " "}, {"repair", "prod", "--reason", " "}
          }) {
        Cli.Result r = Cli.run(dir, env, blank);
        assertThat(r.exit()).as(String.join(" ", blank) + "\n" + r.all()).isEqualTo(2);
        assertThat(r.err()).contains("--reason must say why").doesNotContain("Exception");
      }
      Cli.Result accept =
          Cli.run(dir, env, "drift", "accept", "prod", "--reason", "INC-1: note kept");
      assertThat(accept.exit()).as(accept.all()).isZero();
      assertThat(accept.out()).contains("accepted", "1 change(s) accepted");

      env.put("PRODGUARD_TRACE_SCRATCH_URL", db.libpqUrl().replace(db.name(), "postgres"));
      Cli.Result trace = Cli.run(dir, env, "trace", "prod", "--format", "json");
      assertThat(trace.exit()).as(trace.all()).isZero();
      assertThat(trace.out())
          .contains("\"rule\" : \"trace-index-build-blocks-writes\"", "\"public.items\"");
      Cli.Result traced = Cli.run(dir, env, "verify", "prod");
      assertThat(traced.exit()).as(traced.all()).isZero();
      assertThat(traced.all()).contains("[trace-index-build-blocks-writes]");
    }
  }
}
