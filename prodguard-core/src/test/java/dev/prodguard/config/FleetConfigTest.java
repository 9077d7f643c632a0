package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.testing.Configs;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Configuration: fleets (targets, waves, threshold, catalog) and their errors")
class FleetConfigTest {
  @TempDir Path dir;

  private static final String HEAD =
      "environments:\n  fleetdb:\n    url: ${CATALOG_URL}\nfleets:\n  shop:\n";

  private ConfigException error(String yaml) {
    Throwable t = catchThrowable(() -> Configs.load(dir, yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    return (ConfigException) t;
  }

  @Test
  @DisplayName("a fleet loads: defaults protected, waves in order, threshold count or share")
  void loads() {
    ProdguardConfig c =
        Configs.load(
            dir,
            HEAD
                + "    hosts: [\"*.tenants.internal\"]\n"
                + "    waves: [canary, rest]\n"
                + "    failure-threshold: 5%\n"
                + "    parallel: 8\n"
                + "    targets:\n"
                + "      - { id: acme, url: \"${ACME_URL}\", wave: canary }\n"
                + "      - { id: globex, url: \"${GLOBEX_URL}\" }\n"
                + "    catalog: { environment: fleetdb, query: \"select id, url, fingerprint"
                + " from tenants\", variables: [TENANT_DB_PASSWORD] }\n");
    FleetConfig f = c.fleet("shop");
    assertThat(f.isProtected()).isTrue();
    assertThat(f.waves()).containsExactly("canary", "rest");
    assertThat(f.failureThreshold().allowed(200)).isEqualTo(10);
    assertThat(f.parallel()).isEqualTo(8);
    assertThat(f.targets()).extracting(FleetConfig.Target::wave).containsExactly("canary", "rest");
    EnvironmentConfig acme = f.environmentOf(f.targets().get(0));
    assertThat(acme.name()).isEqualTo("acme");
    assertThat(acme.isProtected()).isTrue();
    assertThat(acme.hosts()).containsExactly("*.tenants.internal");
    assertThat(f.catalog()).isPresent();
    assertThat(f.catalog().get().variables()).containsExactly("TENANT_DB_PASSWORD");
  }

  @Test
  @DisplayName("a fleet alone is a configuration: environments are optional then")
  void fleetOnly() {
    ProdguardConfig c =
        Configs.load(dir, "fleets:\n  shop:\n    targets:\n      - { id: a, url: \"${A}\" }\n");
    assertThat(c.environments()).isEmpty();
    assertThat(c.fleet("shop").targets()).hasSize(1);
  }

  @Test
  @DisplayName("errors name the file, line and key")
  void errors() {
    assertThat(error(HEAD + "    waves: [canary]\n").getMessage()).contains("needs 'targets'");
    assertThat(error(HEAD + "    targets:\n      - { id: A, url: x }\n").key())
        .isEqualTo("fleets.shop.targets[0].id");
    assertThat(error(HEAD + "    targets:\n      - { id: fleetdb, url: \"${X}\" }\n").getMessage())
        .contains("name of an environment");
    assertThat(
            error(
                    HEAD
                        + "    waves: [canary]\n"
                        + "    targets:\n      - { id: a, url: \"${X}\", wave: late }\n")
                .getMessage())
        .contains("not in the fleet's waves");
    assertThat(
            error(HEAD + "    failure-threshold: lots\n    targets:\n      - { id: a, url: x }\n")
                .getMessage())
        .contains("failure-threshold");
    assertThat(
            error(
                    HEAD
                        + "    targets:\n      - { id: a, url: \"${A}\" }\n"
                        + "      - { id: a, url: \"${B}\" }\n")
                .getMessage())
        .contains("listed twice");
    assertThat(
            error(
                    HEAD
                        + "    targets:\n"
                        + "      - { id: a, url: \"${A}\", fingerprint: b-0123456789abcdef }\n")
                .getMessage())
        .contains("malformed");
    assertThat(
            error(HEAD + "    catalog: { environment: nowhere, query: \"select 1\" }\n")
                .getMessage())
        .contains("no environment 'nowhere'");
    assertThat(
            error(HEAD + "    parallel: 0\n    targets:\n      - { id: a, url: x }\n").getMessage())
        .contains("parallel");
    assertThat(error(HEAD + "    targets: []\n    surprise: 1\n").getMessage()).isNotBlank();
  }

  @Test
  @DisplayName("asking for a fleet that does not exist is an error listing the ones that do")
  void unknownFleet() {
    ProdguardConfig c =
        Configs.load(dir, "fleets:\n  shop:\n    targets:\n      - { id: a, url: \"${A}\" }\n");
    Throwable t = catchThrowable(() -> c.fleet("other"));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("defined: shop");
  }
}
