package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G2: an identity belongs to a database. Before, {@code init-fingerprint} through a URL that chose
 * another PostgreSQL schema ({@code currentSchema}) of an already fingerprinted database, or
 * another MariaDB database on the same server for an environment whose identity prodguard.yml
 * already names, silently created a second {@code database_metadata} with a new fingerprint.
 */
@DisplayName("G2: one database, one identity")
class G2OneIdentityPerDatabaseIT {
  @TempDir Path dir;

  private TestDatabase db;
  private TestDatabase other;

  @AfterEach
  void drop() {
    if (db != null) {
      db.close();
    }
    if (other != null) {
      other.close();
    }
  }

  private static String fingerprint(ProdguardConfig config, String env, String url)
      throws Exception {
    RunContext ctx = RunContext.of(Map.of("CI", "true", env.toUpperCase() + "_DATABASE_URL", url));
    return FingerprintInit.run(
            Target.prepare(config, env, ctx, Target.Access.MUTATE, "t"), ctx, false)
        .fingerprint();
  }

  private static GuardRefusal refusal(ProdguardConfig config, String env, String url) {
    Throwable t = catchThrowable(() -> fingerprint(config, env, url));
    assertThat(t).isInstanceOf(GuardRefusal.class);
    GuardRefusal r = (GuardRefusal) t;
    assertThat(r.guarantee()).isEqualTo(Guarantee.G2);
    return r;
  }

  private static long metadataTables(TestDatabase d) throws Exception {
    try (Connection c = d.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM information_schema.tables"
                    + " WHERE table_name = 'database_metadata'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  @DisplayName("G2: PostgreSQL: another currentSchema of a fingerprinted database is refused")
  void postgresAnotherSchema() throws Exception {
    db = TestDatabase.create(DatabaseKind.POSTGRESQL);
    db.execute("CREATE SCHEMA app");
    ProdguardConfig bare = Configs.load(dir, Configs.devProd(null, null, null));
    String prodFp = fingerprint(bare, "prod", db.jdbcUrl());
    ProdguardConfig config = Configs.load(dir, Configs.devProd(null, prodFp, null));

    // the same environment, and another one, through a URL that chooses schema app
    for (String env : new String[] {"prod", "dev"}) {
      GuardRefusal r = refusal(config, env, db.jdbcUrl() + "&currentSchema=app");
      assertThat(r.why())
          .contains("already has its identity in schema 'public'", prodFp, "second identity");
      assertThat(r.fix()).contains("schema 'public'", "currentSchema");
    }
    // a schema that does not exist (search_path leads nowhere) is no way around it either
    refusal(config, "dev", db.jdbcUrl() + "&currentSchema=nowhere");

    assertThat(metadataTables(db)).isEqualTo(1);
    // the right URL still works
    assertThat(fingerprint(config, "prod", db.jdbcUrl())).isEqualTo(prodFp);
  }

  @Test
  @DisplayName("G2: MariaDB: another database for an environment whose identity exists is refused")
  void mariadbAnotherDatabase() throws Exception {
    db = TestDatabase.create(DatabaseKind.MARIADB);
    other = TestDatabase.create(DatabaseKind.MARIADB);
    ProdguardConfig bare = Configs.load(dir, Configs.devProd(null, null, null));
    String prodFp = fingerprint(bare, "prod", db.jdbcUrl());
    ProdguardConfig config = Configs.load(dir, Configs.devProd(null, prodFp, null));

    GuardRefusal r = refusal(config, "prod", other.jdbcUrl());
    assertThat(r.why())
        .contains(
            "database '" + db.name() + "' on this server already holds the identity",
            prodFp,
            "second identity");
    assertThat(r.fix()).contains("database '" + db.name() + "'");
    try (Connection c = other.connect();
        ResultSet rs = c.getMetaData().getTables(other.name(), null, "database_metadata", null)) {
      assertThat(rs.next()).as("no second identity was created").isFalse();
    }

    // another environment in another database of the same server is another database
    assertThat(fingerprint(config, "dev", other.jdbcUrl())).startsWith("dev-");
  }
}
