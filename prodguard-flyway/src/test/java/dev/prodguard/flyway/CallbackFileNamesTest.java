package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.scan.rules.ProdguardIntegrity;
import dev.prodguard.support.DatabaseSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scan rules name Flyway's callback files themselves; they must be the ones the engine writes.
 */
@DisplayName("scan looks for the callback files the Flyway engine writes")
class CallbackFileNamesTest {

  @Test
  @DisplayName("prodguard-integrity's callback and stale-callback names are CallbackFile's")
  void scanNamesMatchTheEngine() {
    assertThat(ProdguardIntegrity.CALLBACK).isEqualTo(CallbackFile.NAME);
    assertThat(ProdguardIntegrity.LEGACY_CALLBACK).isEqualTo(CallbackFile.LEGACY_NAME);
    assertThat(new FlywayMigrationEngine().guardArtifacts(DatabaseSupport.of(DatabaseKind.MARIADB)))
        .extracting(a -> a.fileName())
        .containsExactly(ProdguardIntegrity.CALLBACK);
  }
}
