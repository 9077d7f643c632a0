package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** G1 for the pipeline: a laptop never reaches a protected database, whatever it claims. */
@DisplayName("G1 CI-only mutation (pipeline)")
class G1LocalDeployTest {
  @TempDir Path dir;

  private ProdguardConfig config(int port) throws Exception {
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(dir.resolve("db/migration/V1__t.sql"), "CREATE TABLE t (id INT);\n");
    return Configs.load(
        dir,
        "environments:\n"
            + "  prod:\n"
            + "    url: ${PROD_DATABASE_URL}\n"
            + "    fingerprint: prod-0123456789abcdef0123\n"
            + "    protected: true\n");
  }

  @Test
  @DisplayName("G1: deploy fails locally even with APP_ENV=production, before connecting")
  void deployLocallyWithAppEnvProduction() throws Exception {
    try (ConnectionRecorder recorder = new ConnectionRecorder()) {
      RunContext laptop =
          RunContext.of(
              Map.of(
                  "APP_ENV", "production",
                  "SPRING_PROFILES_ACTIVE", "prod",
                  "PROD_DATABASE_URL",
                      "postgresql://postgres@127.0.0.1:" + recorder.port() + "/prod"));
      Pipeline pipeline =
          new Pipeline(config(recorder.port()), laptop, new FlywayMigrationEngine());

      GuardRefusal deploy =
          catchThrowableOfType(GuardRefusal.class, () -> pipeline.deploy("prod", Optional.empty()));
      GuardRefusal promote =
          catchThrowableOfType(GuardRefusal.class, () -> pipeline.promote("prod"));
      GuardRefusal verify = catchThrowableOfType(GuardRefusal.class, () -> pipeline.verify("prod"));
      GuardRefusal backup =
          catchThrowableOfType(GuardRefusal.class, () -> pipeline.backup("prod", Optional.empty()));

      assertThat(deploy.guarantee()).isEqualTo(Guarantee.G1);
      assertThat(deploy.why()).contains("not CI");
      assertThat(promote.guarantee()).isEqualTo(Guarantee.G1);
      assertThat(verify.guarantee()).isEqualTo(Guarantee.G1);
      assertThat(backup.guarantee()).isEqualTo(Guarantee.G1);
      assertThat(recorder.connections()).isZero();
    }
  }
}
