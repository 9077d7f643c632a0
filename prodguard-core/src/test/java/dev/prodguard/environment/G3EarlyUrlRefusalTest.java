package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G3 attacked with a listener that records every connection attempt: a refused URL must never reach
 * a socket.
 */
@DisplayName("G3 early URL refusal")
class G3EarlyUrlRefusalTest {
  @TempDir Path dir;

  private static final String DEV_FP = "dev-00112233445566778899aabbccddeeff";
  private static final String PROD_FP = "prod-00112233445566778899aabbccddeeff";

  /** Runs prepare + connect, as every command does, and returns the refusal. */
  private GuardRefusal attempt(
      ProdguardConfig cfg, String env, Map<String, String> vars, Target.Access access) {
    Throwable t =
        catchThrowable(
            () -> {
              try (var c = Target.prepare(cfg, env, RunContext.of(vars), access, "test").open()) {
                // not reached when refused
              }
            });
    assertThat(t).isInstanceOf(GuardRefusal.class);
    return (GuardRefusal) t;
  }

  @Test
  @DisplayName(
      "G3: a production URL in development fails before the migration tool initialises"
          + " (dev URL at a prod host pattern, no connection attempted)")
  void devUrlMatchingProdHostRefusedBeforeConnecting() throws Exception {
    try (ConnectionRecorder prodHost = new ConnectionRecorder()) {
      ProdguardConfig cfg = Configs.load(dir, Configs.devProd(DEV_FP, PROD_FP, "\"127.0.0.*\""));
      Map<String, String> vars =
          Map.of(
              "DEV_DATABASE_URL", "postgresql://app:pw-x1@127.0.0.1:" + prodHost.port() + "/shop");
      GuardRefusal r = attempt(cfg, "dev", vars, Target.Access.READ);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(r.why()).contains("matches host pattern '127.0.0.*' of environment 'prod'");
      assertThat(r.render()).doesNotContain("pw-x1");
      assertThat(prodHost.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G3: a deploy-url at another environment's host is refused before connecting, like its"
          + " url; read-only commands do not need it")
  void deployUrlRefusedBeforeConnecting() throws Exception {
    try (ConnectionRecorder devHost = new ConnectionRecorder()) {
      ProdguardConfig cfg =
          Configs.load(
              dir,
              "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n    fingerprint: "
                  + DEV_FP
                  + "\n    hosts: [\"127.0.0.*\"]\n  prod:\n    url: ${PROD_DATABASE_URL}\n"
                  + "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n    fingerprint: "
                  + PROD_FP
                  + "\n    protected: true\n");
      Map<String, String> vars = new HashMap<>();
      vars.put("CI", "true");
      vars.put("PROD_DATABASE_URL", "mysql://app@db.prod.example:3306/shop");
      vars.put(
          "PROD_DEPLOY_DATABASE_URL", "mysql://deploy:pw-d1@127.0.0.1:" + devHost.port() + "/shop");

      GuardRefusal r = attempt(cfg, "prod", vars, Target.Access.MUTATE);
      vars.remove("PROD_DEPLOY_DATABASE_URL");
      Target reading =
          Target.prepare(cfg, "prod", RunContext.of(vars), Target.Access.READ, "status");

      assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(r.why()).contains("matches host pattern '127.0.0.*' of environment 'dev'");
      assertThat(r.render()).doesNotContain("pw-d1");
      assertThat(devHost.connections()).isZero();
      assertThat(reading.url().hosts().get(0).host()).isEqualTo("db.prod.example");
    }
  }

  @Test
  @DisplayName("G3: a protected environment's URL used outside CI is refused before connecting")
  void protectedOutsideCiRefusedBeforeConnecting() throws Exception {
    try (ConnectionRecorder prod = new ConnectionRecorder()) {
      ProdguardConfig cfg = Configs.load(dir, Configs.devProd(DEV_FP, PROD_FP, null));
      Map<String, String> vars =
          Map.of(
              "PROD_DATABASE_URL",
              "postgresql://app@127.0.0.1:" + prod.port() + "/shop",
              "APP_ENV",
              "production");
      GuardRefusal r = attempt(cfg, "prod", vars, Target.Access.READ);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(r.why()).contains("protected environment and this process is not CI");
      assertThat(prod.connections()).isZero();
    }
  }

  @Test
  @DisplayName("G3: a mutation is refused while a protected URL variable is set in a non-CI shell")
  void prodVariableInDevShellRefusedForMutation() throws Exception {
    try (ConnectionRecorder dev = new ConnectionRecorder()) {
      ProdguardConfig cfg = Configs.load(dir, Configs.devProd(DEV_FP, PROD_FP, null));
      Map<String, String> vars =
          Map.of(
              "DEV_DATABASE_URL",
              "postgresql://app@127.0.0.1:" + dev.port() + "/shop_dev",
              "PROD_DATABASE_URL",
              "postgresql://app:prod-pw-9@db.prod.internal/shop");
      GuardRefusal r = attempt(cfg, "dev", vars, Target.Access.MUTATE);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(r.why()).contains("PROD_DATABASE_URL");
      assertThat(r.render()).doesNotContain("prod-pw-9");
      assertThat(dev.connections()).isZero();
    }
  }

  @Test
  @DisplayName("G3: the dev URL leading to the same database as the prod URL is refused")
  void sameDatabaseAsProdRefused() throws Exception {
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      ProdguardConfig cfg = Configs.load(dir, Configs.devProd(DEV_FP, PROD_FP, null));
      String url = "postgresql://app@127.0.0.1:" + db.port() + "/shop";
      Map<String, String> vars = new HashMap<>();
      vars.put("CI", "true");
      vars.put("DEV_DATABASE_URL", url);
      vars.put("PROD_DATABASE_URL", url.replace("app@", "deployer@"));
      GuardRefusal r = attempt(cfg, "dev", vars, Target.Access.READ);
      assertThat(r.why()).contains("same database as the URL of 'prod'");
      assertThat(db.connections()).isZero();
    }
  }

  @Test
  @DisplayName("G3: the host rule also holds inside CI and for IPv6 and multi-host URLs")
  void hostRuleHoldsInCi() throws Exception {
    ProdguardConfig cfg =
        Configs.load(dir, Configs.devProd(DEV_FP, PROD_FP, "\"*.prod.internal\", \"::1\""));
    GuardRefusal a =
        attempt(
            cfg,
            "dev",
            Map.of(
                "CI",
                "true",
                "DEV_DATABASE_URL",
                "jdbc:postgresql://a.dev:5432,b.prod.internal:5432/x"),
            Target.Access.READ);
    assertThat(a.why()).contains("b.prod.internal");
    GuardRefusal b =
        attempt(
            cfg,
            "dev",
            Map.of("CI", "true", "DEV_DATABASE_URL", "postgresql://u@[::1]:5432/x"),
            Target.Access.READ);
    assertThat(b.guarantee()).isEqualTo(Guarantee.G3);
  }

  @Test
  @DisplayName("G3: an allowed dev URL does reach its server (the recorder sees the attempt)")
  void allowedUrlConnects() throws Exception {
    try (ConnectionRecorder dev = new ConnectionRecorder()) {
      ProdguardConfig cfg =
          Configs.load(dir, Configs.devProd(DEV_FP, PROD_FP, "\"*.prod.internal\""));
      Map<String, String> vars =
          Map.of(
              "DEV_DATABASE_URL",
              "postgresql://app@127.0.0.1:"
                  + dev.port()
                  + "/shop_dev?connectTimeout=2&socketTimeout=2");
      Throwable t =
          catchThrowable(
              () ->
                  Target.prepare(cfg, "dev", RunContext.of(vars), Target.Access.READ, "t").open());
      assertThat(t).isNotInstanceOf(GuardRefusal.class); // the recorder answers nothing
      assertThat(dev.connections()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "G3: a dev URL at a fleet's host pattern is refused before connecting; the fleet's own"
          + " targets, which share the pattern, are not refused for it")
  void fleetHostPatterns() throws Exception {
    try (ConnectionRecorder tenantHost = new ConnectionRecorder()) {
      ProdguardConfig cfg =
          Configs.load(
              dir,
              "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n    fingerprint: "
                  + DEV_FP
                  + "\nfleets:\n  tenants:\n    hosts: [\"127.0.0.*\"]\n    targets:\n"
                  + "      - { id: acme, url: \"${ACME_URL}\" }\n"
                  + "      - { id: globex, url: \"${GLOBEX_URL}\" }\n");
      Map<String, String> vars = new HashMap<>();
      vars.put("DEV_DATABASE_URL", "postgresql://app@127.0.0.1:" + tenantHost.port() + "/shop");
      GuardRefusal r = attempt(cfg, "dev", vars, Target.Access.READ);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(r.why()).contains("of fleet 'tenants'");
      assertThat(tenantHost.connections()).isZero();

      var fleet = cfg.fleet("tenants");
      ProdguardConfig expanded =
          cfg.withEnvironments(fleet.targets().stream().map(fleet::environmentOf).toList());
      vars.put("CI", "true");
      vars.put("ACME_URL", "postgresql://app@127.0.0.1:" + tenantHost.port() + "/acme");
      vars.put("GLOBEX_URL", "postgresql://app@127.0.0.2:" + tenantHost.port() + "/globex");
      Target acme =
          Target.prepare(expanded, "acme", RunContext.of(vars), Target.Access.READ, "test");
      assertThat(acme.name()).isEqualTo("acme");
    }
  }

  @Test
  @DisplayName(
      "G3: a catalog target's URL at another fleet's host pattern is refused naming the catalog row"
          + " it came from, not the credential variable it interpolates")
  void catalogTargetNamesItsRow() throws Exception {
    try (ConnectionRecorder host = new ConnectionRecorder()) {
      ProdguardConfig cfg =
          Configs.load(
              dir,
              "environments:\n  fleetdb:\n    url: ${FLEETDB_URL}\n    fingerprint: "
                  + DEV_FP.replace("dev-", "fleetdb-")
                  + "\nfleets:\n  tenants:\n    hosts: [\"127.0.0.*\"]\n    targets:\n"
                  + "      - { id: acme, url: \"${ACME_URL}\" }\n"
                  + "  shops:\n    hosts: [\"127.0.0.*\"]\n    catalog:\n"
                  + "      environment: fleetdb\n      query: select id, url, fingerprint from s\n"
                  + "      variables: [TENANT_DB_PASSWORD]\n");
      var shops = cfg.fleet("shops");
      var catalog = shops.catalog().orElseThrow();
      // a row as FleetTargets reads it: the url from the row, reading the declared variable
      var row =
          new dev.prodguard.config.FleetConfig.Target(
              "c01",
              new dev.prodguard.config.ConfigValue(
                  "postgresql://app:${TENANT_DB_PASSWORD}@127.0.0.1:" + host.port() + "/c01",
                  catalog.file(),
                  catalog.line(),
                  "fleets.shops.catalog.query (row 1 (id 'c01'))"),
              java.util.Optional.empty(),
              java.util.Optional.empty(),
              "all",
              catalog.file(),
              catalog.line());
      ProdguardConfig expanded = cfg.withEnvironments(List.of(shops.environmentOf(row)));
      Map<String, String> vars = new HashMap<>();
      vars.put("CI", "true");
      vars.put("TENANT_DB_PASSWORD", "s3cret");
      GuardRefusal r = attempt(expanded, "c01", vars, Target.Access.READ);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(r.why())
          .contains("of fleet 'tenants'")
          .contains("its URL is from fleets.shops.catalog.query (row 1 (id 'c01'))")
          .doesNotContain("from TENANT_DB_PASSWORD");
      assertThat(host.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G3: an environment that copies a protected environment's host pattern is still refused"
          + " before connecting to such a host (sharing a pattern is for a fleet's own targets)")
  void copiedHostPatternStillRefused() throws Exception {
    try (ConnectionRecorder prodHost = new ConnectionRecorder()) {
      ProdguardConfig cfg =
          Configs.load(
              dir,
              "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n    fingerprint: "
                  + DEV_FP
                  + "\n    hosts: [\"db-dev-*\", \"127.0.0.*\"]\n  prod:\n"
                  + "    url: ${PROD_DATABASE_URL}\n    fingerprint: "
                  + PROD_FP
                  + "\n    protected: true\n    hosts: [\"127.0.0.*\"]\n");
      Map<String, String> vars =
          Map.of("DEV_DATABASE_URL", "postgresql://app@127.0.0.1:" + prodHost.port() + "/shop");
      GuardRefusal r = attempt(cfg, "dev", vars, Target.Access.READ);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G3);
      assertThat(r.why()).contains("of environment 'prod'");
      assertThat(prodHost.connections()).isZero();
    }
  }
}
