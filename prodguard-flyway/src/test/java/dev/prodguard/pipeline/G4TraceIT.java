package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.trace.StatementTrace;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace on real PostgreSQL: the pending migrations of a protected target whose orders table holds
 * 300,000 rows are replayed on a copy of its schema in a scratch database; each statement is
 * reported with the lock and the rewrite or scan the server really performed, joined with the
 * target's own size of the table. The target keeps its rows and schema; the scratch database is
 * gone afterwards.
 */
@DisplayName("G4 trace: facts from the server, joined with the target's sizes (PostgreSQL)")
class G4TraceIT {
  @TempDir Path dir;

  private PipelineFixture f;

  @BeforeEach
  void target() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    f.pipeline().promote("prod");
    f.db.execute(
        "CREATE TABLE customers (id int PRIMARY KEY)",
        "INSERT INTO customers SELECT g FROM generate_series(0, 999) g",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, total numeric(10,2),"
            + " note text)",
        "INSERT INTO orders SELECT g, g % 1000, g * 1.5, 'n' FROM generate_series(1, 300000) g",
        "ANALYZE orders",
        "ANALYZE customers");
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    f.close();
  }

  /** On the embedded default: the only PostgreSQL server here is the target's own. */
  private TraceReport trace() throws Exception {
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", Optional.empty());
  }

  @Test
  @DisplayName(
      "G4: a scratch server that is the target's own server is refused before anything is"
          + " replayed (the replay of a covered DROP DATABASE dropped the target)")
  void targetServerIsNoScratch() throws Exception {
    f.migration("V2__note.sql", "ALTER TABLE orders ADD COLUMN extra text;\n");
    DatabaseUrl same = DatabaseUrl.parse(f.db.libpqUrl()).withDatabase("postgres");
    long before = scratchDatabases();
    assertThatThrownBy(
            () ->
                new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
                    .trace("prod", same))
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why()).contains("is the server of 'prod' itself");
            });
    assertThat(scratchDatabases()).isEqualTo(before);
  }

  @Test
  @DisplayName(
      "G4: on the embedded scratch server too, trace replays nothing that may act beyond its"
          + " scratch database: COPY ... TO PROGRAM (a superuser session runs it on the host, with"
          + " prodguard's environment) is refused before the server starts, even covered by a"
          + " reviewed exception; the program never runs")
  void serverWideNeverReplayedOnEmbedded() throws Exception {
    Path marker = dir.resolve("ran-on-host");
    f.migration("V2__program.sql", "COPY (SELECT 1) TO PROGRAM 'touch " + marker + "';\n");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\nexceptions:\n  - { migration: V2, rule: unknown-statement, reason: \"x\" }\n");
    assertThatThrownBy(this::trace)
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why()).contains("[unknown-statement]");
            });
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  @DisplayName(
      "G4: on a configured (shared) scratch server, trace replays nothing that acts beyond its"
          + " scratch database: a pending DROP DATABASE of the target is refused before anything"
          + " runs, even with a reviewed exception for it; the target keeps existing")
  void serverWideNeverReplayedOnSharedScratch() throws Exception {
    f.migration("V2__gone.sql", "DROP DATABASE " + f.db.name() + " WITH (FORCE);\n");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\nexceptions:\n  - { migration: V2, rule: drop-database, reason: \"old\" }\n");
    DatabaseUrl shared = DatabaseUrl.parse(f.db.libpqUrl()).withDatabase("postgres");
    assertThatThrownBy(
            () ->
                new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
                    .trace("prod", shared))
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why())
                  .contains(
                      "trace does not replay what may act beyond its scratch database",
                      "[drop-database]");
            });
    assertThat(f.query("SELECT count(*) FROM orders")).contains("300000");
  }

  @Test
  @DisplayName(
      "G4: ALTER COLUMN ... TYPE reports what PostgreSQL did to the column's indexes: kept"
          + " (varchar(10) -> varchar(20), -> text: same file, new oid) is no index build and no"
          + " drop; written anew by a table rewrite (int -> bigint) is the rewrite's finding only;"
          + " rebuilt without a rewrite (a new collation) is an index rebuild, not a CREATE INDEX")
  void alterTypeIndexFacts() throws Exception {
    f.db.execute(
        "ALTER TABLE orders ADD COLUMN code varchar(10) DEFAULT 'c'",
        "CREATE INDEX orders_code ON orders (code)",
        "CREATE INDEX orders_customer_id ON orders (customer_id)",
        "CREATE INDEX orders_note ON orders (note)",
        "ANALYZE orders");
    f.migration("V2__widen.sql", "ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);\n");
    f.migration("V3__text.sql", "ALTER TABLE orders ALTER COLUMN code TYPE text;\n");
    f.migration("V4__bigint.sql", "ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint;\n");
    f.migration(
        "V5__collation.sql", "ALTER TABLE orders ALTER COLUMN note TYPE text COLLATE \"C\";\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    for (String kept : List.of("V2", "V3")) {
      StatementTrace t = statement(r, kept);
      assertThat(t.lockOn("public.orders")).as(kept).isEqualTo("AccessExclusiveLock");
      assertThat(t.rewritten()).as(kept).isEmpty();
      assertThat(t.indexesBuilt()).as(kept + " keeps the index file").isEmpty();
      assertThat(t.dropped()).as(kept + " drops nothing").isEmpty();
      assertThat(finding(r, kept).rule()).as(kept).isEqualTo("trace-blocking-lock");
    }
    StatementTrace bigint = statement(r, "V4");
    assertThat(bigint.rewritten()).containsExactly("public.orders");
    assertThat(bigint.indexesBuilt()).isEmpty();
    assertThat(bigint.dropped()).isEmpty();
    assertThat(r.findings())
        .filteredOn(x -> x.migration().equals("V4"))
        .extracting(Finding::rule)
        .containsExactly("trace-table-rewrite");
    StatementTrace collation = statement(r, "V5");
    assertThat(collation.rewritten()).isEmpty();
    assertThat(collation.dropped()).isEmpty();
    assertThat(collation.indexesBuilt())
        .containsExactly(
            new StatementTrace.IndexBuilt("public.orders_note", "public.orders", false, true));
    Finding v5 = finding(r, "V5");
    assertThat(v5.rule()).isEqualTo("trace-index-build-blocks-writes");
    assertThat(v5.message())
        .contains("takes ACCESS EXCLUSIVE", "rebuilds index public.orders_note")
        .doesNotContain("and builds index");
    assertThat(v5.recipe()).contains("REINDEX INDEX CONCURRENTLY");
  }

  @Test
  @DisplayName(
      "G4: the statements replayed are those sent to the scratch database, each once: a"
          + " migration that fails at its third statement counts three, and what its first two did"
          + " is reported (the count was 0 and their facts were lost)")
  void replayedCount() throws Exception {
    f.migration(
        "V2__two.sql",
        "ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;\n");
    f.migration(
        "V3__outside.sql",
        "ALTER TABLE orders ADD COLUMN c int;\n"
            + "CREATE INDEX CONCURRENTLY orders_total ON orders (total);\n");
    f.migration(
        "V4__fails.sql",
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "ALTER TABLE orders ADD COLUMN d int;\n"
            + "ALTER TABLE no_such_table ADD COLUMN x int;\n"
            + "ALTER TABLE orders ADD COLUMN e int;\n");
    f.migration("V5__after.sql", "ALTER TABLE orders ADD COLUMN f int;\n");

    TraceReport r = trace();

    assertThat(r.replayed()).isEqualTo(2 + 2 + 3);
    assertThat(r.statements())
        .extracting(t -> t.migration().substring(0, 2) + ":" + t.line())
        .containsExactly("V2:1", "V2:2", "V3:1", "V3:2", "V4:1", "V4:2");
    assertThat(statement(r, "V4").rewritten()).containsExactly("public.orders");
    assertThat(r.findings())
        .extracting(Finding::rule)
        .contains("trace-table-rewrite", "trace-statement-failed");
    assertThat(r.toJson()).containsEntry("replayed", 7);
  }

  private static StatementTrace statement(TraceReport r, String migration) {
    return r.statements().stream()
        .filter(s -> s.migration().startsWith(migration))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no trace of " + migration + ": " + r.statements()));
  }

  private static Finding finding(TraceReport r, String migration) {
    return r.findings().stream()
        .filter(x -> x.migration().startsWith(migration) && x.message().contains("public.orders"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no finding for " + migration + ": " + r.findings()));
  }

  private long scratchDatabases() {
    return Long.parseLong(
        f.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'prodguard\\_trace\\_%'")
            .orElseThrow());
  }

  @Test
  @DisplayName(
      "G4: volatile default, type change, plain index, validated foreign key and SET NOT NULL are"
          + " each traced with the lock and rewrite or scan the server performed")
  void facts() throws Exception {
    f.migration(
        "V2__volatile_default.sql",
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
    f.migration(
        "V3__type_change.sql", "ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint;\n");
    f.migration("V4__index.sql", "CREATE INDEX orders_customer ON orders (customer_id);\n");
    f.migration(
        "V5__fk.sql",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id)"
            + " REFERENCES customers (id);\n");
    f.migration("V6__not_null.sql", "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");
    f.migration(
        "V7__safe.sql",
        "ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;\n"
            + "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT"
            + " VALID;\n");
    f.migration(
        "V8__concurrently.sql", "CREATE INDEX CONCURRENTLY orders_total ON orders (total);\n");
    long before = scratchDatabases();

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(r.pendingMigrations()).isEqualTo(7);
    assertThat(r.sizes().get("public.orders").rows()).isBetween(290_000L, 310_000L);

    StatementTrace volatileDefault = statement(r, "V2");
    assertThat(volatileDefault.lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(volatileDefault.rewritten()).containsExactly("public.orders");
    Finding v2 = finding(r, "V2");
    assertThat(v2.rule()).isEqualTo("trace-table-rewrite");
    assertThat(v2.severity()).isEqualTo(Severity.WARNING);
    assertThat(v2.message())
        .startsWith("V2__volatile_default.sql line 1 takes ACCESS EXCLUSIVE on public.orders (")
        .contains(" k rows, ", " MB)")
        .endsWith("and rewrites it; blocks reads and writes for the rewrite");
    assertThat(v2.recipe()).contains("without the volatile default");

    StatementTrace typeChange = statement(r, "V3");
    assertThat(typeChange.lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(typeChange.rewritten()).containsExactly("public.orders");
    assertThat(finding(r, "V3").recipe()).contains("column of the new type");

    StatementTrace index = statement(r, "V4");
    assertThat(index.lockOn("public.orders")).isEqualTo("ShareLock");
    assertThat(index.rewritten()).isEmpty();
    assertThat(index.indexesBuilt())
        .containsExactly(
            new StatementTrace.IndexBuilt("public.orders_customer", "public.orders", false));
    assertThat(finding(r, "V4").rule()).isEqualTo("trace-index-build-blocks-writes");
    assertThat(finding(r, "V4").message()).endsWith("blocks writes for the build");

    StatementTrace fk = statement(r, "V5");
    assertThat(fk.lockOn("public.orders")).isEqualTo("ShareRowExclusiveLock");
    assertThat(fk.lockOn("public.customers")).isEqualTo("ShareRowExclusiveLock");
    assertThat(fk.constraintsAdded())
        .containsExactly(
            new StatementTrace.ConstraintAdded("orders_customer_fk", "public.orders", 'f', true));
    assertThat(finding(r, "V5").rule()).isEqualTo("trace-validating-constraint");
    assertThat(finding(r, "V5").recipe()).contains("NOT VALID");

    StatementTrace notNull = statement(r, "V6");
    assertThat(notNull.lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(notNull.rewritten()).isEmpty();
    assertThat(notNull.scanned()).containsExactly("public.orders");
    assertThat(finding(r, "V6").rule()).isEqualTo("trace-full-scan-under-lock");
    assertThat(finding(r, "V6").message())
        .contains("reads every row; blocks reads and writes for the scan");

    // the safe forms: a constant default and a NOT VALID check take the lock briefly, no rewrite
    List<StatementTrace> safe =
        r.statements().stream().filter(s -> s.migration().startsWith("V7")).toList();
    assertThat(safe).hasSize(2);
    assertThat(safe).allSatisfy(s -> assertThat(s.rewritten()).isEmpty());
    assertThat(safe).allSatisfy(s -> assertThat(s.scanned()).isEmpty());
    assertThat(safe.get(1).constraintsAdded())
        .singleElement()
        .satisfies(k -> assertThat(k.validated()).isFalse());
    assertThat(r.findings().stream().filter(x -> x.migration().startsWith("V7")))
        .allSatisfy(x -> assertThat(x.rule()).isEqualTo("trace-blocking-lock"));
    // built concurrently, outside a transaction: no finding
    StatementTrace concurrently = statement(r, "V8");
    assertThat(concurrently.inTransaction()).isFalse();
    assertThat(concurrently.indexesBuilt())
        .singleElement()
        .satisfies(i -> assertThat(i.concurrently()).isTrue());
    assertThat(r.findings()).noneMatch(x -> x.migration().startsWith("V8"));

    // the target: catalog reads only; the scratch database is gone
    assertThat(f.query("SELECT count(*) FROM orders")).contains("300000");
    assertThat(
            f.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders'"))
        .contains("4");
    assertThat(f.query("SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'")).contains("1");
    assertThat(scratchDatabases()).isEqualTo(before);
  }

  @Test
  @DisplayName(
      "G4: ACCESS EXCLUSIVE on a protected table is an error; a statement that fails on the copy"
          + " is an error and stops the trace; the scratch database is dropped")
  void protectedAndFailing() throws Exception {
    Files.writeString(
        dir.resolve("prodguard-contract.yml"), "version: 1\nprotected-tables: { orders: {} }\n");
    f.migration("V2__not_null.sql", "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");
    f.migration("V3__broken.sql", "ALTER TABLE no_such_table ADD COLUMN x int;\n");
    f.migration("V4__never.sql", "CREATE INDEX orders_note ON orders (note);\n");
    long before = scratchDatabases();

    TraceReport r = trace();

    assertThat(finding(r, "V2").severity()).isEqualTo(Severity.ERROR);
    assertThat(r.blocking()).isTrue();
    Finding failed =
        r.findings().stream()
            .filter(x -> x.rule().equals("trace-statement-failed"))
            .findFirst()
            .orElseThrow();
    assertThat(failed.message())
        .startsWith("V3__broken.sql line 1 fails on a copy")
        .contains("no_such_table");
    assertThat(r.statements()).noneMatch(s -> s.migration().startsWith("V4"));
    assertThat(r.incomplete()).isPresent();
    assertThat(scratchDatabases()).isEqualTo(before);
  }

  private TraceReport traceEmbedded(RunContext context) throws Exception {
    return new Tracer(f.config(), context, new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", Optional.empty());
  }

  private RunContext ci(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(f.ciEnv());
    env.putAll(extra);
    return new RunContext(env, Clock.systemUTC(), "runner", "ci-host");
  }

  /** The embedded servers' directories that exist now: in memory (/dev/shm) or temporary. */
  private static Set<Path> embeddedDirs() throws IOException {
    Set<Path> found = new java.util.HashSet<>();
    for (Path root : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/dev/shm"))) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> s = Files.list(root)) {
        found.addAll(
            s.filter(p -> p.getFileName().toString().startsWith("prodguard-trace-pg-"))
                .collect(Collectors.toSet()));
      }
    }
    return found;
  }

  /** Processes whose command line names one of the embedded servers' directories. */
  private static List<String> embeddedProcesses() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          if (cmd.contains("prodguard-trace-pg-")) {
            out.add(cmd);
          }
        } catch (IOException gone) {
          // the process ended meanwhile
        }
      }
    }
    return out;
  }

  private int serverMajor() {
    return Integer.parseInt(f.query("SHOW server_version_num").orElseThrow()) / 10000;
  }

  @Test
  @DisplayName(
      "G4: without a scratch server, trace runs on an embedded PostgreSQL of the target's major"
          + " version (binaries from Maven Central, cached: a rerun needs no network); it is"
          + " stopped and deleted afterwards; with nothing cached and no repository it refuses,"
          + " naming --scratch-url")
  void embeddedDefault() throws Exception {
    f.migration(
        "V2__volatile_default.sql",
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
    f.migration("V3__index.sql", "CREATE INDEX orders_customer ON orders (customer_id);\n");
    Set<Path> before = embeddedDirs();

    TraceReport r = traceEmbedded(f.ci());

    assertThat(r.incomplete()).isEmpty();
    assertThat(r.serverMajor()).isEqualTo(serverMajor());
    assertThat(statement(r, "V2").lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(statement(r, "V2").rewritten()).containsExactly("public.orders");
    assertThat(statement(r, "V3").lockOn("public.orders")).isEqualTo("ShareLock");
    assertThat(finding(r, "V2").rule()).isEqualTo("trace-table-rewrite");
    assertThat(embeddedDirs()).isSubsetOf(before);
    assertThat(embeddedProcesses()).isEmpty();
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "prodguard", "postgres");
    try (Stream<Path> s = Files.walk(cache, 3)) {
      assertThat(s.map(p -> p.getFileName().toString())).contains(Integer.toString(serverMajor()));
    }

    // offline: a repository nobody answers at, the cache serves
    Files.writeString(
        dir.resolve("prodguard.yml"),
        "trace:\n  binaries-repository: http://127.0.0.1:9/maven2/\n",
        StandardOpenOption.APPEND);
    TraceReport offline = traceEmbedded(f.ci());
    assertThat(offline.incomplete()).isEmpty();
    assertThat(statement(offline, "V2").rewritten()).containsExactly("public.orders");

    // nothing cached and no repository: one screen, the configured scratch server as the way
    Path empty = dir.resolve("empty-cache");
    assertThatThrownBy(() -> traceEmbedded(ci(Map.of("XDG_CACHE_HOME", empty.toString()))))
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            g -> {
              assertThat(g.guarantee()).isEqualTo(Guarantee.G4);
              assertThat(g.why())
                  .contains("scratch PostgreSQL " + serverMajor(), "no embedded one could be had")
                  .contains("127.0.0.1:9");
              assertThat(g.fix()).contains("--scratch-url", "PRODGUARD_TRACE_SCRATCH_URL");
            });
    assertThat(embeddedDirs()).isSubsetOf(before);
  }

  @Test
  @DisplayName(
      "G4: a migration that fails on the embedded copy stops the trace; the embedded server is"
          + " stopped and its directory deleted")
  void embeddedDiscardedOnFailure() throws Exception {
    f.migration("V2__broken.sql", "ALTER TABLE no_such_table ADD COLUMN x int;\n");
    Set<Path> before = embeddedDirs();

    TraceReport r = traceEmbedded(f.ci());

    assertThat(r.findings())
        .anySatisfy(x -> assertThat(x.rule()).isEqualTo("trace-statement-failed"));
    assertThat(r.blocking()).isTrue();
    assertThat(embeddedDirs()).isSubsetOf(before);
    assertThat(embeddedProcesses()).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: the replay applies the migrations as the deploy will: placeholders replaced (configured"
          + " and Flyway's built-in), executeInTransaction=false files outside a transaction")
  void placeholdersAndScriptConfigs() throws Exception {
    Path yml = dir.resolve("prodguard.yml");
    Files.writeString(
        yml,
        Files.readString(yml)
            .replace(
                "migrations:\n  locations: [db/migration]\n",
                "migrations:\n  locations: [db/migration]\n  placeholders: { big_table: orders }\n"));
    f.migration(
        "V2__rewrite.sql", "ALTER TABLE ${big_table} ALTER COLUMN customer_id TYPE bigint;\n");
    f.migration(
        "V3__built_in.sql",
        "CREATE INDEX orders_note ON ${flyway:defaultSchema}.${big_table} (note);\n");
    f.migration("V4__outside.sql", "ALTER TABLE ${big_table} ADD COLUMN flag boolean;\n");
    Files.writeString(f.migrations.resolve("V4__outside.sql.conf"), "executeInTransaction=false\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(r.pendingMigrations()).isEqualTo(3);
    StatementTrace rewrite = statement(r, "V2");
    assertThat(rewrite.sql()).contains("ALTER TABLE orders");
    assertThat(rewrite.rewritten()).containsExactly("public.orders");
    assertThat(rewrite.inTransaction()).isTrue();
    assertThat(statement(r, "V3").indexesBuilt())
        .containsExactly(
            new StatementTrace.IndexBuilt("public.orders_note", "public.orders", false));
    assertThat(statement(r, "V4").inTransaction()).isFalse();
    assertThat(r.findings()).noneMatch(x -> x.rule().equals("trace-incomplete"));
  }

  @Test
  @DisplayName(
      "G4: the contract forbids by fact: a rewrite above trace.max-rewrite-size and ACCESS"
          + " EXCLUSIVE above trace.max-access-exclusive-size are errors; a reviewed exception"
          + " covers one, and an exception that covers no fact is an error")
  void contractLimits() throws Exception {
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\n"
            + "trace: { max-rewrite-size: 1MB, max-access-exclusive-size: 2MB }\n"
            + "exceptions:\n"
            + "  - { migration: V3, rule: trace-blocking-lock, reason: \"reviewed: INC-7\" }\n"
            + "  - { migration: V3, rule: trace-table-rewrite, reason: \"stale\" }\n");
    f.migration(
        "V2__volatile_default.sql",
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
    f.migration("V3__default.sql", "ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;\n");

    TraceReport r = trace();

    Finding v2 = finding(r, "V2");
    assertThat(v2.rule()).isEqualTo("trace-table-rewrite");
    assertThat(v2.severity()).isEqualTo(Severity.ERROR);
    assertThat(v2.message()).contains("trace.max-rewrite-size is 1.0 MB");
    Finding v3 = finding(r, "V3");
    assertThat(v3.rule()).isEqualTo("trace-blocking-lock");
    assertThat(v3.severity()).isEqualTo(Severity.ERROR);
    assertThat(v3.message()).contains("trace.max-access-exclusive-size is 2.0 MB");
    assertThat(v3.covered()).isTrue();
    assertThat(v3.blocking()).isFalse();
    assertThat(r.findings())
        .filteredOn(x -> x.rule().equals("contract-exception-unused"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("V3", "trace-table-rewrite"));
    assertThat(r.blocking()).isTrue();
  }

  private void contract(String body) throws IOException {
    Files.writeString(dir.resolve("prodguard-contract.yml"), "version: 1\n" + body);
  }

  private static List<Finding> findings(TraceReport r, String migration, String rule) {
    return r.findings().stream()
        .filter(x -> x.migration().startsWith(migration) && x.rule().equals(rule))
        .toList();
  }

  @Test
  @DisplayName(
      "G4: a table renamed by a reviewed migration keeps its size: the rewrite of orders_old (the"
          + " target's orders) is an error under trace.max-rewrite-size, and the rename's ACCESS"
          + " EXCLUSIVE on it is reported (sizes by identity, not by the name after the statement)")
  void renamedTableKeepsItsSize() throws Exception {
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration("V2__rename.sql", "ALTER TABLE orders RENAME TO orders_old;\n");
    f.migration(
        "V3__rewrite.sql",
        "ALTER TABLE orders_old ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");

    TraceReport r = trace();

    assertThat(statement(r, "V2").lockOn("public.orders_old")).isEqualTo("AccessExclusiveLock");
    assertThat(findings(r, "V2", "trace-blocking-lock"))
        .singleElement()
        .satisfies(
            x ->
                assertThat(x.message())
                    .contains("public.orders_old (public.orders on the target: "));
    assertThat(statement(r, "V3").rewritten()).containsExactly("public.orders_old");
    assertThat(findings(r, "V3", "trace-table-rewrite"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message())
                  .contains(
                      "public.orders_old (public.orders on the target: ",
                      "trace.max-rewrite-size is 1.0 MB");
            });
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: a table analysed while empty, then loaded (reltuples = 0), is not empty: the contract's"
          + " forbidden trace-full-scan-under-lock is an error on it")
  void staleStatisticsNeverMakeATableEmpty() throws Exception {
    f.db.execute(
        "CREATE TABLE loaded (id bigint, note text) WITH (autovacuum_enabled = false)",
        "ANALYZE loaded",
        "INSERT INTO loaded SELECT g, 'n' FROM generate_series(1, 100000) g");
    try (java.sql.Connection c = f.db.connect();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery("SELECT reltuples FROM pg_class WHERE relname = 'loaded'")) {
      rs.next();
      assertThat(rs.getDouble(1)).as("the statistics say empty").isZero();
    }
    contract("forbidden: [trace-full-scan-under-lock]\n");
    f.migration("V2__not_null.sql", "ALTER TABLE loaded ALTER COLUMN note SET NOT NULL;\n");

    TraceReport r = trace();

    assertThat(r.sizes().get("public.loaded").rows()).isNotZero();
    assertThat(findings(r, "V2", "trace-full-scan-under-lock"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message())
                  .contains("the contract forbids trace-full-scan-under-lock")
                  .doesNotContain("(0 rows");
            });
  }

  @Test
  @DisplayName(
      "G4: a rewrite of a partitioned table is judged as one rewrite of all its partitions: three"
          + " partitions of 8 MB each stay under trace.max-rewrite-size: 16MB, the table does not")
  void partitionedTableIsSummed() throws Exception {
    f.db.execute(
        "CREATE TABLE events (id bigint, payload text) PARTITION BY RANGE (id)",
        "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100000)",
        "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100000) TO (200000)",
        "CREATE TABLE events_3 PARTITION OF events FOR VALUES FROM (200000) TO (300000)",
        "INSERT INTO events SELECT g, repeat('x', 40) FROM generate_series(0, 299999) g",
        "ANALYZE events");
    contract("trace: { max-rewrite-size: 16MB }\n");
    f.migration(
        "V2__token.sql", "ALTER TABLE events ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");

    TraceReport r = trace();

    assertThat(statement(r, "V2").rewritten()).containsExactly("public.events");
    assertThat(r.sizes().get("public.events").bytes()).isGreaterThan(16L * 1024 * 1024);
    assertThat(r.sizes().get("public.events").rows()).isBetween(290_000L, 310_000L);
    assertThat(findings(r, "V2", "trace-table-rewrite"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
              assertThat(x.message())
                  .contains("public.events (", "trace.max-rewrite-size is 16.0 MB");
            });
  }

  @Test
  @DisplayName(
      "G4: each migration is replayed with the session Flyway gives it: a SET search_path left"
          + " behind by V2 does not make V3's orders resolve to another table than the deploy's")
  void sessionRestoredBetweenMigrations() throws Exception {
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration(
        "V2__legacy.sql",
        "CREATE SCHEMA legacy;\nCREATE TABLE legacy.orders (id bigint);\n"
            + "SET search_path = legacy, public;\n");
    f.migration(
        "V3__token.sql", "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");

    TraceReport r = trace();

    assertThat(statement(r, "V3").rewritten()).containsExactly("public.orders");
    Finding v3 = finding(r, "V3");
    assertThat(v3.rule()).isEqualTo("trace-table-rewrite");
    assertThat(v3.severity()).isEqualTo(Severity.ERROR);
  }

  @Test
  @DisplayName(
      "G4: a SET search_path inside a migration holds for its next statement in the replay as in"
          + " the deploy: the catalog read after the SET (one round trip, which puts back the path"
          + " the read before it saw) sets the session's path again to the one the SET chose, so"
          + " V3's unqualified orders is legacy.orders (no rewrite of public.orders reported)")
  void searchPathSetInsideMigrationHolds() throws Exception {
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration(
        "V2__legacy.sql", "CREATE SCHEMA legacy;\nCREATE TABLE legacy.orders (id bigint);\n");
    f.migration(
        "V3__token.sql",
        "SET search_path = legacy, public;\n"
            + "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "SET LOCAL search_path = public;\n"
            + "ALTER TABLE orders ADD COLUMN note2 text;\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    List<StatementTrace> v2 =
        r.statements().stream().filter(s -> s.migration().startsWith("V3")).toList();
    StatementTrace token =
        v2.stream().filter(s -> s.sql().contains("token")).findFirst().orElseThrow();
    assertThat(token.rewritten()).containsExactly("legacy.orders");
    assertThat(token.lockOn("legacy.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(token.lockOn("public.orders")).isNull();
    StatementTrace note2 =
        v2.stream().filter(s -> s.sql().contains("note2")).findFirst().orElseThrow();
    assertThat(note2.locks()).extracting(l -> l.relation()).contains("public.orders");
    assertThat(findings(r, "V3", "trace-table-rewrite")).isEmpty();
  }

  @Test
  @DisplayName(
      "G4 (issue 17): column renames and drops are facts, as relation ones are: RENAME COLUMN"
          + " note TO remark is 'public.orders.note -> public.orders.remark', DROP COLUMN is"
          + " 'public.orders.remark'; ALTER COLUMN ... TYPE renames and drops nothing")
  void columnRenamesAndDrops() throws Exception {
    f.migration("V2__rename.sql", "ALTER TABLE orders RENAME COLUMN note TO remark;\n");
    f.migration("V3__type.sql", "ALTER TABLE orders ALTER COLUMN remark TYPE text;\n");
    f.migration("V4__drop.sql", "ALTER TABLE orders DROP COLUMN remark;\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(statement(r, "V2").renamed())
        .containsExactly("public.orders.note -> public.orders.remark");
    assertThat(statement(r, "V2").dropped()).isEmpty();
    assertThat(statement(r, "V3").renamed()).isEmpty();
    assertThat(statement(r, "V3").dropped()).isEmpty();
    assertThat(statement(r, "V4").dropped()).containsExactly("public.orders.remark");
    assertThat(statement(r, "V4").renamed()).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: TRUNCATE is no rewrite (a new, empty file; nothing copied): its ACCESS EXCLUSIVE is"
          + " reported, trace.max-rewrite-size does not refuse it")
  void truncateIsNoRewrite() throws Exception {
    contract("trace: { max-rewrite-size: 1MB }\n");
    f.migration("V2__clear.sql", "-- the cache is rebuilt on demand\nTRUNCATE orders;\n");

    TraceReport r = trace();

    StatementTrace t = statement(r, "V2");
    assertThat(t.lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(t.rewritten()).isEmpty();
    assertThat(t.indexesBuilt()).isEmpty();
    assertThat(findings(r, "V2", "trace-table-rewrite")).isEmpty();
    assertThat(finding(r, "V2").rule()).isEqualTo("trace-blocking-lock");
    assertThat(r.blocking()).isFalse();
  }

  @Test
  @DisplayName(
      "G4: COPY ... FROM STDIN is replayed as Flyway sends it (through the CopyManager), with its"
          + " lock, not reported as a deploy failure")
  void copyFromStdinIsReplayed() throws Exception {
    f.migration(
        "V2__load.sql",
        "COPY orders (id, note) FROM STDIN;\n900001\tloaded\n900002\tloaded\n\\.\n");

    TraceReport r = trace();

    assertThat(r.incomplete()).isEmpty();
    assertThat(findings(r, "V2", "trace-statement-failed")).isEmpty();
    StatementTrace t = statement(r, "V2");
    assertThat(t.lockOn("public.orders")).isEqualTo("RowExclusiveLock");
    assertThat(t.rewritten()).isEmpty();
  }
}
