package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A placeholder value read from the environment is often a credential. When the migration that uses
 * it fails, the server's error quotes it (a unique violation's detail, a cast error); that text
 * reached the console, {@code prodguard_run.failure} and the append-only {@code prodguard_audit}
 * (attack21 finding 11). Every such text now shows the placeholder instead.
 */
@DisplayName("G10: placeholder values from the environment never reach messages, runs or audit")
class G10PlaceholderSecretRedactionIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "G10: a failed deploy quoting the value ({0})")
  @ValueSource(
      strings = {
        "INSERT INTO api_clients (secret) VALUES ('${payment_key}');",
        "SELECT '${payment_key}'::int;",
        "INSERT INTO api_clients (secret) VALUES ('${payment_key}' || 'x');"
      })
  void failedDeployQuotingTheValue(String failing) throws Exception {
    // each case a value of its own: the redaction is registered when the value is read
    String key = "sk_live_" + Long.toHexString(System.nanoTime()) + "secret";
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration(
          "V2__clients.sql",
          "CREATE TABLE api_clients (secret text UNIQUE CHECK (secret NOT LIKE '%x'));\n");
      Path yml = dir.resolve("prodguard.yml");
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  "  locations: [db/migration]\n",
                  "  locations: [db/migration]\n"
                      + "  placeholders: { payment_key: '${PAYMENT_API_KEY}' }\n"));
      Map<String, String> env = new HashMap<>(f.ciEnv());
      env.put("PAYMENT_API_KEY", key);
      f.pipeline(new RunContext(env, Clock.systemUTC(), "runner", "ci-host")).promote("prod");
      // the application's data: the key registered by hand for a test client
      f.db.execute("INSERT INTO api_clients (secret) VALUES ('" + key + "')");
      f.migration("V3__again.sql", failing + "\n");
      env.put("GITHUB_SHA", "2222222222222222222222222222222222222222");
      RunContext ctx = new RunContext(env, Clock.systemUTC(), "runner", "ci-host");

      Throwable t = catchThrowable(() -> f.pipeline(ctx).promote("prod"));
      assertThat(t).isNotNull();
      // what prodguard prints passes through the Redactor (the CLI, the Maven plugin)
      assertThat(Redactor.redact(t.getMessage())).doesNotContain(key);
      assertThat(Redactor.redact("Key (secret)=(" + key + ") already exists"))
          .isEqualTo("Key (secret)=(${payment_key}) already exists");

      assertThat(f.query("SELECT count(*)::text FROM prodguard_run WHERE failure IS NOT NULL"))
          .as("the deploy failed on the server, after verify")
          .contains("1");
      assertThat(f.query("SELECT string_agg(failure, ' ') FROM prodguard_run").orElse(""))
          .doesNotContain(key)
          .contains("${payment_key}");
      assertThat(f.query("SELECT string_agg(details::text, ' ') FROM prodguard_audit"))
          .hasValueSatisfying(d -> assertThat(d).doesNotContain(key));
    }
  }

  @Test
  @DisplayName(
      "G10: a server error that quotes only a part of a placeholder credential shows the"
          + " placeholder in the failure, the run row and the audit, never the part (attacker"
          + " 23/04)")
  void fragmentOfTheValueQuotedByTheServer() throws Exception {
    String tail = "vT" + Long.toHexString(System.nanoTime()) + "Zm";
    String password = "Kq7x" + tail;
    try (PipelineFixture f =
        PipelineFixture.create(DatabaseKind.POSTGRESQL, dir, "stage", false, false)) {
      Path yml = dir.resolve("prodguard.yml");
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  "  locations: [db/migration]\n",
                  "  locations: [db/migration]\n"
                      + "  placeholders: { app_password: '${APP_DB_PASSWORD}' }\n"));
      // the server's error quotes the part after the 4th character: invalid input syntax for
      // type integer: "vT...Zm" (as it quotes the rest of a value whose quote ended its literal)
      f.migration("V2__password.sql", "SELECT substr('${app_password}', 5)::int;\n");
      Map<String, String> env = new HashMap<>(f.ciEnv());
      env.put("APP_DB_PASSWORD", password);
      RunContext ctx = new RunContext(env, Clock.systemUTC(), "runner", "ci-host");

      Throwable t = catchThrowable(() -> f.pipeline(ctx).promote("stage"));
      assertThat(t).as("the server refuses the cast").isNotNull();
      String shown = Redactor.redact(t.getMessage());
      assertThat(shown).doesNotContain(tail.substring(0, 6)).doesNotContain(tail.substring(4));
      String runs = f.query("SELECT string_agg(failure, ' ') FROM prodguard_run").orElse("");
      assertThat(runs)
          .as("the run row's failure")
          .contains("${app_password}")
          .doesNotContain(tail.substring(4));
      assertThat(
              f.query("SELECT coalesce(string_agg(details::text, ' '), '') FROM prodguard_audit"))
          .hasValueSatisfying(d -> assertThat(d).doesNotContain(tail.substring(4)));
      // a message quoting a part keeps its words, shows the placeholder for the part
      assertThat(Redactor.redact("syntax error at or near \"" + tail + "\""))
          .isEqualTo("syntax error at or near \"${app_password}\"");
      // a plain word that a credential happens to contain is not a credential
      assertThat(Redactor.redact("column password of app_settings")).contains("password");
    }
  }
}
