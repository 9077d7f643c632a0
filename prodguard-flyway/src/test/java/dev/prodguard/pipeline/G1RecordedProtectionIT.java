package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.setup.FingerprintInit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G1 attacked through the configuration file: a laptop edits prodguard.yml to say {@code protected:
 * false} for a database that records itself as protected, then deploys a destructive migration by
 * the unprotected fast path, or re-runs init-fingerprint to clear the record.
 */
@DisplayName(
    "G1: a database that records itself as protected stays protected whatever the file says")
class G1RecordedProtectionIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G1: 'protected: false' in prodguard.yml does not open a protected database to a laptop:"
          + " deploy, verify and init-fingerprint are refused, nothing changes")
  void fileCannotUnprotect(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod"); // V1: items
      Path yml = dir.resolve("prodguard.yml");
      Files.writeString(yml, Files.readString(yml).replace("protected: true", "protected: false"));
      f.migration("V2__drop.sql", "DROP TABLE items;\n");
      Map<String, String> env = new HashMap<>(f.ciEnv());
      env.remove("CI");
      RunContext laptop = new RunContext(env, Clock.systemUTC(), "dev", "laptop");

      GuardRefusal deploy =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline(laptop).deploy("prod", Optional.empty()));
      assertThat(deploy.guarantee()).isEqualTo(Guarantee.G1);
      assertThat(deploy.why()).contains("records it as protected");
      GuardRefusal verify =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline(laptop).verify("prod"));
      assertThat(verify.guarantee()).isEqualTo(Guarantee.G1);

      GuardRefusal init =
          catchThrowableOfType(
              GuardRefusal.class,
              () ->
                  FingerprintInit.run(
                      Target.prepare(
                          f.config(), "prod", laptop, Target.Access.MUTATE, "init-fingerprint"),
                      laptop,
                      false,
                      new FlywayMigrationEngine()));
      assertThat(init.guarantee()).isEqualTo(Guarantee.G1);

      assertThat(f.tableExists("items")).isTrue();
      assertThat(f.query("SELECT protected FROM prodguard_guard_config WHERE id = 1"))
          .hasValueSatisfying(v -> assertThat(v).isIn("t", "true", "1"));
    }
  }
}
