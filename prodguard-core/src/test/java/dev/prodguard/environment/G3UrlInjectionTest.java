package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G3 must judge exactly what the driver uses. Two loopback listeners stand for the dev server (the
 * URL's host) and the prod server (where a smuggled parameter would lead): every attack must leave
 * the prod listener at zero connections.
 */
@DisplayName("G3: what G3 judges is what the driver connects to")
class G3UrlInjectionTest {
  @TempDir Path dir;

  private static final String DEV_FP = "dev-00112233445566778899aabbccddeeff";
  private static final String PROD_FP = "prod-00112233445566778899aabbccddeeff";

  private Throwable open(ProdguardConfig cfg, String env, Map<String, String> vars) {
    return catchThrowable(
        () -> {
          try (var c =
              Target.prepare(cfg, env, RunContext.of(vars), Target.Access.READ, "t").open()) {
            // the recorders answer nothing, so this is not reached
          }
        });
  }

  private ProdguardConfig devProd(String prodHosts) {
    return Configs.load(dir, Configs.devProd(DEV_FP, PROD_FP, prodHosts));
  }

  @Test
  @DisplayName(
      "G3: a percent-encoded '&' in ApplicationName cannot smuggle PGHOST/PGPORT/PGDBNAME into"
          + " the driver URL (the driver reaches the URL's host, never prod)")
  void encodedAmpersandCannotAddParameters() throws Exception {
    try (ConnectionRecorder dev = new ConnectionRecorder();
        ConnectionRecorder prod = new ConnectionRecorder()) {
      Map<String, String> vars =
          Map.of(
              "DEV_DATABASE_URL",
              "postgresql://u@127.0.0.1:"
                  + dev.port()
                  + "/devdb?ApplicationName=x%26PGHOST%3D127.0.0.1%26PGPORT%3D"
                  + prod.port()
                  + "%26PGDBNAME%3Dproddb");
      Throwable t = open(devProd(null), "dev", vars);
      assertThat(t).isNotInstanceOf(GuardRefusal.class);
      assertThat(prod.connections()).isZero();
      assertThat(dev.connections()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "G3: an encoded '&' in a MariaDB URL parameter cannot add parameters either (the value"
          + " reaches the driver as one property)")
  void encodedAmpersandMariadb() {
    DatabaseUrl u =
        DatabaseUrl.parse(
            "mysql://u@127.0.0.1:3307/devdb?connectionAttributes=a%26localSocket%3Dx");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:3307/devdb");
    assertThat(u.connectionProperties().getProperty("connectionAttributes"))
        .isEqualTo("a&localSocket=x");
    assertThat(u.connectionProperties().getProperty("localSocket")).isNull();
  }

  @Test
  @DisplayName(
      "G3: an encoded '?' in the database name cannot add a PGPORT parameter (the database name is"
          + " encoded again for the driver)")
  void encodedQuestionMarkInDatabaseCannotAddParameters() throws Exception {
    try (ConnectionRecorder dev = new ConnectionRecorder();
        ConnectionRecorder prod = new ConnectionRecorder()) {
      Map<String, String> vars =
          Map.of(
              "DEV_DATABASE_URL",
              "postgresql://u@127.0.0.1:" + dev.port() + "/devdb%3FPGPORT%3D" + prod.port());
      Throwable t = open(devProd(null), "dev", vars);
      assertThat(t).isNotInstanceOf(GuardRefusal.class);
      assertThat(prod.connections()).isZero();
      assertThat(dev.connections()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "G3: a parameter given twice is refused before any connection (which one would the driver"
          + " use?)")
  void duplicateParameterRefused() throws Exception {
    try (ConnectionRecorder dev = new ConnectionRecorder()) {
      Map<String, String> vars =
          Map.of(
              "DEV_DATABASE_URL",
              "postgresql://u@127.0.0.1:"
                  + dev.port()
                  + "/devdb?sslmode=disable&connectTimeout=2&SSLMODE=require");
      Throwable t = open(devProd(null), "dev", vars);
      assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("more than once");
      assertThat(dev.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G3: redirecting parameters are refused whatever their case or encoding (pghost, %50GPORT)")
  void redirectingParameterAnyCaseRefused() throws Exception {
    try (ConnectionRecorder dev = new ConnectionRecorder();
        ConnectionRecorder prod = new ConnectionRecorder()) {
      for (String param :
          new String[] {"pghost=127.0.0.1", "%50GPORT=" + prod.port(), "PgDbName=proddb"}) {
        Map<String, String> vars =
            Map.of(
                "DEV_DATABASE_URL", "postgresql://u@127.0.0.1:" + dev.port() + "/devdb?" + param);
        Throwable t = open(devProd(null), "dev", vars);
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("can redirect");
      }
      assertThat(dev.connections()).isZero();
      assertThat(prod.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G3: parameters that set server settings for every session (options=-c"
          + " session_replication_role=replica, sessionVariables=foreign_key_checks=0, initSql,"
          + " allowMultiQueries) are refused before any connection, whatever their case")
  void sessionSettingParametersRefused() throws Exception {
    try (ConnectionRecorder pg = new ConnectionRecorder();
        ConnectionRecorder maria = new ConnectionRecorder()) {
      String[] urls = {
        "postgresql://u@127.0.0.1:"
            + pg.port()
            + "/devdb?options=-c%20session_replication_role%3Dreplica",
        "jdbc:postgresql://127.0.0.1:" + pg.port() + "/devdb?user=u&OPTIONS=-c%20lock_timeout=0",
        "jdbc:mariadb://127.0.0.1:"
            + maria.port()
            + "/devdb?user=u&sessionVariables=foreign_key_checks=0,sql_log_bin=0",
        "jdbc:mariadb://127.0.0.1:" + maria.port() + "/devdb?user=u&initSql=SET%20sql_log_bin=0",
        "mariadb://u@127.0.0.1:" + maria.port() + "/devdb?allowMultiQueries=true",
      };
      for (String url : urls) {
        Throwable t = open(devProd(null), "dev", Map.of("DEV_DATABASE_URL", url));
        assertThat(t)
            .as(url)
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("at the start of every session")
            .hasMessageNotContaining("role=replica")
            .hasMessageNotContaining("sql_log_bin=0");
      }
      assertThat(pg.connections()).isZero();
      assertThat(maria.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G3: 'localhost' and '127.0.0.1' are one server: dev and prod naming the same database"
          + " through them are refused before connecting")
  void loopbackNamesAreOneServer() throws Exception {
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      String[][] pairs = {
        {"localhost", "127.0.0.1"},
        {"LOCALHOST.", "127.0.0.1"},
        {"[::1]", "localhost"},
        {"[::ffff:127.0.0.1]", "127.0.0.1"},
        {"127.0.0.2", "localhost"},
      };
      for (String[] pair : pairs) {
        Map<String, String> vars = new HashMap<>();
        vars.put("CI", "true");
        vars.put("DEV_DATABASE_URL", "postgresql://app@" + pair[0] + ":" + db.port() + "/shop");
        vars.put("PROD_DATABASE_URL", "postgresql://app@" + pair[1] + ":" + db.port() + "/Shop");
        Throwable t = open(devProd(null), "dev", vars);
        assertThat(t).as(pair[0] + " vs " + pair[1]).isInstanceOf(GuardRefusal.class);
        assertThat(((GuardRefusal) t).guarantee()).isEqualTo(Guarantee.G3);
        assertThat(((GuardRefusal) t).why()).contains("same database as the URL of 'prod'");
      }
      assertThat(db.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G3: a prod host pattern matches its host however the URL spells it (case, trailing dot,"
          + " IPv6 forms)")
  void hostPatternSpellings() throws Exception {
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      for (String[] c :
          new String[][] {
            {"\"localhost\"", "LocalHost."},
            {"\"127.0.0.1\"", "[::ffff:127.0.0.1]"},
            {"\"::1\"", "[0:0:0:0:0:0:0:1]"}
          }) {
        Map<String, String> vars =
            Map.of("DEV_DATABASE_URL", "postgresql://app@" + c[1] + ":" + db.port() + "/shop_dev");
        Throwable t = open(devProd(c[0]), "dev", vars);
        assertThat(t).as(c[0] + " vs " + c[1]).isInstanceOf(GuardRefusal.class);
        assertThat(((GuardRefusal) t).why()).contains("matches host pattern");
      }
      assertThat(db.connections()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G3: numeric hosts other than a plain dotted quad (127.1, 2130706433, 0177.0.0.1) are"
          + " refused: Java and libpq read them differently")
  void ambiguousNumericHostsRefused() throws Exception {
    try (ConnectionRecorder db = new ConnectionRecorder()) {
      for (String host : new String[] {"127.1", "2130706433", "0177.0.0.1", "0x7f.0.0.1"}) {
        Map<String, String> vars =
            Map.of("DEV_DATABASE_URL", "postgresql://app@" + host + ":" + db.port() + "/shop_dev");
        Throwable t = open(devProd("\"127.0.0.*\""), "dev", vars);
        assertThat(t).as(host).isInstanceOf(ConfigException.class);
        assertThat(t.getMessage()).as(host).contains("numeric host");
      }
      assertThat(db.connections()).isZero();
    }
  }
}
