package dev.prodguard.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a rollout checks for all its targets before the first one is contacted. */
@DisplayName("Fleet rollout: every target's URL is checked before the first connection")
class FleetRolloutTest {
  @TempDir Path dir;

  private static final String FP = "-00112233445566778899aabbccddeeff";

  @Test
  @DisplayName(
      "G3: a target URL naming a host outside the fleet's hosts is refused before any target is"
          + " contacted (no socket, no pipeline)")
  void hostOutsideTheFleet() throws Exception {
    try (ConnectionRecorder stray = new ConnectionRecorder()) {
      ProdguardConfig cfg =
          Configs.load(
              dir,
              "fleets:\n  shop:\n    hosts: [\"db-*.tenants.internal\"]\n    targets:\n"
                  + "      - { id: acme, url: \"postgresql://u@db-1.tenants.internal/acme\","
                  + " fingerprint: acme"
                  + FP
                  + " }\n"
                  + "      - { id: globex, url: \"postgresql://u@127.0.0.1:"
                  + stray.port()
                  + "/globex\", fingerprint: globex"
                  + FP
                  + " }\n");
      AtomicInteger pipelines = new AtomicInteger();
      Throwable t =
          catchThrowable(
              () ->
                  FleetRollout.promote(
                      cfg,
                      "shop",
                      RunContext.of(Map.of("CI", "true")),
                      (c, id) -> {
                        pipelines.incrementAndGet();
                        throw new IllegalStateException("no target may be contacted");
                      },
                      new FleetRollout.Options(2, Optional.empty(), Shard.ALL),
                      FleetRollout.Listener.NONE));
      assertThat(t)
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
                assertThat(r.why()).contains("127.0.0.1");
              });
      assertThat(pipelines.get()).isZero();
      assertThat(stray.connections()).isZero();
    }
  }

  @Test
  @DisplayName("a target URL that cannot be resolved fails the rollout before it starts")
  void unresolvableUrlUpFront() {
    ProdguardConfig cfg =
        Configs.load(
            dir,
            "fleets:\n  shop:\n    targets:\n"
                + "      - { id: acme, url: \"${ACME_URL}\", fingerprint: acme"
                + FP
                + " }\n");
    AtomicInteger pipelines = new AtomicInteger();
    Throwable t =
        catchThrowable(
            () ->
                FleetRollout.promote(
                    cfg,
                    "shop",
                    RunContext.of(Map.of("CI", "true")),
                    (c, id) -> {
                      pipelines.incrementAndGet();
                      throw new IllegalStateException("no target may be contacted");
                    },
                    new FleetRollout.Options(2, Optional.empty(), Shard.ALL),
                    FleetRollout.Listener.NONE));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("ACME_URL");
    assertThat(pipelines.get()).isZero();
  }
}
