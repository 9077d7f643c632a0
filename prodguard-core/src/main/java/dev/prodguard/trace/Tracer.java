package dev.prodguard.trace;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Cover;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.migration.Placeholders;
import dev.prodguard.support.DatabaseObjects;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.StatementProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * {@code prodguard trace ENV} (PostgreSQL, docs/trace.md): copies the target's schema (no rows)
 * into a scratch database, applies the pending migrations there as the deploy will, statement by
 * statement, recording what the server did (locks, rewrites, scans, index builds, drops, renames,
 * constraints and their validation, duration), and joins it with the target's table sizes into
 * findings. The target sees catalog reads only ({@code pg_dump --schema-only}, the pending set, the
 * sizes); the scratch database is dropped afterwards, also on failure and on Ctrl-C.
 */
public final class Tracer {
  private final ProdguardConfig config;
  private final RunContext context;
  private final MigrationEngine engine;
  private final Progress progress;
  private java.util.function.Consumer<GuardRefusal> onInterrupt = r -> {};

  public Tracer(ProdguardConfig config, RunContext context, MigrationEngine engine, Progress p) {
    this.config = config;
    this.context = context;
    this.engine = engine.configuredBy(config);
    this.progress = p;
  }

  /**
   * What to do when the JVM is stopped (Ctrl-C, SIGTERM) while a trace runs: called from a shutdown
   * hook with the trace's refusal, after the scratch database, the embedded server and the schema
   * copy are discarded. The CLI prints the refusal and exits with the refusal's code (the JVM would
   * exit 130 or 143, after whatever the interrupted replay printed). Default: nothing; the trace
   * then throws the refusal if its thread outlives the hook.
   */
  public Tracer onInterrupt(java.util.function.Consumer<GuardRefusal> handler) {
    this.onInterrupt = java.util.Objects.requireNonNull(handler);
    return this;
  }

  /**
   * Traces the pending migrations of {@code env} on {@code scratchServer}.
   *
   * @param scratchServer a PostgreSQL server of the target's major version where prodguard may
   *     create and drop a database (the URL's database is only connected to for that)
   * @throws ConfigException when the environment is not PostgreSQL, or the scratch server is of
   *     another major version
   */
  public TraceReport trace(String env, DatabaseUrl scratchServer)
      throws SQLException, IOException, InterruptedException {
    return trace(env, Optional.of(scratchServer));
  }

  /**
   * Traces the pending migrations of {@code env}: on {@code scratchServer} when given, else on an
   * embedded PostgreSQL of the target's major version ({@code trace.scratch: embedded}, the
   * default), started for this trace and discarded afterwards, also on failure and Ctrl-C.
   *
   * @throws GuardRefusal (G4) when no embedded server can be had (offline and not cached, no
   *     binaries of the target's major version): the way forward is a configured scratch server;
   *     when the scratch server cannot be used (unreachable, the login refused, not PostgreSQL,
   *     another major version, no right to create a database, gone mid-replay); when the trace is
   *     interrupted (see {@link #onInterrupt})
   */
  public TraceReport trace(String env, Optional<DatabaseUrl> scratchServer)
      throws SQLException, IOException, InterruptedException {
    return trace(env, scratchServer, MigrationFiles.read(config, context.env()));
  }

  /**
   * Like {@link #trace(String, Optional)}, on the migration files {@code files} as read once by the
   * caller (verify's snapshot: the trace sees the bytes verify hashes, never a second reading).
   */
  public TraceReport trace(String env, Optional<DatabaseUrl> scratchServer, MigrationFiles files)
      throws SQLException, IOException, InterruptedException {
    // From the first moment of the trace, an interruption ends in its refusal: while it prepares
    // (the target's connection and catalog reads) nothing is made yet, so nothing is discarded;
    // the trace's own hook takes over before its first file, database or server exists.
    java.util.concurrent.atomic.AtomicBoolean handedOver =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread preparing =
        new Thread(
            () -> {
              if (!handedOver.get()) {
                onInterrupt.accept(interruptedRefusal(env, "nothing was made yet"));
              }
            },
            "prodguard-trace-preparing");
    Runtime.getRuntime().addShutdownHook(preparing);
    Runnable handOver =
        () -> {
          handedOver.set(true);
          try {
            Runtime.getRuntime().removeShutdownHook(preparing);
          } catch (IllegalStateException shuttingDown) {
            // the hook runs: it found the hand-over done, or refused before anything was made
          }
        };
    try {
      return trace(env, scratchServer, files, handOver);
    } finally {
      handOver.run();
    }
  }

  private TraceReport trace(
      String env, Optional<DatabaseUrl> scratchServer, MigrationFiles files, Runnable handOver)
      throws SQLException, IOException, InterruptedException {
    String what = "trace " + env;
    Target target = Target.prepare(config, env, context, Target.Access.READ, what);
    DatabaseSupport d = target.dialect();
    StatementProbe probe =
        d.statementProbe()
            .orElseThrow(
                () ->
                    new dev.prodguard.config.UsageException(
                        "trace is PostgreSQL-only: '"
                            + env
                            + "' is "
                            + d.kind().label()
                            + ", which exposes no lock, rewrite or scan facts per statement;"
                            + " lint and verify's contract checks still apply (docs/trace.md)"));
    List<PendingMigration> pending;
    int major;
    TargetNames names;
    List<String> targetTables;
    List<String> roles;
    String targetId;
    List<String> servers;
    List<String> populated;
    List<StatementProbe.Stub> stubs;
    Map<String, String> tablespaces;
    Optional<Path> binDir = binDir();
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("trace");
    Early early = null;
    try (Target.Checked control = target.open()) {
      bound(target, control.connection());
      major = probe.majorVersion(control.connection());
      pending = engine.pending(files, single(control.connection()));
      targetTables = probe.tables(control.connection(), DatabaseObjects.TABLES, 5);
      laps.lap("pending");
      if (scratchServer.isEmpty()
          && !pending.isEmpty()
          && (!targetTables.isEmpty() || namesOwnTables(files, pending))) {
        // a replay follows unless judge refuses: the schema dump and the embedded server (an
        // initdb copy and a start: most of a second) start now, beside the reads and judge below;
        // the early start's own hook refuses an interruption from here on
        handOver.run();
        early = new Early(env, major, d, target, probe, binDir);
      }
      names = TargetNames.read(control.connection(), config.schemas().effectiveDefault());
      roles = scratchServer.isEmpty() ? roles(control.connection()) : List.of();
      targetId = scratchServer.isPresent() ? systemIdentifier(control.connection()) : "";
      servers = probe.foreignServers(control.connection());
      populated = probe.populatedMaterializedViews(control.connection());
      stubs = probe.stubs(control.connection());
      tablespaces = probe.tablespaces(control.connection());
    } catch (SQLException | IOException | RuntimeException | Error e) {
      if (early != null) {
        early.discard();
      }
      throw e;
    }
    if (early != null) {
      try {
        judge(env, files, pending, d, true);
      } catch (RuntimeException | Error e) {
        early.discard();
        throw e;
      }
      laps.lap("judge (server and dump started)");
    }
    if (pending.isEmpty()) {
      return new TraceReport(
          env,
          major,
          0,
          List.of(),
          List.of(),
          Map.of(),
          List.of(),
          0,
          0,
          0,
          Optional.empty(),
          false);
    }
    if (scratchServer.isPresent() && scratchServer.get().kind() != d.kind()) {
      throw scratchRefusal(
          env,
          scratchServer,
          major,
          "the scratch server " + scratchServer.get() + " is not PostgreSQL",
          null);
    }
    boolean replays = !targetTables.isEmpty() || namesOwnTables(files, pending);
    if (early == null) {
      judge(env, files, pending, d, replays);
    }
    if (!replays) {
      // nothing pre-existing can be locked, rewritten, scanned or dropped: every fact would be on
      // a table a pending migration creates, which has no size on the target and gives no finding
      progress.step("trace: " + TraceReport.NOTHING_TO_TRACE);
      Optional<Contract> contract = ContractLoader.forConfig(config);
      List<Finding> unused =
          contract.map(c -> unusedExceptions(c, pending, List.of())).orElse(List.of());
      return new TraceReport(
          env,
          major,
          pending.size(),
          paths(pending),
          List.of(),
          Map.of(),
          unused,
          0,
          0,
          0,
          Optional.empty(),
          true);
    }
    List<StatementTrace> traces = new ArrayList<>();
    List<Finding> stops = new ArrayList<>();
    long copyMillis;
    long replayMillis;
    UnaryOperator<String> mask = files.placeholders()::mask;
    EmbeddedScratchServer embedded = null;
    // the target's schema is dumped while the scratch server starts (an embedded one takes seconds)
    Discard discard = new Discard();
    discard.script = early != null ? early.script : null;
    Early startedEarly = early;
    Thread interrupted =
        new Thread(
            () -> {
              discard.interrupted = true;
              if (startedEarly != null) {
                // handed over or not yet: a server started early is awaited and stopped here
                startedEarly.stopServer();
              }
              // an embedded server still starting (its directory being filled, initdb, the
              // server coming up) is not known yet: wait until the start ends, then discard it
              discard.awaitStart();
              discard.closeQuietly();
              // the dump's error file and the load's list: no finally of theirs runs after this
              SchemaCopy.discardTemporaryFiles();
              discard.refusal =
                  interruptedRefusal(
                      env,
                      "the scratch database"
                          + (scratchServer.isEmpty() ? " and the embedded server are" : " is")
                          + " discarded");
              try {
                onInterrupt.accept(discard.refusal);
              } finally {
                discard.hookDone.countDown();
              }
            },
            "prodguard-trace-interrupted");
    try {
      Runtime.getRuntime().addShutdownHook(interrupted);
    } catch (IllegalStateException shuttingDown) {
      // Ctrl-C came while the early start ran: its hook stops the server, prints the refusal and
      // ends the process; nothing more to do here
      awaitHalt();
    }
    handOver.run();
    if (early != null) {
      early.handedOver(); // the hook above discards from here on
    } else {
      discard.script = Files.createTempFile("prodguard-trace-", ".sql");
    }
    Path script = discard.script;
    int replayed = 0;
    long t0 = early != null ? early.started : System.nanoTime();
    CompletableFuture<Void> dump =
        early != null ? early.dump : dump(d, probe, binDir, target, script);
    try {
      DatabaseUrl server;
      Optional<ScratchDatabase.Replayer> replayer = Optional.empty();
      if (scratchServer.isPresent()) {
        server = scratchServer.get();
      } else {
        discard.starting = true;
        try {
          embedded = early != null ? early.server() : embedded(env, major, d);
          discard.embedded = embedded;
        } finally {
          discard.started.countDown();
        }
        server = embedded.url();
        replayer = Optional.of(embedded.replayer());
        createRoles(server, d, roles, EmbeddedScratchServer.REPLAY_ROLE);
      }
      progress.step("tracing " + pending.size() + " pending migration(s) of '" + env + "'");
      if (scratchServer.isPresent()) {
        refuseTargetServer(env, targetId, server, d);
        // as on the embedded server: never a superuser's replay (docs/trace.md)
        ScratchRole role = ScratchRole.prepare(env, server, d, major);
        discard.role = role;
        replayer = role.replayer();
      }
      try (ScratchDatabase scratch = ScratchDatabase.create(server, d, replayer)) {
        discard.scratch = scratch;
        try (Connection c = scratch.connect()) {
          int scratchMajor = probe.majorVersion(c);
          if (scratchMajor != major) {
            throw scratchRefusal(
                env,
                scratchServer,
                major,
                "the scratch server is PostgreSQL "
                    + scratchMajor
                    + ", the target "
                    + major
                    + ": locks and rewrites differ between major versions",
                null);
          }
        }
        try {
          awaitDump(dump);
        } catch (SchemaCopy.LockWaitExceeded e) {
          throw dev.prodguard.pipeline.ReadWait.lockWaitRefusal(
              target, what, "the schema (trace's copy, pg_dump --schema-only)", e);
        }
        SchemaCopy.load(d, probe, binDir, script, scratch, servers, scratch.owner(), stubs);
        SchemaCopy.populate(probe, scratch, populated);
        copyMillis = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        try (Connection c = scratch.connectReplay()) {
          Replay replay = new Replay(probe, mask).tablespaces(tablespaces);
          // the session Flyway gives the deploy's migrations: the target's search path
          StatementProbe.Session start = names.startSession(c, probe, d);
          CallbackReplay callbacks =
              CallbackReplay.prepare(
                  engine, files, d.kind(), f -> names.builtIns(scratch.name(), f), mask);
          CallbackReplay.Run run =
              new CallbackReplay.Run(
                  c,
                  replay,
                  probe,
                  mask,
                  () -> probe.restore(c, start, names.schema()),
                  traces,
                  stops);
          callbacks.stop().ifPresent(stops::add);
          if (stops.isEmpty()) {
            run.at(callbacks, dev.prodguard.migration.MigrateCallback.Moment.BEFORE_ALL);
          }
          if (stops.isEmpty()) {
            // Flyway creates the schemas it lacks (migrations.schemas, default-schema) on migrate
            names.createSchemas(c, d, config.schemas());
            run.at(callbacks, dev.prodguard.migration.MigrateCallback.Moment.BEFORE_MIGRATE);
          }
          boolean previousVersioned = true;
          for (PendingMigration p : pending) {
            if (!stops.isEmpty()) {
              break;
            }
            if (p.version().isEmpty() && previousVersioned) {
              // Flyway: afterVersioned, then beforeRepeatables, before the first repeatable
              previousVersioned = false;
              run.at(callbacks, dev.prodguard.migration.MigrateCallback.Moment.AFTER_VERSIONED);
              run.at(callbacks, dev.prodguard.migration.MigrateCallback.Moment.BEFORE_REPEATABLES);
              if (!stops.isEmpty()) {
                break;
              }
            }
            String file = p.file().relativePath();
            EngineStatements es = engine.statements(files, p.file(), d.kind());
            if (es.failure().isPresent()) {
              stops.add(stop(TraceFindings.INCOMPLETE, file, 1, p, mask.apply(es.failure().get())));
              break;
            }
            Map<String, String> builtIns = names.builtIns(scratch.name(), p.file().fileName());
            List<Replay.Sql> sql = new ArrayList<>();
            Optional<Replay.Sql> unresolved = Optional.empty();
            boolean allTransactional = true;
            for (EngineStatements.Statement s : es.statements()) {
              String text = replaceBuiltIns(s.sql(), builtIns);
              Replay.Sql one = new Replay.Sql(s.line(), text);
              if (unresolved.isEmpty() && placeholder(text, files.placeholders()).isPresent()) {
                unresolved = Optional.of(one);
              }
              allTransactional &= s.transactional();
              sql.add(one);
            }
            if (unresolved.isPresent()) {
              stops.add(
                  stop(
                      TraceFindings.INCOMPLETE,
                      file,
                      unresolved.get().line(),
                      p,
                      "holds placeholder "
                          + placeholder(unresolved.get().text(), files.placeholders()).get()
                          + ", which has no value here; nothing from here on was traced"));
              break;
            }
            // as Flyway decides: the script configuration, else whether every statement can
            boolean inTransaction = es.executeInTransaction().orElse(allTransactional);
            // beforeEachMigrate, the statement callbacks and afterEachMigrate run in its session
            sql = callbacks.around(sql);
            try {
              // what Flyway restores before each migration: no SET a migration left behind
              probe.restore(c, start, names.schema());
              List<StatementTrace> done =
                  replay.migration(c, p.file().fileName(), file, sql, inTransaction);
              traces.addAll(done);
              replayed += done.size();
            } catch (Replay.Failed f) {
              // what ran before the failing statement ran (and took its locks) as the deploy will
              traces.addAll(f.done);
              replayed += f.done.size() + 1;
              Optional<String> beyond = beyondTheReplay(probe, f);
              if (f.statement.file() != null) {
                file = f.statement.file(); // a callback's statement, inside the migration
              }
              if (beyond.isPresent()) {
                stops.add(
                    stop(
                        TraceFindings.INCOMPLETE,
                        file,
                        f.statement.line(),
                        p,
                        mask.apply(beyond.get())));
                break;
              }
              stops.add(
                  stop(
                      TraceFindings.FAILED,
                      file,
                      f.statement.line(),
                      p,
                      "fails on a copy of the target's schema: "
                          + mask.apply(probe.failure((SQLException) f.getCause()))
                          + "; the deploy would fail here too"));
              break;
            }
          }
          if (stops.isEmpty()) {
            if (previousVersioned) {
              run.at(callbacks, dev.prodguard.migration.MigrateCallback.Moment.AFTER_VERSIONED);
            }
            run.at(callbacks, dev.prodguard.migration.MigrateCallback.Moment.AFTER_ALL);
          }
          replayed += run.replayed();
        }
        replayMillis = (System.nanoTime() - t1) / 1_000_000;
      }
    } catch (SQLException | IOException | RuntimeException e) {
      if (discard.interrupted) {
        throw discard.awaitRefusal(e);
      }
      if (e instanceof SQLException sql) {
        // every SQL error here is the scratch server's: the target's reads happened before
        throw scratchRefusal(
            env, scratchServer, major, scratchProblem(server(scratchServer), sql), sql);
      }
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(interrupted);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran): it discards what this trace made
      }
      if (!discard.interrupted) {
        awaitDumpQuietly(dump);
      }
      if (early != null && discard.embedded == null) {
        early.closeServer(); // started early, never used: the trace failed before it
      }
      discard.close();
    }
    laps.lap("schema copy and replay");
    // by the name each relation had on the target when it was copied (a rename keeps its size)
    Set<String> tables = new LinkedHashSet<>();
    for (StatementTrace t : traces) {
      tables.addAll(t.onTarget().values());
    }
    Map<String, StatementProbe.Size> sizes;
    Map<String, List<String>> ancestors;
    try (Target.Checked control = target.open()) {
      bound(target, control.connection());
      sizes = probe.sizes(control.connection(), tables);
      ancestors = probe.ancestors(control.connection(), tables);
    }
    // procedural code that branched on a table empty here but not on the target: not the fact
    stops.addAll(0, DataBranches.incomplete(traces, sizes));
    Optional<Contract> contract = ContractLoader.forConfig(config);
    boolean protectedEnv = target.environment().isProtected();
    TracePolicy policy =
        contract
            .map(c -> TracePolicy.of(c, protectedEnv))
            .orElse(TracePolicy.defaults())
            .withAncestors(ancestors);
    List<Finding> findings = new ArrayList<>();
    for (Finding f : TraceFindings.of(traces, sizes, policy, target.dialect().kind())) {
      findings.add(cover(f, contract, pending).mapText(mask));
    }
    findings.addAll(stops);
    if (stops.isEmpty() && contract.isPresent()) {
      findings.addAll(unusedExceptions(contract.get(), pending, findings));
    }
    return new TraceReport(
        env,
        major,
        pending.size(),
        paths(pending),
        traces,
        sizes,
        findings,
        copyMillis,
        replayMillis,
        replayed,
        stops.stream().map(Finding::message).findFirst(),
        false);
  }

  private static List<String> paths(List<PendingMigration> pending) {
    return pending.stream().map(p -> p.file().relativePath()).toList();
  }

  /**
   * Whether a pending migration (or a placeholder value) names one of prodguard's own tables, which
   * the schema copy leaves out: such a statement fails on the copy, so it is replayed, never
   * skipped (fail closed). A name built at run time is dynamic SQL, which {@link #judge} refuses.
   */
  private static boolean namesOwnTables(MigrationFiles files, List<PendingMigration> pending) {
    List<String> texts = new ArrayList<>();
    for (PendingMigration p : pending) {
      texts.add(new String(p.file().bytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    texts.addAll(files.placeholders().known().values());
    for (String text : texts) {
      String lower = text.toLowerCase(java.util.Locale.ROOT);
      for (String own : DatabaseObjects.TABLES) {
        if (lower.contains(own)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Rules whose findings mean a statement may act beyond the database it runs in (other databases,
   * roles, the server's settings, the network, the host) or cannot be read at all: never replayed.
   */
  static final java.util.Set<String> SERVER_WIDE =
      java.util.Set.of("drop-database", "grant", "revoke", "unknown-statement", "dynamic-sql");

  /**
   * G4: the pending migrations (and the callbacks the deploy runs) judged as verify judges them on
   * a protected environment; a finding of a {@link #SERVER_WIDE} rule refuses the trace before any
   * statement is replayed, whatever exception covers it. Also on the embedded server: it runs on a
   * machine that can reach the network and the production database ({@code dblink}, {@code COPY ...
   * TO PROGRAM}), so "throwaway" does not make such a statement harmless; its unprivileged replay
   * role is the second line, not the first.
   *
   * <p>When nothing is replayed ({@code replays} false: the target holds no table, read from its
   * catalog), the history the contract's baseline covers is not judged here: it runs nowhere but on
   * the target, where it is the reviewed history that verify itself leaves unjudged on a new
   * environment; its digest ({@code baseline.sha256}) is checked first, so a file edited or added
   * under the baseline refuses instead (G4). Newer migrations are judged as always.
   *
   * @param replays whether the trace will replay the pending migrations on a scratch server
   */
  private void judge(
      String env,
      MigrationFiles files,
      List<PendingMigration> pending,
      DatabaseSupport d,
      boolean replays) {
    java.util.Set<dev.prodguard.migration.MigrationFile> run = new java.util.HashSet<>();
    pending.forEach(p -> run.add(p.file()));
    dev.prodguard.migration.MigrationSources sources = engine.discover(files, d.kind());
    Contract contract =
        ContractLoader.forConfig(config)
            .orElseGet(
                () ->
                    ContractLoader.parse(
                        config.contract(),
                        "version: 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Optional<dev.prodguard.contract.Adoption.Baseline> baseline =
        contract.adoption().baselineIfAny();
    List<dev.prodguard.migration.MigrationSource> judgedNow = new ArrayList<>();
    List<dev.prodguard.migration.MigrationSource> applied = new ArrayList<>();
    Set<String> history = new java.util.HashSet<>();
    for (dev.prodguard.migration.MigrationSource s : sources.analysed()) {
      boolean isHistory =
          baseline.isPresent() && dev.prodguard.lint.History.isHistory(s, baseline.get());
      if (run.contains(s.file()) && isHistory) {
        history.add(s.shown());
      }
      if (run.contains(s.file()) && isHistory && !replays) {
        applied.add(s); // read for the routines it defines, as verify reads history
      } else if (run.contains(s.file())
          || s.role() == dev.prodguard.migration.MigrationSource.Role.CALLBACK) {
        judgedNow.add(s);
      } else if (s.role().migration()) {
        applied.add(s);
      }
    }
    if (!replays && !history.isEmpty()) {
      // G4: only the reviewed history is left unjudged, here as in verify
      dev.prodguard.lint.History.requireReviewed(baseline.orElseThrow(), sources.analysed(), files);
    }
    // verify's own analysis of the same files beside this trace lints the same: made once
    dev.prodguard.lint.LintReport report =
        dev.prodguard.lint.LintOnce.lint(
            d.kind(), engine, files, judgedNow, applied, contract, true, false);
    List<Finding> blocking =
        report.findings().stream().filter(f -> SERVER_WIDE.contains(f.rule())).toList();
    if (blocking.isEmpty()) {
      return;
    }
    StringBuilder why =
        new StringBuilder(
                replays
                    ? "trace does not replay what may act beyond its scratch database (other"
                        + " databases, the network, programs on the host) or what prodguard"
                        + " cannot read; "
                    : "nothing would be replayed ('"
                        + env
                        + "' holds no table), but a new migration may not bring what may act"
                        + " beyond the database or what prodguard cannot read to it, whatever"
                        + " exception covers it; ")
            .append(blocking.size())
            .append(" statement(s):");
    blocking.stream()
        .limit(5)
        .forEach(
            f ->
                why.append("\n")
                    .append(f.file())
                    .append(':')
                    .append(f.line())
                    .append(": [")
                    .append(f.rule())
                    .append("] ")
                    .append(f.message().replace('\n', ' ')));
    if (blocking.size() > 5) {
      why.append("\n... and ").append(blocking.size() - 5).append(" more (prodguard lint)");
    }
    boolean onlyHistory = blocking.stream().allMatch(f -> history.contains(f.file()));
    String fix;
    if (onlyHistory) {
      why.append("\nthey are history under the contract's baseline ")
          .append(baseline.orElseThrow().version())
          .append(", still pending on '")
          .append(env)
          .append("', which holds tables, so the trace would replay them");
      fix =
          "verify this environment without the trace: trace.verify: off in prodguard.yml (where"
              + " the target is behind the baseline, verify's contract checks still judge these"
              + " migrations, and a reviewed exceptions entry { migration, rule, reason } for their"
              + " version covers them; docs/trace.md)";
    } else if (!replays) {
      fix =
          "if these migrations already ran in production, make them the contract's reviewed"
              + " history: baseline: { version, reason, sha256 } (docs/contract.md, adopting on an"
              + " existing history); otherwise rewrite them (a reviewed exception lets the deploy"
              + " run them, never past the trace: deploying them as written means trace.verify:"
              + " off in prodguard.yml)";
    } else {
      fix =
          "remove or rewrite these statements; a reviewed contract exception lets the deploy run"
              + " them, never past the trace, so deploying them as written means verifying"
              + " without it: trace.verify: off in prodguard.yml (docs/trace.md)";
    }
    throw new GuardRefusal(Guarantee.G4, "trace " + env, why.toString(), fix);
  }

  /**
   * A configured scratch server must not be the target's own server (same {@code
   * system_identifier}): the replay creates a database there and runs the migrations' SQL on it.
   */
  private void refuseTargetServer(
      String env, String targetId, DatabaseUrl server, DatabaseSupport d) throws SQLException {
    String scratchId;
    try (Connection c = ScratchDatabase.connect(server, d)) {
      scratchId = systemIdentifier(c);
    }
    if (scratchId.equals(targetId)) {
      throw new GuardRefusal(
          Guarantee.G4,
          "trace " + env,
          "the scratch server "
              + server
              + " is the server of '"
              + env
              + "' itself (system identifier "
              + targetId
              + "): the replay would run the pending migrations' SQL next to the target",
          "leave the scratch server out (trace starts an embedded PostgreSQL of the target's"
              + " version) or give one that is not a server of any environment: --scratch-url,"
              + " $PRODGUARD_TRACE_SCRATCH_URL or trace.scratch");
    }
  }

  private static String systemIdentifier(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The embedded scratch server, or a one-screen refusal naming the configured-server way. */
  private EmbeddedScratchServer embedded(String env, int major, DatabaseSupport d)
      throws IOException, InterruptedException {
    Path cache = PostgresBinaries.cacheDirectory(context.env());
    try {
      progress.step("embedded PostgreSQL " + major + " for the trace (cache " + cache + ")");
      Path binaries = PostgresBinaries.resolve(major, config.trace().binariesRepository(), cache);
      return EmbeddedScratchServer.start(binaries, major, d);
    } catch (PostgresBinaries.Unavailable e) {
      throw new GuardRefusal(
          Guarantee.G4,
          "trace " + env,
          "trace needs a scratch PostgreSQL "
              + major
              + " (the target's major version) and no embedded one could be had: "
              + e.getMessage()
              + " (binaries io.zonky.test.postgres from "
              + PostgresBinaries.shown(config.trace().binariesRepository())
              + ", cache "
              + cache
              + ")",
          e.damaged
                  .map(
                      folder ->
                          "delete "
                              + folder
                              + " (the next trace downloads and unpacks the binaries again) and"
                              + " run again; or ")
                  .orElse("")
              + "give a scratch PostgreSQL "
              + major
              + " server where prodguard may create a database: --scratch-url URL, $"
              + SCRATCH_VARIABLE
              + " or trace.scratch in prodguard.yml; or a mirror of Maven Central in"
              + " trace.binaries-repository (docs/trace.md)");
    }
  }

  /**
   * Every way a scratch server fails is this one screen (G4): unreachable, the login refused, not
   * PostgreSQL, another major version, no right to create a database, gone mid-replay.
   */
  private GuardRefusal scratchRefusal(
      String env, Optional<DatabaseUrl> configured, int major, String why, Throwable cause) {
    return new GuardRefusal(
        Guarantee.G4,
        "trace " + env,
        "trace needs a scratch PostgreSQL "
            + major
            + " (the target's major version) where prodguard may create a database, and could not"
            + " use "
            + (configured.isPresent() ? "the configured one" : "the embedded one")
            + ": "
            + why
            + "; nothing ran on '"
            + env
            + "' (catalog reads only), the scratch database is discarded",
        configured.isPresent()
            ? "give a reachable PostgreSQL "
                + major
                + " server whose role may create databases, other than the target's: --scratch-url"
                + " URL, $"
                + SCRATCH_VARIABLE
                + " or trace.scratch in prodguard.yml; or leave all three unset for an embedded"
                + " PostgreSQL "
                + major
                + " (docs/trace.md)"
            : "run the trace again; if it fails again, give a scratch PostgreSQL "
                + major
                + " server: --scratch-url URL, $"
                + SCRATCH_VARIABLE
                + " or trace.scratch in prodguard.yml (docs/trace.md)",
        cause);
  }

  /** What a scratch server's SQL error means, by SQLSTATE class; the server's own words kept. */
  static String scratchProblem(String server, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String said = firstLine(e.getMessage()) + (state.isEmpty() ? "" : " [" + state + "]");
    if (state.startsWith("28")) {
      return server + " refused the login: " + said;
    }
    if (state.equals("08P01")) {
      return server + " does not speak PostgreSQL's protocol (is it PostgreSQL?): " + said;
    }
    if (state.startsWith("08") || state.startsWith("57P")) {
      return "cannot reach "
          + server
          + " (or it ended the session: shut down, restarted, unreachable): "
          + said;
    }
    if (state.equals("42501")) {
      return "the role of " + server + " may not create databases there: " + said;
    }
    if (state.equals("3D000")) {
      return "the database the URL of " + server + " names does not exist: " + said;
    }
    if (state.equals("42883") || state.equals("42P01")) {
      return server + " lacks what PostgreSQL has (is it PostgreSQL?): " + said;
    }
    return server + " failed: " + said;
  }

  private static String server(Optional<DatabaseUrl> configured) {
    return configured.map(u -> "the scratch server " + u).orElse("the embedded scratch server");
  }

  /**
   * @param discarded what the interruption discarded, as the refusal says it
   */
  private static GuardRefusal interruptedRefusal(String env, String discarded) {
    return new GuardRefusal(
        Guarantee.G4,
        "trace " + env,
        "the trace was interrupted (Ctrl-C, SIGINT or SIGTERM) before it ended: what the pending"
            + " migrations do is not known, so nothing about them is verified; nothing ran on '"
            + env
            + "' (catalog reads only), "
            + discarded,
        "run the trace (or verify) again and let it end; there is nothing to clean up");
  }

  /**
   * What one trace leaves to discard: the schema copy's file, the scratch database, the embedded
   * server. Closed at the end of the trace and by the interruption hook, whichever comes first;
   * closing twice does nothing.
   */
  private static final class Discard {
    volatile Path script;
    volatile ScratchDatabase scratch;
    volatile EmbeddedScratchServer embedded;
    volatile ScratchRole role;
    volatile boolean interrupted;
    volatile GuardRefusal refusal;
    final java.util.concurrent.CountDownLatch hookDone = new java.util.concurrent.CountDownLatch(1);
    volatile boolean starting;
    final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

    synchronized void close() throws IOException, SQLException {
      try {
        Path f = script;
        if (f != null) {
          Files.deleteIfExists(f);
        }
        ScratchDatabase s = scratch;
        if (s != null) {
          s.close();
        }
        // the role owned the scratch database: dropped after it
        ScratchRole r = role;
        if (r != null) {
          r.close();
        }
      } finally {
        EmbeddedScratchServer e = embedded;
        if (e != null) {
          e.close();
        }
      }
    }

    /**
     * From the interruption hook: while the embedded server is starting, the trace's thread goes on
     * (until the hook's handler ends the JVM) and the server and its directory are only known once
     * the start returns; a start that fails deletes them itself. Waits for either, at most the
     * server's own start bound.
     */
    void awaitStart() {
      if (!starting) {
        return;
      }
      try {
        started.await(EmbeddedScratchServer.START_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }

    void closeQuietly() {
      try {
        close();
      } catch (IOException | SQLException | RuntimeException e) {
        // from the shutdown hook there is no one left to tell; the objects' own hooks retry
      }
    }

    /**
     * The trace's thread after an interruption: its error is the interruption's (the hook dropped
     * the database under it), so it prints nothing of its own; it waits for the hook, whose handler
     * the CLI ends by exiting, and returns the hook's refusal to throw.
     */
    GuardRefusal awaitRefusal(Exception e) {
      try {
        hookDone.await(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      GuardRefusal r = refusal;
      if (r == null) {
        r = interruptedRefusal("", "the scratch database is discarded");
      }
      r.addSuppressed(e);
      return r;
    }
  }

  /** Where the scratch server is when no --scratch-url is given (before {@code trace.scratch}). */
  public static final String SCRATCH_VARIABLE = "PRODGUARD_TRACE_SCRATCH_URL";

  /**
   * A statement the scratch refused because it reaches beyond what the trace may do: a privilege
   * the unprivileged replay role lacks (superuser, server files or programs, an untrusted
   * extension), or a foreign table (its server is copied without a wrapper). The deploy would not
   * necessarily fail there: the trace is incomplete (fail closed), not the migration wrong.
   */
  static Optional<String> beyondTheReplay(StatementProbe probe, Replay.Failed f) {
    if (f.incomplete != null) {
      return Optional.of(f.incomplete);
    }
    if (!(f.getCause() instanceof SQLException e)) {
      return Optional.empty();
    }
    if (probe.stubbed(e)) {
      String said = firstLine(e.getMessage());
      int at = said.indexOf("_not_copied: ");
      return Optional.of(
          "calls "
              + (at < 0 ? said : said.substring(at + "_not_copied: ".length()))
              + " (directly or through a function or trigger of the target), which may act beyond"
              + " the database (another server, the host's files or programs): the trace's copy"
              + " holds it as a stub that raises, so the replay never reaches out and what it does"
              + " on the target is not known; nothing from here on was traced");
    }
    if (probe.foreignTable(e)) {
      return Optional.of(
          "reads or writes a foreign table: trace copies no foreign server or user mapping and"
              + " never reaches another server; nothing from here on was traced");
    }
    if (probe.insufficientPrivilege(e)) {
      return Optional.of(
          "needs a privilege the trace's replay role does not have ("
              + firstLine(e.getMessage())
              + "): trace replays as an unprivileged role, never a superuser, so that nothing"
              + " replayed reaches the host's files or programs; nothing from here on was traced");
    }
    return Optional.empty();
  }

  /** The target's roles (no system roles): a migration may GRANT to them or SET ROLE. */
  private static List<String> roles(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * Creates the target's roles by name (no login, no password, no attribute) on the embedded
   * server, each granted to {@code member} (the replay role: {@code SET ROLE app} and {@code OWNER
   * TO app} replay). A name the server has already (its superuser's) is left alone.
   */
  private static void createRoles(
      DatabaseUrl server, DatabaseSupport d, List<String> roles, String member)
      throws SQLException {
    if (roles.isEmpty()) {
      return;
    }
    try (Connection c = ScratchDatabase.connect(server, d);
        Statement st = c.createStatement()) {
      for (String r : roles) {
        String quoted = "\"" + r.replace("\"", "\"\"") + "\"";
        st.execute(
            "DO $prodguard$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname ="
                + " '"
                + r.replace("'", "''")
                + "') THEN CREATE ROLE "
                + quoted
                + " NOLOGIN; GRANT "
                + quoted
                + " TO "
                + d.quote(member)
                + "; END IF; END $prodguard$");
      }
    }
  }

  /**
   * The target's names that Flyway's built-in placeholders take, read once from its catalog. {@code
   * ${flyway:database}} is the scratch database's name in the replay: a statement that names its
   * own database acts on the copy.
   */
  private record TargetNames(String schema, String user, String searchPath) {
    /**
     * {@code schema}: Flyway's default schema, {@code migrations.default-schema} (else the first of
     * {@code migrations.schemas}) when configured, else the connection's {@code current_schema()},
     * as Flyway takes it; {@code searchPath}: the search path the target's sessions start with.
     */
    static TargetNames read(Connection c, Optional<String> defaultSchema) throws SQLException {
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT current_schema(), current_user, current_setting('search_path')")) {
        rs.next();
        return new TargetNames(
            defaultSchema.orElse(rs.getString(1)), rs.getString(2), rs.getString(3));
      }
    }

    /**
     * Puts the replay's session where the deploy's starts: the target's search path, its {@code
     * "$user"} read as the target's role (the replay runs as another), so an unqualified name finds
     * the same schema on the copy as on the target. Flyway then puts its default schema first
     * before each migration and callback ({@link StatementProbe#restore}).
     */
    StatementProbe.Session startSession(Connection c, StatementProbe probe, DatabaseSupport d)
        throws SQLException {
      String path = searchPath.replace("\"$user\"", d.quote(user));
      try (java.sql.PreparedStatement ps =
          c.prepareStatement("SELECT set_config('search_path', ?, false)")) {
        ps.setString(1, path);
        ps.executeQuery().close();
      }
      return probe.session(c);
    }

    /**
     * What Flyway's {@code createSchemas} (on by default) does on every migrate: the default schema
     * and {@code migrations.schemas} that do not exist yet are created, before {@code
     * beforeMigrate}; the default schema then goes first on the search path like an existing one.
     */
    void createSchemas(Connection c, DatabaseSupport d, ProdguardConfig.Schemas schemas)
        throws SQLException {
      Set<String> wanted = new LinkedHashSet<>();
      schemas.effectiveDefault().ifPresent(wanted::add);
      wanted.addAll(schemas.schemas());
      try (Statement st = c.createStatement()) {
        for (String schema : wanted) {
          st.execute("CREATE SCHEMA IF NOT EXISTS " + d.quote(schema));
        }
      }
    }

    Map<String, String> builtIns(String database, String fileName) {
      Map<String, String> m = new LinkedHashMap<>();
      if (schema != null) {
        m.put("defaultSchema", schema);
      }
      m.put("user", user);
      m.put("database", database);
      m.put("filename", fileName);
      m.put(
          "timestamp",
          java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
              .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)));
      return m;
    }
  }

  /**
   * Flyway's built-in placeholders, as {@code PlaceholderText} leaves them: {@code ${flyway:x}}.
   */
  static String replaceBuiltIns(String sql, Map<String, String> values) {
    if (!sql.contains("${flyway:")) {
      return sql;
    }
    String out = sql;
    for (Map.Entry<String, String> e : values.entrySet()) {
      out = out.replace("${flyway:" + e.getKey() + "}", e.getValue());
    }
    return out;
  }

  /** The first placeholder left in {@code sql} (one without a value here), as written. */
  static Optional<String> placeholder(String sql, Placeholders p) {
    int builtIn = sql.indexOf("${flyway:");
    if (builtIn >= 0) {
      int end = sql.indexOf('}', builtIn);
      return Optional.of(end < 0 ? sql.substring(builtIn) : sql.substring(builtIn, end + 1));
    }
    for (String name : p.unknown().keySet()) {
      String written = p.prefix() + name + p.suffix();
      if (sql.contains(written)) {
        return Optional.of(written);
      }
    }
    return Optional.empty();
  }

  /** A reviewed exception of the contract for this finding's migration and rule covers it. */
  private static Finding cover(
      Finding f, Optional<Contract> contract, List<PendingMigration> pending) {
    if (contract.isEmpty() || f.migration() == null) {
      return f;
    }
    Optional<MigrationId> id = MigrationId.parse(f.migration());
    if (id.isEmpty()) {
      return f;
    }
    // the file's content as it runs now: an exception bound to other content does not cover it
    String sha256 =
        pending.stream()
            .filter(
                p ->
                    MigrationId.parse(TraceFindings.id(p.file().fileName()))
                        .map(id.get()::equals)
                        .orElse(false))
            .map(p -> p.file().sha256())
            .findFirst()
            .orElse(null);
    for (Contract.MigrationException e : contract.get().exceptions()) {
      if (e.rule().equals(f.rule()) && e.migration().covers(id.get()) && e.admits(sha256)) {
        return f.withCover(new Cover(e.reason(), new Location(e.file(), e.line(), 1)));
      }
    }
    return f;
  }

  /**
   * A reviewed exception of a trace rule for a pending migration that covers no finding of this
   * (complete) trace is stale: an error, as lint reports its own ({@code
   * contract-exception-unused}).
   */
  private static List<Finding> unusedExceptions(
      Contract contract, List<PendingMigration> pending, List<Finding> findings) {
    List<Finding> out = new ArrayList<>();
    for (Contract.MigrationException e : contract.exceptions()) {
      if (!TraceFindings.RULES.contains(e.rule())) {
        continue;
      }
      boolean pendingFile =
          pending.stream()
              .anyMatch(
                  p ->
                      MigrationId.parse(TraceFindings.id(p.file().fileName()))
                          .map(id -> e.migration().covers(id))
                          .orElse(false));
      boolean used =
          findings.stream()
              .anyMatch(
                  f ->
                      f.covered()
                          && f.rule().equals(e.rule())
                          && f.coveredBy().entry() != null
                          && f.coveredBy().entry().line() == e.line());
      if (pendingFile && !used) {
        out.add(
            new Finding(
                "contract-exception-unused",
                Severity.ERROR,
                new Location(e.file(), e.line(), 1),
                null,
                "the exception for "
                    + e.migration()
                    + " and rule '"
                    + e.rule()
                    + "' covers no fact of the trace: remove it (stale exceptions hide future"
                    + " changes)",
                "{ migration: " + e.migration() + ", rule: " + e.rule() + " }",
                "Delete the entry from the contract, or correct its migration or rule.",
                "G4",
                null));
      }
    }
    return out;
  }

  private static Finding stop(
      String rule, String file, int line, PendingMigration p, String message) {
    return new Finding(
        rule,
        Severity.ERROR,
        new Location(file, line, 1),
        TraceFindings.id(p.file().fileName()),
        p.file().fileName() + " line " + line + " " + message,
        "",
        null,
        "G4",
        null);
  }

  /** {@code pg_dump --schema-only} of the target into {@code script}, on a thread of its own. */
  private CompletableFuture<Void> dump(
      DatabaseSupport d, StatementProbe probe, Optional<Path> binDir, Target target, Path script) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            SchemaCopy.dump(
                d, probe, binDir, target.url(), config.pipeline().lockWaitTimeout(), script);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        },
        DUMPS);
  }

  /** Parks the calling thread while a shutdown hook ends the process (it halts). */
  private static void awaitHalt() {
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the process shuts down", e);
      }
    }
  }

  /**
   * The schema dump and the embedded server of a trace, started as soon as the pending set says a
   * replay follows (before the remaining catalog reads and {@link #judge}, which take about as long
   * as the server's start): nothing runs on the server before judge passed. Until {@link
   * #handedOver} the trace's own discard takes them, a shutdown hook of this object deletes the
   * dump (the server has its own hook); {@link #discard} when the trace ends before it (judge
   * refused, a read failed).
   */
  private final class Early {
    final Path script;
    final long started = System.nanoTime();
    final CompletableFuture<Void> dump;
    private final CompletableFuture<EmbeddedScratchServer> server;
    private final Thread hook;

    private final String env;

    Early(
        String env,
        int major,
        DatabaseSupport d,
        Target target,
        StatementProbe probe,
        Optional<Path> binDir)
        throws IOException {
      this.env = env;
      script = Files.createTempFile("prodguard-trace-", ".sql");
      hook = new Thread(this::stopFromHook, "prodguard-trace-early-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      dump = dump(d, probe, binDir, target, script);
      server =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return embedded(env, major, d);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new IllegalStateException(e);
                }
              },
              SERVERS);
    }

    /** The started server; its start's refusal or failure as {@link #embedded} throws them. */
    EmbeddedScratchServer server() throws IOException {
      try {
        return server.join();
      } catch (java.util.concurrent.CompletionException e) {
        Throwable c = e.getCause();
        if (c instanceof UncheckedIOException u) {
          throw u.getCause();
        }
        if (c instanceof RuntimeException r) {
          throw r;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IOException(c);
      }
    }

    void handedOver() {
      removeHook();
    }

    /** Stops the server once started (when it started), deleting its directory. */
    void closeServer() {
      try {
        server.join().close();
      } catch (java.util.concurrent.CompletionException | IOException e) {
        // a start that failed left nothing; a stop that failed is retried by the server's hook
      }
    }

    /** The trace ends before its replay: the dump's file and the server go. */
    void discard() {
      awaitDumpQuietly(dump);
      deleteScript();
      closeServer();
      removeHook();
    }

    /**
     * Ctrl-C before the trace took them over: the dump's file goes, and a server still starting is
     * awaited (within its start's bound) and stopped, so that its directory does not stay behind.
     */
    private void stopFromHook() {
      deleteScript();
      stopServer();
      // the dump's error file and the load's list: no finally of theirs runs after this
      SchemaCopy.discardTemporaryFiles();
      // the same one screen as an interruption later in the trace (exit 1, not 130 or 143)
      onInterrupt.accept(
          interruptedRefusal(env, "the schema dump and the embedded server are discarded"));
    }

    /** Awaits the server's start (within its bound) and stops it; quiet, for hooks. */
    void stopServer() {
      try {
        server
            .get(EmbeddedScratchServer.START_SECONDS, java.util.concurrent.TimeUnit.SECONDS)
            .close();
      } catch (Exception e) {
        // a start that failed left nothing; one still running past its bound is the server's own
      }
    }

    private void deleteScript() {
      try {
        Files.deleteIfExists(script);
      } catch (IOException e) {
        // a private temporary file; nothing else to do from a hook
      }
    }

    private void removeHook() {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) anyway
      }
    }
  }

  /** One thread per early server start, a daemon: the JVM may exit while one runs (Ctrl-C). */
  private static final java.util.concurrent.Executor SERVERS =
      r -> {
        Thread t = new Thread(r, "prodguard-trace-server");
        t.setDaemon(true);
        t.start();
      };

  /** One thread per dump, a daemon: the JVM may exit while one runs (Ctrl-C). */
  private static final java.util.concurrent.Executor DUMPS =
      r -> {
        Thread t = new Thread(r, "prodguard-trace-dump");
        t.setDaemon(true);
        t.start();
      };

  /**
   * The trace's reads of the target wait for another session's lock at most {@code
   * pipeline.lock-wait-timeout}, as every read before the deploy (a size read takes ACCESS SHARE on
   * the table); a longer wait fails the read, which refuses the trace.
   */
  private static void bound(Target target, Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String sql :
          target
              .dialect()
              .sessionTimeouts(
                  Optional.of(target.config().pipeline().lockWaitTimeout()), Optional.empty())) {
        st.execute(sql);
      }
    }
  }

  private static void awaitDump(CompletableFuture<Void> dump)
      throws IOException, InterruptedException {
    try {
      dump.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(c);
    }
  }

  /** Waits for a dump that may have failed or been cancelled: its file is deleted next. */
  private static void awaitDumpQuietly(CompletableFuture<Void> dump) {
    try {
      dump.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.CancellationException
        | java.util.concurrent.TimeoutException e) {
      // reported by awaitDump when it mattered
    }
  }

  /** The server's message without the lines the driver adds ({@code Position: 13}). */
  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message.strip() : message.substring(0, nl).strip();
  }

  private Optional<Path> binDir() {
    String dir = context.get("PRODGUARD_DUMP_BINDIR");
    return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
  }

  /** The engine reads the pending set through this one connection, which stays open. */
  private static DataSource single(Connection c) {
    return new dev.prodguard.db.ConnectionSource() {
      @Override
      public Connection getConnection() {
        return (Connection)
            java.lang.reflect.Proxy.newProxyInstance(
                Tracer.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) ->
                    method.getName().equals("close") ? null : method.invoke(c, args));
      }
    };
  }
}
