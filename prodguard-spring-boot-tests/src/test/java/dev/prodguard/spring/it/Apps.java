package dev.prodguard.spring.it;

import dev.prodguard.db.Fingerprints;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts real application contexts and sets up the databases they are pointed at. */
final class Apps {
  static final String DEV_FP = Fingerprints.generate("dev");
  static final String PROD_FP = Fingerprints.generate("prod");
  static final String APP_MIGRATIONS = "classpath:db/migration/app";

  private Apps() {}

  /** prodguard.yml with dev and a protected prod, written into {@code dir}; extra lines for prod. */
  static Path config(Path dir, String... prodExtra) throws IOException {
    StringBuilder y =
        new StringBuilder()
            .append("environments:\n")
            .append("  dev:\n")
            .append("    url: ${DEV_DATABASE_URL}\n")
            .append("    fingerprint: ")
            .append(DEV_FP)
            .append("\n  prod:\n")
            .append("    url: ${PROD_DATABASE_URL}\n")
            .append("    fingerprint: ")
            .append(PROD_FP)
            .append("\n    protected: true\n");
    for (String line : prodExtra) {
      y.append("    ").append(line).append('\n');
    }
    Path file = dir.resolve("prodguard.yml");
    Files.writeString(file, y.toString());
    return file;
  }

  /** Creates database_metadata as init-fingerprint does, for {@code environment}. */
  static void fingerprint(TestDatabase db, String environment) throws SQLException {
    String fp = environment.equals("dev") ? DEV_FP : PROD_FP;
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      DatabaseSupport d = DatabaseSupport.of(c);
      for (String sql : d.objects().metadataTable()) {
        st.execute(sql);
      }
      String identity;
      try (ResultSet rs = st.executeQuery("SELECT " + d.serverIdentityExpression(c))) {
        rs.next();
        identity = rs.getString(1);
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO database_metadata (id, environment, fingerprint, server_identity,"
                  + " created_by) VALUES (1, ?, ?, ?, 'test')")) {
        ps.setString(1, environment);
        ps.setString(2, fp);
        ps.setString(3, identity);
        ps.executeUpdate();
      }
    }
  }

  /** The properties of an application that is {@code environment}, on {@code url}. */
  static Map<String, Object> props(Path config, String environment, String url) {
    Map<String, Object> p = new HashMap<>();
    p.put("prodguard.config", config.toString());
    p.put("prodguard.environment", environment);
    if (url != null) {
      p.put("spring.datasource.url", url);
    }
    p.put("spring.flyway.locations", APP_MIGRATIONS);
    p.put("spring.jpa.open-in-view", "false");
    p.put("spring.main.banner-mode", "off");
    p.put("spring.jmx.enabled", "false");
    p.put("management.info.env.enabled", "false");
    return p;
  }

  static ConfigurableApplicationContext start(Map<String, Object> props, Class<?>... sources) {
    Class<?>[] all = sources.length == 0 ? new Class<?>[] {BootApp.class} : sources;
    return new SpringApplicationBuilder(all).web(WebApplicationType.NONE).properties(props).run();
  }

  /** A start-up that succeeded: the context and what Spring Boot printed while starting. */
  record Started(ConfigurableApplicationContext context, String output) implements AutoCloseable {
    @Override
    public void close() {
      context.close();
    }
  }

  static Started startCapturing(Map<String, Object> props, Class<?>... sources) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(tee(out, captured), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(tee(err, captured), true, StandardCharsets.UTF_8));
    try {
      ConfigurableApplicationContext ctx = start(props, sources);
      return new Started(ctx, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** A start-up that must fail: the exception and what Spring Boot printed. */
  record Failure(Throwable error, String output) {}

  static Failure startFailing(Map<String, Object> props, Class<?>... sources) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(tee(out, captured), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(tee(err, captured), true, StandardCharsets.UTF_8));
    try {
      ConfigurableApplicationContext ctx = start(props, sources);
      ctx.close();
      throw new AssertionError("the application started; it must have been refused");
    } catch (RuntimeException e) {
      return new Failure(e, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static OutputStream tee(OutputStream a, OutputStream b) {
    return new OutputStream() {
      @Override
      public void write(int x) throws IOException {
        a.write(x);
        b.write(x);
      }

      @Override
      public void write(byte[] buf, int off, int len) throws IOException {
        a.write(buf, off, len);
        b.write(buf, off, len);
      }
    };
  }

  /** The tables of the test database, as its server lists them. */
  static List<String> tables(TestDatabase db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        ResultSet rs =
            c.getMetaData()
                .getTables(
                    c.getCatalog(),
                    c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")
                        ? "public"
                        : null,
                    "%",
                    new String[] {"TABLE"})) {
      while (rs.next()) {
        out.add(rs.getString("TABLE_NAME").toLowerCase());
      }
    }
    return out;
  }

  /** Versions the history table holds, in order. */
  static List<String> applied(TestDatabase db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT version FROM flyway_schema_history WHERE type = 'SQL' AND success"
                    + " ORDER BY installed_rank")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * Applies the migrations up to {@code target} with plain Flyway, as the CI pipeline's deploy
   * does (its baseline at version 0 for a schema holding only prodguard's metadata included).
   */
  static void migrateAsPipeline(TestDatabase db, String target) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(db.jdbcUrl(), null, null)
            .locations(APP_MIGRATIONS)
            .baselineVersion("0")
            .target(target)
            .load();
    flyway.baseline();
    flyway.migrate();
  }
}
