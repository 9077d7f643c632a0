package dev.prodguard.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.prodguard.db.Guarantee;
import dev.prodguard.flyway.CallbackFile;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Help.Ansi;

/**
 * {@code prodguard demo}: two real PostgreSQL servers (dev and prod), a sample project, and every
 * guarantee tried for real. Each user-visible step runs this jar as a separate process, in the
 * sample project, with an explicit environment (a developer's shell or the CI job), and checks the
 * exit code and a key phrase of the output. The summary says what was promised and what happened.
 */
public final class Demo {
  private static final int STEPS = 10;

  /** Keeps the embedded server library quiet: its logging goes to java.util.logging. */
  private static final Logger ZONKY_LOG = Logger.getLogger("io.zonky");

  private static final Pattern RUN_ID = Pattern.compile("run (run-[0-9a-f]{12})");

  /**
   * What a command must do: its exit code and a key phrase of its output (short: for the table).
   */
  record Expect(int exit, String phrase, String shortly) {
    static Expect refusal(Guarantee g) {
      return new Expect(1, g.label(), g.name() + " refusal");
    }

    static Expect refusal(String phrase, String shortly) {
      return new Expect(1, phrase, shortly);
    }

    static Expect success(String phrase, String shortly) {
      return new Expect(0, phrase, shortly);
    }

    String expected() {
      return "exit " + exit + (phrase.isEmpty() ? "" : ", " + shortly);
    }

    String got(JarProcess.Result r) {
      return "exit "
          + r.exit()
          + (phrase.isEmpty() ? "" : found(r) ? ", " + shortly : ", missing: " + shortly);
    }

    boolean found(JarProcess.Result r) {
      return phrase.isEmpty() || r.all().contains(phrase);
    }

    boolean met(JarProcess.Result r) {
      return r.exit() == exit && found(r);
    }
  }

  /** The two shells of the story. */
  enum Shell {
    LAPTOP("laptop$"),
    CI("ci$");

    final String prompt;

    Shell(String prompt) {
      this.prompt = prompt;
    }
  }

  private final PrintWriter result;
  private final Narrator say;
  private final Path cliJar;
  private final boolean keep;
  private final boolean json;
  private final DemoSummary summary = new DemoSummary();
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private volatile boolean interrupted;

  private Path root;
  private DemoServers servers;
  private SampleProject project;
  private JarProcess jar;
  private String devUrl;
  private String prodUrl;
  private Path tokenFile;
  private final Map<String, String> laptop = new LinkedHashMap<>();
  private final Map<String, String> ci = new LinkedHashMap<>();
  private int step;

  /**
   * @param narration where the story goes (stdout for text, stderr for json)
   * @param result where the summary goes (stdout)
   */
  public Demo(
      Path cliJar,
      PrintWriter narration,
      PrintWriter result,
      Ansi ansi,
      boolean json,
      boolean keep) {
    this.cliJar = cliJar;
    this.say = new Narrator(narration, ansi);
    this.result = result;
    this.keep = keep;
    this.json = json;
  }

  /** Runs the demo; 0 when every promise held, 1 otherwise, 2 when it cannot run here. */
  public int run() throws IOException, InterruptedException {
    if (!Files.isRegularFile(cliJar)) {
      say.line(
          "prodguard demo: every step runs the prodguard jar as a separate process, and "
              + cliJar
              + " is not there; build it with ./mvnw -DskipTests package (or run ./prodguard demo)");
      return 2;
    }
    ZONKY_LOG.setLevel(Level.OFF);
    long t0 = System.nanoTime();
    root = Files.createTempDirectory("prodguard-demo-").toRealPath();
    jar = new JarProcess(cliJar, root.resolve("logs"));
    Thread hook = new Thread(this::interrupt, "prodguard-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean staying = false;
    try {
      setUp();
      steps();
      if (interrupted) {
        return 130; // the shutdown hook has cleaned up (or is doing so)
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      printSummary(seconds);
      if (keep && !interrupted) {
        staying = true;
        printKeep();
        new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook cleans up
      }
      return summary.exitCode();
    } finally {
      if (!staying) {
        cleanUp();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down: the hook runs (and finds everything cleaned)
        }
      }
    }
  }

  // ------------------------------------------------------------------ set-up

  private void setUp() throws IOException, InterruptedException {
    say.title("prodguard demo: every guarantee, tried for real on two PostgreSQL servers");
    say.blank();
    say.say(
        "Starting two real PostgreSQL servers (embedded binaries from Maven Central), one playing"
            + " 'dev' and one playing 'prod', in "
            + root
            + " ...");
    long t = System.nanoTime();
    servers = DemoServers.start(root);
    devUrl = "postgresql://postgres@127.0.0.1:" + servers.dev.port() + "/" + DemoServers.DATABASE;
    prodUrl = "postgresql://postgres@localhost:" + servers.prod.port() + "/" + DemoServers.DATABASE;
    DemoCi provider = new DemoCi();
    Path gitHome = Files.createDirectories(root.resolve("git-home"));
    project = SampleProject.write(root.resolve("shop"), gitHome, provider.jwksJson());
    String token = provider.token(Instant.now());
    tokenFile = root.resolve("ci-token.jwt");
    Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8);
    ownerOnly(tokenFile);

    Map<String, String> base = new LinkedHashMap<>();
    base.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin"));
    base.put("HOME", System.getProperty("user.home"));
    for (String pass : List.of("PRODGUARD_DUMP_BINDIR", "TMPDIR", "LANG")) {
      String v = System.getenv(pass);
      if (v != null) {
        base.put(pass, v);
      }
    }
    laptop.putAll(base);
    laptop.put("DEV_DATABASE_URL", devUrl);
    ci.putAll(base);
    ci.put("CI", "true");
    ci.put("PROD_DATABASE_URL", prodUrl);
    ci.put("PRODGUARD_CI_TOKEN", token);

    say.say(
        "Ready in %.1f s. The sample project is a shop's git repository: two migrations"
                .formatted((System.nanoTime() - t) / 1e9)
            + " (customers, orders),"
            + " prodguard.yml with dev and a protected prod (prod's host pattern is 'localhost'),"
            + " the contract prodguard-contract.yml, a deploy workflow, and ci/jwks.json: the"
            + " public key of a CI provider the demo simulates. Its private key stays in this"
            + " process and signs an OIDC token with the claims prodguard.yml pins (repository"
            + " acme/shop, ref main, environment production), as GitHub Actions would.");
    say.blank();
    say.verbatim(
        "project  "
            + project.dir
            + "\ndev      "
            + devUrl
            + "\nprod     "
            + prodUrl
            + "\n\nlaptop$  a developer's shell: DEV_DATABASE_URL="
            + devUrl
            + "\nci$      the CI job: CI=true PROD_DATABASE_URL="
            + prodUrl
            + "\n         PRODGUARD_CI_TOKEN=$(cat "
            + tokenFile
            + ")");
    if (findPgDump().isEmpty()) {
      say.blank();
      say.say(
          "Note: pg_dump (the PostgreSQL client tools, version 14 or newer) is not on PATH and"
              + " PRODGUARD_DUMP_BINDIR is not set. prodguard's backup step needs it, so steps 7"
              + " and 8 will be refused (G9) and what depends on them fails. Install it (Debian/"
              + "Ubuntu: apt-get install postgresql-client; macOS: brew install libpq) and run the"
              + " demo again.");
    }
    say.blank();
    say.say(
        "Every command below runs the real prodguard jar in the project, in one of these two"
            + " shells, and the demo checks its exit code and what it printed.");
  }

  // ------------------------------------------------------------------ the story

  private void steps() {
    attempt(this::fingerprint);
    attempt(this::localDeploy);
    attempt(this::devUrlAtProdHost);
    attempt(this::devUrlAtProdAddress);
    attempt(this::destructiveMigration);
    attempt(this::escapeHatch);
    attempt(this::pipeline);
    attempt(this::concurrentDeploy);
    attempt(this::directFlyway);
    attempt(this::audit);
  }

  private interface StepBody {
    void run() throws Exception;
  }

  /** A step that throws is a failed step; the story goes on (later steps say what they can). */
  private void attempt(StepBody body) {
    if (interrupted) {
      return;
    }
    try {
      body.run();
    } catch (Exception | AssertionError e) {
      if (interrupted) {
        return;
      }
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      say.verdict(false, "the step broke off: " + why);
      summary.add(new DemoSummary.Row(step + " step completes", "-", "no error", why, false));
    }
  }

  private void begin(String title, Guarantee... guarantees) {
    step++;
    List<String> labels = new ArrayList<>();
    for (Guarantee g : guarantees) {
      labels.add(g.label());
    }
    say.step(step, STEPS, title, String.join(", ", labels));
  }

  private void fingerprint() throws Exception {
    begin("Fingerprint dev and prod", Guarantee.G2);
    say.say(
        "Each database gets an identity. init-fingerprint records the environment, a random"
            + " fingerprint and the server's identity in a table database_metadata, and writes"
            + " the fingerprint into prodguard.yml. From then on every connection prodguard opens"
            + " is checked against it before anything else runs. prod is protected: only CI may"
            + " fingerprint it.");
    check(
        Shell.LAPTOP,
        Map.of(),
        "fingerprint dev",
        Guarantee.G2,
        Expect.success("Fingerprinted 'dev'", "fingerprinted"),
        "init-fingerprint",
        "dev",
        "--write-config");
    check(
        Shell.CI,
        Map.of(),
        "fingerprint prod (CI)",
        Guarantee.G2,
        Expect.success("Fingerprinted 'prod'", "fingerprinted"),
        "init-fingerprint",
        "prod",
        "--write-config");
    git(
        "git add -A && git commit -q -m 'Fingerprint dev and prod'",
        new String[] {"add", "-A"},
        new String[] {"commit", "-q", "-m", "Fingerprint dev and prod"});
  }

  private void localDeploy() throws Exception {
    begin("A deploy to prod from a laptop is refused", Guarantee.G1);
    say.say(
        "A developer has prod's URL in their shell and even types CI=true and"
            + " APP_ENV=production. With ci.mode oidc that proves nothing: only a token signed by"
            + " the CI provider's key, for the pinned repository, branch and environment, does."
            + " The refusal comes before any connection is opened.");
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("CI", "true");
    extra.put("APP_ENV", "production");
    extra.put("PROD_DATABASE_URL", prodUrl);
    check(
        Shell.LAPTOP,
        extra,
        "deploy prod from a laptop",
        Guarantee.G1,
        Expect.refusal(Guarantee.G1),
        "deploy",
        "prod");
  }

  private void devUrlAtProdHost() throws Exception {
    begin("The dev URL pointed at prod is refused before connecting", Guarantee.G3);
    say.say(
        "A copy-paste slip: DEV_DATABASE_URL names prod's host. prod declares the host pattern"
            + " 'localhost', so prodguard refuses the URL before a socket opens. prod's server log"
            + " (log_connections is on) shows that no connection reached it.");
    long before = servers.prod.connectionsReceived();
    check(
        Shell.LAPTOP,
        Map.of("DEV_DATABASE_URL", prodUrl),
        "dev URL at prod's host",
        Guarantee.G3,
        Expect.refusal(Guarantee.G3),
        "check",
        "dev");
    long seen = servers.prod.connectionsReceived() - before;
    // the log must be live (it holds the earlier connections), or "0 new" would prove nothing
    boolean ok = before > 0 && seen == 0;
    String got =
        before == 0 ? "prod's log records no connections at all" : seen + " new connection(s)";
    say.verdict(ok, "prod's log: " + got + " (" + before + " before)");
    summary.add(
        new DemoSummary.Row(step + " no connection to prod", "G3", "0 new connections", got, ok));
  }

  private void devUrlAtProdAddress() throws Exception {
    begin("The dev URL at prod's address is refused by the fingerprint", Guarantee.G2);
    say.say(
        "Host patterns see names, not addresses: this time the dev URL uses prod's IP address"
            + " and port, which no pattern lists. prodguard connects, and the first thing it"
            + " reads is database_metadata: it says 'prod', not 'dev'. Refused before Flyway, the"
            + " application or any other statement gets the connection.");
    String prodByAddress =
        "postgresql://postgres@127.0.0.1:" + servers.prod.port() + "/" + DemoServers.DATABASE;
    check(
        Shell.LAPTOP,
        Map.of("DEV_DATABASE_URL", prodByAddress),
        "dev URL at prod's address",
        Guarantee.G2,
        Expect.refusal(Guarantee.G2),
        "check",
        "dev");
  }

  private void destructiveMigration() throws Exception {
    begin("A destructive migration is refused by the contract", Guarantee.G4);
    say.say(
        "Someone adds a migration that 'tidies up'. prodguard-contract.yml forbids deleting"
            + " without WHERE and dropping tables on protected environments. lint says so in the"
            + " pull request, and verify refuses it in the pipeline; no comment in the SQL can"
            + " change that.");
    project.migration(SampleProject.V3_DESTRUCTIVE_NAME, SampleProject.V3_DESTRUCTIVE);
    say.blank();
    say.verbatim(
        SampleProject.MIGRATIONS
            + "/"
            + SampleProject.V3_DESTRUCTIVE_NAME
            + ":\n"
            + SampleProject.V3_DESTRUCTIVE);
    check(
        Shell.LAPTOP,
        Map.of(),
        "lint the migration",
        Guarantee.G4,
        Expect.refusal("delete-without-where", "delete-without-where"),
        "lint");
    check(
        Shell.CI,
        Map.of(),
        "verify prod with it",
        Guarantee.G4,
        Expect.refusal(Guarantee.G4),
        "verify",
        "prod");
    project.remove(SampleProject.MIGRATIONS + "/" + SampleProject.V3_DESTRUCTIVE_NAME);
    say.say("(the demo removes the migration again)");
  }

  private void escapeHatch() throws Exception {
    begin("An escape hatch in the repository is found", Guarantee.G5);
    say.say(
        "Someone commits a 'just this once' script that runs Flyway straight at prod's URL."
            + " prodguard scan finds direct migration calls, and prod URL references outside the"
            + " contract's mutation-scripts; no inline comment can silence a finding.");
    project.put(SampleProject.HOTFIX_SCRIPT, SampleProject.HOTFIX);
    say.blank();
    say.verbatim(SampleProject.HOTFIX_SCRIPT + ":\n" + SampleProject.HOTFIX);
    git(
        "git add " + SampleProject.HOTFIX_SCRIPT,
        new String[] {"add", SampleProject.HOTFIX_SCRIPT});
    if (!project.hasGit()) {
      say.say("(git is not installed here: the scan reads every file of the folder)");
    }
    check(
        Shell.LAPTOP,
        Map.of(),
        "scan the repository",
        Guarantee.G5,
        Expect.refusal("direct-migration-call", "direct-migration-call"),
        "scan",
        ".");
    if (project.hasGit()) {
      project.git("rm", "-q", "-f", SampleProject.HOTFIX_SCRIPT);
    }
    project.remove(SampleProject.HOTFIX_SCRIPT);
    say.say("(the demo removes the script again)");
  }

  private void pipeline() throws Exception {
    begin("The pipeline in CI: verify, backup, deploy", Guarantee.G7, Guarantee.G9);
    say.say(
        "The only road to prod. Each step needs the one before, bound to the exact set of"
            + " pending migrations, the contract and the backup's SHA-256, with the state kept in"
            + " prod itself; out of order, it is refused. Before each step connects, the CI job's"
            + " OIDC token is verified offline against ci/jwks.json (G1).");
    check(
        Shell.CI,
        Map.of(),
        "deploy before verify",
        Guarantee.G7,
        Expect.refusal("deployment fails without verification state", "no verification state"),
        "deploy",
        "prod");
    check(
        Shell.CI,
        Map.of(),
        "verify prod",
        Guarantee.G7,
        Expect.success("verified 'prod'", "verified"),
        "verify",
        "prod");
    check(
        Shell.CI,
        Map.of(),
        "backup prod",
        Guarantee.G9,
        Expect.success("backed up 'prod'", "backed up"),
        "backup",
        "prod");
    check(
        Shell.CI,
        Map.of(),
        "deploy prod",
        Guarantee.G7,
        Expect.success("deployed run", "deployed"),
        "deploy",
        "prod");
  }

  private void concurrentDeploy() throws Exception {
    begin("A second deploy at the same time is refused", Guarantee.G8);
    say.say(
        "A new migration is verified and backed up, then two deploys start. The first takes the"
            + " deploy lock (a session-level advisory lock that the server releases if the"
            + " deploy dies). To make the overlap certain rather than a race, the demo holds a"
            + " lock on table orders, so the first deploy's ALTER TABLE waits, as a long"
            + " migration would. Meanwhile the second deploy starts and is refused at once,"
            + " naming the first.");
    project.migration(SampleProject.V3_NAME, SampleProject.V3);
    say.blank();
    say.verbatim(SampleProject.MIGRATIONS + "/" + SampleProject.V3_NAME + ":\n" + SampleProject.V3);
    prepare(
        Shell.CI,
        "verify V3",
        Guarantee.G7,
        Expect.success("verified 'prod'", "verified"),
        "verify",
        "prod");
    prepare(
        Shell.CI,
        "backup for V3",
        Guarantee.G9,
        Expect.success("backed up 'prod'", "backed up"),
        "backup",
        "prod");

    try (Connection holder = observe()) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("LOCK TABLE orders IN ACCESS SHARE MODE");
      }
      say.command(Shell.CI.prompt + " prodguard deploy prod &      # the first deploy");
      JarProcess.Running first = jar.start(project.dir, ci, List.of("deploy", "prod"));
      boolean waiting = awaitWaitingOnOrders(first);
      say.say(
          waiting
              ? "(the first deploy holds the deploy lock and waits in its migration)"
              : "(the first deploy did not reach its migration)");
      JarProcess.Result second =
          check(
              Shell.CI,
              Map.of(),
              "a second deploy meanwhile",
              Guarantee.G8,
              Expect.refusal(Guarantee.G8),
              "deploy",
              "prod");
      holder.commit();
      say.say("(the demo releases table orders; the first deploy goes on)");
      JarProcess.Result done = first.await();
      say.command(Shell.CI.prompt + " wait      # for the first deploy");
      say.output(done.all());
      verdict(
          "the first deploy ends",
          Guarantee.G8,
          Expect.success("deployed run", "deployed"),
          done,
          true);
      Optional<String> named = firstMatch(second.all());
      Optional<String> deployed = firstMatch(done.out());
      boolean same = named.isPresent() && named.equals(deployed);
      String got =
          named.isEmpty()
              ? "no run named"
              : same ? named.get() : named.get() + ", not " + deployed.orElse("?");
      say.verdict(same, "the refusal named the deploy that held the lock: " + got);
      summary.add(
          new DemoSummary.Row(
              step + " the refusal names it", "G8", "the first deploy's run", got, same));
    }
  }

  private void directFlyway() throws Exception {
    begin("Flyway run by hand against prod is refused inside the database", Guarantee.G6);
    say.say(
        "Someone skips prodguard and runs Flyway directly against prod with a hotfix: Flyway's"
            + " defaults, nothing of prodguard in between. Only what prodguard installed in prod"
            + " can stop this: the "
            + CallbackFile.NAME
            + " callback that init-fingerprint wrote into db/migration calls"
            + " prodguard_assert_deploy() before each migration Flyway applies, triggers on"
            + " flyway_schema_history refuse its rows, and an event trigger refuses DDL outside an"
            + " approved deploy.");
    if (!Files.exists(project.migrations().resolve(CallbackFile.NAME))) {
      say.say(
          "(Note: this project has no db/migration/"
              + CallbackFile.NAME
              + ": the init-fingerprint of this build did not write it.)");
    }
    project.migration(SampleProject.V4_NAME, SampleProject.V4);
    say.blank();
    say.verbatim(SampleProject.MIGRATIONS + "/" + SampleProject.V4_NAME + ":\n" + SampleProject.V4);
    String jdbc = "jdbc:postgresql://localhost:" + servers.prod.port() + "/" + DemoServers.DATABASE;
    say.command(
        Shell.LAPTOP.prompt
            + " flyway -url="
            + jdbc
            + " -user=postgres -locations=filesystem:"
            + SampleProject.MIGRATIONS
            + " migrate");
    say.say(
        "(the demo runs exactly this through Flyway's Java API, in its own process, on the"
            + " project's migration folder)");
    DirectFlyway.Outcome o = DirectFlyway.migrate(jdbc, "postgres", project.migrations());
    say.output(
        o.migrated()
            ? "Flyway: successfully applied " + o.applied() + " migration(s)"
            : o.message());
    String phrase = "direct migration blocked";
    boolean blocked = !o.migrated() && o.message().toLowerCase(Locale.ROOT).contains(phrase);
    String got =
        o.migrated()
            ? "migrated: " + o.applied() + " applied"
            : blocked ? "refused, G6" : "failed otherwise: " + firstLine(o.message());
    say.verdict(blocked, "expected a refusal with \"" + phrase + "\"; got " + got);
    summary.add(
        new DemoSummary.Row(step + " Flyway run by hand", "G6", "refused, G6", got, blocked));

    boolean applied;
    try (Connection c = observe();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT to_regclass('refunds') IS NOT NULL"
                    + " OR EXISTS (SELECT 1 FROM flyway_schema_history WHERE version = '4')")) {
      rs.next();
      applied = rs.getBoolean(1);
    }
    String state = applied ? "V4 applied" : "V4 not applied";
    say.verdict(!applied, "prod after the attempt: " + state);
    summary.add(
        new DemoSummary.Row(step + " nothing applied", "G6", "V4 not applied", state, !applied));
    if (!applied) {
      say.say(
          "V4__refunds.sql stays pending: the pipeline is the way to deploy it (with --keep, try"
              + " prodguard promote prod in the ci$ shell).");
    }
  }

  private void audit() throws Exception {
    begin("The audit trail is verified", Guarantee.G10);
    say.say(
        "Every guarded operation on prod, refusals included, was appended to prodguard_audit, a"
            + " hash-chained table the database refuses to UPDATE or DELETE. audit verify walks"
            + " the chain and prints its head: record it (CI logs do) to catch a rewrite later."
            + " Refusals before any connection went to .prodguard/audit.jsonl instead.");
    prepare(
        Shell.CI,
        "show the trail",
        Guarantee.G10,
        Expect.success("", ""),
        "audit",
        "prod",
        "--limit",
        "5");
    check(
        Shell.CI,
        Map.of(),
        "audit verify prod",
        Guarantee.G10,
        Expect.success("is intact", "intact"),
        "audit",
        "verify",
        "prod");
  }

  // ------------------------------------------------------------------ running and checking

  /** Runs a command, shows it and its output, and records a summary row. */
  private JarProcess.Result check(
      Shell shell, Map<String, String> extra, String label, Guarantee g, Expect e, String... args)
      throws InterruptedException {
    JarProcess.Result r = show(shell, extra, args);
    verdict(label, g, e, r, true);
    return r;
  }

  /** A preparatory command: shown and checked, in the summary only when it fails. */
  private JarProcess.Result prepare(
      Shell shell, String label, Guarantee g, Expect e, String... args)
      throws InterruptedException {
    JarProcess.Result r = show(shell, Map.of(), args);
    verdict(label, g, e, r, false);
    return r;
  }

  private JarProcess.Result show(Shell shell, Map<String, String> extra, String... args)
      throws InterruptedException {
    StringBuilder line = new StringBuilder(shell.prompt).append(' ');
    extra.forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
    line.append("prodguard ").append(String.join(" ", args));
    say.command(line.toString());
    Map<String, String> env = new LinkedHashMap<>(shell == Shell.CI ? ci : laptop);
    env.putAll(extra);
    JarProcess.Result r = jar.run(project.dir, env, List.of(args));
    if (interrupted) {
      throw new IllegalStateException("stopped"); // Ctrl-C: attempt() ends the story quietly
    }
    say.output(r.all());
    return r;
  }

  private void verdict(String label, Guarantee g, Expect e, JarProcess.Result r, boolean row) {
    boolean ok = e.met(r);
    String expected = e.exit() + (e.phrase().isEmpty() ? "" : " and \"" + e.phrase() + "\"");
    String got = "exit " + r.exit() + (e.found(r) ? "" : ", without \"" + e.phrase() + "\"");
    say.verdict(
        ok,
        (ok ? "exit " + expected : "expected exit " + expected + "; got " + got)
            + String.format(" (%.1f s)", r.millis() / 1000.0));
    if (row || !ok) {
      summary.add(new DemoSummary.Row(step + " " + label, g.name(), e.expected(), e.got(r), ok));
    }
  }

  /** A git command in the sample project, shown as the developer would type it. */
  private void git(String shown, String[]... commands) throws IOException, InterruptedException {
    if (!project.hasGit()) {
      return;
    }
    say.command(Shell.LAPTOP.prompt + " " + shown);
    for (String[] args : commands) {
      SampleProject.GitResult r = project.git(args);
      if (!r.ok()) {
        say.output(r.output());
        say.verdict(false, "git failed");
        summary.add(new DemoSummary.Row(step + " " + shown, "-", "exit 0", "git failed", false));
        return;
      }
    }
  }

  /** The demo's own connection to prod, to observe (and, in step 8, hold a table lock). */
  private Connection observe() throws SQLException {
    return DriverManager.getConnection(servers.prod.jdbcUrl("127.0.0.1"));
  }

  /** Waits until the first deploy's migration waits for the table lock the demo holds. */
  private boolean awaitWaitingOnOrders(JarProcess.Running first)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + 90_000_000_000L;
    try (Connection c = observe()) {
      while (System.nanoTime() < deadline && first.isAlive() && !interrupted) {
        try (Statement st = c.createStatement();
            ResultSet rs =
                st.executeQuery(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class t ON t.oid = l.relation"
                        + " WHERE t.relname = 'orders' AND NOT l.granted")) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return true;
          }
        }
        Thread.sleep(50);
      }
    }
    return false;
  }

  /** Where prodguard's backup will look for pg_dump: PRODGUARD_DUMP_BINDIR, else PATH. */
  private static Optional<Path> findPgDump() {
    String exe =
        System.getProperty("os.name", "").startsWith("Windows") ? "pg_dump.exe" : "pg_dump";
    String bindir = System.getenv("PRODGUARD_DUMP_BINDIR");
    List<String> dirs =
        bindir != null
            ? List.of(bindir)
            : List.of(
                Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator));
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, exe))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static Optional<String> firstMatch(String text) {
    Matcher m = RUN_ID.matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static String firstLine(String s) {
    String line = s.strip().split("\n", 2)[0];
    return line.length() > 80 ? line.substring(0, 77) + "..." : line;
  }

  // ------------------------------------------------------------------ the end

  private void printSummary(double seconds) {
    if (json) {
      try {
        result.println(
            new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(summary.toJson(seconds)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      result.flush();
    }
    say.blank();
    say.title("Summary");
    for (String line : summary.table()) {
      String shown = line;
      if (line.endsWith(" " + DemoSummary.FAILED)) {
        shown =
            line.substring(0, line.length() - DemoSummary.FAILED.length())
                + say.ansi().string("@|bold,red " + DemoSummary.FAILED + "|@");
      }
      say.line(shown);
    }
    say.blank();
    if (summary.allOk()) {
      say.line(
          String.format(
              "Every guarantee behaved as promised (%d checks, %.1f s).",
              summary.rows().size(), seconds));
    } else {
      say.line(
          String.format(
              "%d of %d checks did NOT behave as promised (%.1f s). Exit 1.",
              summary.failed(), summary.rows().size(), seconds));
    }
  }

  private void printKeep() {
    Path launcher = jar.jar().getParent().getParent().getParent().resolve("prodguard");
    String run =
        Files.isExecutable(launcher) ? launcher.toString() : "java -jar " + jar.jar().toString();
    say.blank();
    say.title(
        "Still running (--keep): explore, then press Ctrl-C to stop the servers and delete "
            + root);
    say.blank();
    say.verbatim(
        "cd "
            + project.dir
            + "\nalias prodguard='"
            + run
            + "'"
            + "\n\n# as the developer (dev deploys directly, with the fingerprint check):"
            + "\nexport DEV_DATABASE_URL="
            + devUrl
            + "\nprodguard check dev"
            + "\nprodguard deploy dev"
            + "\nprodguard lint"
            + "\n\n# as the CI job (the demo's token is valid for "
            + DemoCi.TOKEN_LIFETIME.toMinutes()
            + " minutes):"
            + "\nexport CI=true PROD_DATABASE_URL="
            + prodUrl
            + " PRODGUARD_CI_TOKEN=\"$(cat "
            + tokenFile
            + ")\""
            + "\nprodguard ci whoami"
            + "\nprodguard status prod"
            + "\nprodguard promote prod        # deploys the pending V4__refunds.sql the right way"
            + "\nprodguard audit prod"
            + "\n\n# the databases themselves (psql, if installed):"
            + "\npsql "
            + devUrl
            + "\npsql "
            + prodUrl
            + "\n# server logs: "
            + root.resolve("logs"));
    say.writer().flush();
  }

  /** Ctrl-C (or any JVM shutdown) while the demo runs or waits: stop everything, delete all. */
  private void interrupt() {
    interrupted = true;
    if (jar != null) {
      jar.destroyAll();
    }
    boolean first = !cleaned.get();
    cleanUp();
    if (first) {
      System.err.println("prodguard demo: stopped; servers stopped, " + root + " deleted");
    }
  }

  /** Synchronized: a Ctrl-C during the normal clean-up waits for it instead of halting it. */
  private synchronized void cleanUp() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    if (servers != null) {
      servers.close();
    }
    deleteTree(root);
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("prodguard demo: could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static void ownerOnly(Path f) {
    try {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: the demo's temporary directory is the user's anyway
    }
  }
}
