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
}
