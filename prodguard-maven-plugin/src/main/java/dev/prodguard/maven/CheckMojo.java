package dev.prodguard.maven;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.jdbc.DatabaseMetadata;
import java.sql.SQLException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code prodguard:check}: the read-only URL rule (G3) and fingerprint check (G2) of one
 * environment, as {@code prodguard check ENV}. Not bound to a phase (it needs the database): run
 * {@code mvn prodguard:check -Dprodguard.environment=dev} or bind it in an execution. A refusal
 * fails the build with the one screen that says why.
 */
@Mojo(name = "check", threadSafe = true, requiresProject = false)
public class CheckMojo extends AbstractProdguardMojo {
  /** The environment of prodguard.yml to check. */
  @Parameter(property = "prodguard.environment", required = true)
  String environment;

  @Override
  String goal() {
    return "check";
  }

  @Override
  void run() throws SQLException {
    ProdguardConfig cfg = requiredConfig();
    Target t = Target.prepare(cfg, environment, RunContext.system(), Target.Access.READ, "check");
    try (Target.Checked c = t.open()) {
      DatabaseMetadata m = c.metadata();
      getLog()
          .info("prodguard check ok: '" + environment + "' is the database prodguard.yml names");
      getLog().info("  url:         " + t.url());
      getLog().info("  fingerprint: " + m.fingerprint());
      getLog().info("  server:      " + m.serverIdentity());
    }
  }
}
