package dev.prodguard.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The sample application repository the demo works in: migrations, config, contract, CI. */
final class SampleProject {
  static final String MIGRATIONS = "db/migration";

  static final String CONFIG =
      """
      # prodguard demo: a shop with a dev and a prod database (see docs/demo.md)
      environments:
        dev:
          url: ${DEV_DATABASE_URL}
          database: postgresql        # which server's rules judge migrations where the URL is unset
        prod:
          url: ${PROD_DATABASE_URL}
          database: postgresql
          protected: true             # mutation only from CI, only through the pipeline
          hosts: ["localhost"]        # prod's host name here; in real life e.g. "*.prod.internal"
      migrations:
        locations: [db/migration]
      contract: prodguard-contract.yml
      ci:
        mode: oidc
        oidc:
          issuer: %s
          audience: %s
          jwks: file:ci/jwks.json     # the demo's local CI key; in real life GitHub's published keys
          claims: { repository: %s, ref: %s, environment: %s }
      pipeline: { verification-ttl: 30m, backup-ttl: 60m }
      state-directory: .prodguard     # the demo keeps its state inside its temporary project
      backup: { directory: .prodguard/backups, restore-check: true }
      """
          .formatted(
              DemoCi.ISSUER, DemoCi.AUDIENCE, DemoCi.REPOSITORY, DemoCi.REF, DemoCi.ENVIRONMENT);

  static final String CONTRACT =
      """
      # What may change production. Reviewed like code.
      version: 1
      forbidden: [drop-database, drop-schema, drop-table, drop-column, truncate,
                  delete-without-where, update-without-where, alter-column-type,
                  rename-table, rename-column, grant, revoke, unknown-statement]
      mutation-scripts: [.github/workflows/deploy.yml]
      """;

  static final String WORKFLOW =
      """
      # The one road to production: the pipeline, with the job's OIDC identity.
      name: deploy database
      on:
        push:
          branches: [main]
      concurrency:
        group: prodguard-prod
        cancel-in-progress: false
      jobs:
        promote-prod:
          runs-on: ubuntu-latest
          environment: production
          permissions:
            contents: read
            id-token: write
          steps:
            - uses: actions/checkout@v4
            - uses: actions/setup-java@v4
              with:
                distribution: temurin
                java-version: "17"
            - run: ./prodguard promote prod
              env:
                PROD_DATABASE_URL: ${{ secrets.PROD_DATABASE_URL }}
      """;

  static final String V1 =
      """
      CREATE TABLE customers (
        id         bigint PRIMARY KEY,
        email      text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO customers (id, email) VALUES (1, 'ada@example.com'), (2, 'alan@example.com');
      """;

  static final String V2 =
      """
      CREATE TABLE orders (
        id          bigint PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES customers (id),
        total_cents integer NOT NULL,
        status      text NOT NULL DEFAULT 'new'
      );
      INSERT INTO orders (id, customer_id, total_cents) VALUES (1, 1, 4200), (2, 2, 1999);
      """;

  /** The destructive migration the contract refuses (G4). */
  static final String V3_DESTRUCTIVE_NAME = "V3__remove_test_data.sql";

  static final String V3_DESTRUCTIVE =
      """
      -- "tidy up" before the launch
      DELETE FROM orders;
      DROP TABLE customers CASCADE;
      """;

  /** The escape hatch the scan refuses (G5). */
  static final String HOTFIX_SCRIPT = "scripts/hotfix.sh";

  static final String HOTFIX =
      """
      #!/bin/sh
      # "just this once": apply the hotfix straight to prod
      flyway -url="$PROD_DATABASE_URL" -locations=filesystem:db/migration migrate
      """;

  /** The migration the concurrent deploys race for (G8). */
  static final String V3_NAME = "V3__orders_shipped_at.sql";

  static final String V3 = "ALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n";

  /** The hotfix someone applies with Flyway by hand (G6). */
  static final String V4_NAME = "V4__refunds.sql";

  static final String V4 =
      """
      CREATE TABLE refunds (
        id       bigint PRIMARY KEY,
        order_id bigint NOT NULL REFERENCES orders (id),
        cents    integer NOT NULL
      );
      """;

  /** Outcome of a git command. */
  record GitResult(boolean ok, String output) {}

  final Path dir;
  private final Path gitHome;
  private boolean git;

  private SampleProject(Path dir, Path gitHome) {
    this.dir = dir;
    this.gitHome = gitHome;
  }

  /**
   * Writes the project and, when git is installed, makes it a repository with everything committed
   * (prodguard scan reads what git tracks; .prodguard/ holds local state and is ignored). {@code
   * gitHome} keeps the user's git configuration out of it.
   */
  static SampleProject write(Path dir, Path gitHome, String jwksJson)
      throws IOException, InterruptedException {
    SampleProject p = new SampleProject(dir, gitHome);
    p.put("prodguard.yml", CONFIG);
    p.put("prodguard-contract.yml", CONTRACT);
    p.put("ci/jwks.json", jwksJson + "\n");
    p.put(".github/workflows/deploy.yml", WORKFLOW);
    p.put(".gitignore", ".prodguard/\n");
    p.put(MIGRATIONS + "/V1__customers.sql", V1);
    p.put(MIGRATIONS + "/V2__orders.sql", V2);
    p.git = true;
    p.git =
        p.git("init", "-q").ok()
            && p.git("add", "-A").ok()
            && p.git("commit", "-q", "-m", "The shop, with prodguard").ok();
    return p;
  }

  boolean hasGit() {
    return git;
  }

  GitResult git(String... args) throws IOException, InterruptedException {
    if (!git) {
      return new GitResult(false, "git is not available");
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "git",
                "-c",
                "user.name=A Developer",
                "-c",
                "user.email=dev@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("HOME", gitHome.toString());
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("GIT_") && !k.equals("GIT_CONFIG_NOSYSTEM"));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new GitResult(false, "git cannot run: " + e.getMessage());
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new GitResult(p.waitFor() == 0, out);
  }

  Path migrations() {
    return dir.resolve(MIGRATIONS);
  }

  void put(String relative, String content) throws IOException {
    Path f = dir.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content, StandardCharsets.UTF_8);
  }

  void migration(String name, String content) throws IOException {
    put(MIGRATIONS + "/" + name, content);
  }

  void remove(String relative) throws IOException {
    Files.deleteIfExists(dir.resolve(relative));
  }
}
