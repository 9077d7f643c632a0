package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A protected environment {@code prod} for the CLI's pipeline tests, set up as a team's CI would:
 * the variables a CI job has, a {@code prodguard.yml} naming the environment, the first migration,
 * and the fingerprint written in by {@code init-fingerprint prod --write-config}.
 */
final class CliProd {
  /** The commit CI reports ({@code GITHUB_SHA}). */
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  private CliProd() {}

  /**
   * CI's variables for {@code prod}: {@code CI=true}, {@code PROD_DATABASE_URL}, the commit and the
   * actor. A MariaDB gets G6's role split: the application URL is a user with {@code SELECT,
   * EXECUTE} only and the owner's URL is in {@code PROD_DEPLOY_DATABASE_URL}.
   */
  static Map<String, String> ci(TestDatabase db) {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("PROD_DATABASE_URL", db.libpqUrl());
    if (db.kind() == DatabaseKind.MARIADB) {
      env.put("PROD_DATABASE_URL", db.libpqUrl(db.createUser("SELECT, EXECUTE")));
      env.put("PROD_DEPLOY_DATABASE_URL", db.libpqUrl());
    }
    env.put("GITHUB_SHA", COMMIT);
    env.put("GITHUB_ACTOR", "ci-bot");
    return env;
  }

  /**
   * The {@code environments:} block for a protected {@code prod} at {@code ${PROD_DATABASE_URL}},
   * with {@code deploy-url: ${PROD_DEPLOY_DATABASE_URL}} when {@code env} has that variable.
   */
  static String environments(Map<String, String> env) {
    return "environments:\n"
        + "  prod:\n"
        + "    url: ${PROD_DATABASE_URL}\n"
        + (env.containsKey("PROD_DEPLOY_DATABASE_URL")
            ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n"
            : "")
        + "    protected: true\n";
  }

  /**
   * Writes {@code prodguard.yml} (the {@link #environments} block, then {@code rest}: the other
   * top-level keys), the first migration {@code db/migration/<v1Name>} and fingerprints {@code
   * prod}, asserting that {@code init-fingerprint} exits 0.
   *
   * @return the migrations folder
   */
  static Path fingerprinted(
      Path dir, Map<String, String> env, String rest, String v1Name, String v1Text)
      throws Exception {
    Files.writeString(dir.resolve("prodguard.yml"), environments(env) + rest);
    Path migrations = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(migrations.resolve(v1Name), v1Text);
    Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
    assertThat(init.exit()).as(init.all()).isZero();
    return migrations;
  }

  /** {@link #fingerprinted}, then the first {@code promote prod}, asserting that it exits 0. */
  static Path promoted(Path dir, Map<String, String> env, String rest, String v1Name, String v1Text)
      throws Exception {
    Path migrations = fingerprinted(dir, env, rest, v1Name, v1Text);
    Cli.Result first = Cli.run(dir, env, "promote", "prod");
    assertThat(first.exit()).as(first.all()).isZero();
    return migrations;
  }
}
