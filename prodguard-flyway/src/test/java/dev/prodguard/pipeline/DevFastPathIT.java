package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Non-protected environments keep a fast path, but never skip the fingerprint. */
@DisplayName("dev fast path")
class DevFastPathIT {
  @TempDir Path dir;

  private static RunContext laptop(PipelineFixture f, String url) {
    return new RunContext(Map.of(f.urlVariable(), url), Clock.systemUTC(), "dev", "laptop");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("dev deploy needs no CI, verification or backup, and records a deployed run")
  void devDeploysDirectly(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.create(kind, dir, "dev", false, false)) {
      Pipeline p =
          new Pipeline(f.config(), laptop(f, f.db.libpqUrl()), new FlywayMigrationEngine());

      Results.Deploy d = p.deploy("dev", Optional.empty());
      Results.Deploy again = p.deploy("dev", Optional.empty());

      assertThat(d.applied()).hasSize(1);
      assertThat(f.run(d.run().orElseThrow().id()).status()).isEqualTo(RunStatus.DEPLOYED);
      assertThat(f.run(d.run().get().id()).ciSubject()).contains("dev@laptop", "not CI");
      assertThat(again.upToDate()).isTrue();
      assertThat(f.tableExists("items")).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G2: dev deploy still checks the fingerprint (dev URL pointing at another database)")
  void devDeployChecksFingerprint(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.create(kind, dir, "dev", false, false);
        TestDatabase other = TestDatabase.create(kind)) {
      Pipeline p =
          new Pipeline(f.config(), laptop(f, other.libpqUrl()), new FlywayMigrationEngine());

      GuardRefusal r =
          catchThrowableOfType(GuardRefusal.class, () -> p.deploy("dev", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G2);
      try (var c = other.connect();
          var rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", null)) {
        assertThat(rs.next()).as("nothing was created in the wrong database").isFalse();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: dev deploy without verify still refuses transaction control before anything runs")
  void devDeployRefusesTransactionControl(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.create(kind, dir, "dev", false, false)) {
      f.migration(
          "V2__split.sql",
          "INSERT INTO items VALUES (4, 'four');\nCOMMIT;\nINSERT INTO items VALUES (5, 'five');\n");
      Pipeline p =
          new Pipeline(f.config(), laptop(f, f.db.libpqUrl()), new FlywayMigrationEngine());

      GuardRefusal r =
          catchThrowableOfType(GuardRefusal.class, () -> p.deploy("dev", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.getMessage()).contains("transaction-control");
      assertThat(f.tableExists("items")).as("nothing ran, V1 included").isFalse();
    }
  }
}
