package dev.prodguard.trace;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.StatementProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
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

  public Tracer(ProdguardConfig config, RunContext context, MigrationEngine engine, Progress p) {
    this.config = config;
    this.context = context;
    this.engine = engine.configuredBy(config);
    this.progress = p;
  }

  /**
   * Traces the pending migrations of {@code env}.
   *
   * @param scratchServer a PostgreSQL server of the target's major version where prodguard may
   *     create and drop a database (the URL's database is only connected to for that)
   * @throws ConfigException when the environment is not PostgreSQL, or the scratch server is of
   *     another major version
   */
  public TraceReport trace(String env, DatabaseUrl scratchServer)
      throws SQLException, IOException, InterruptedException {
    String what = "trace " + env;
    Target target = Target.prepare(config, env, context, Target.Access.READ, what);
    DatabaseSupport d = target.dialect();
    StatementProbe probe =
        d.statementProbe()
            .orElseThrow(
                () ->
                    new ConfigException(
                        config.file(),
                        0,
                        "environments." + env,
                        "trace needs PostgreSQL: MySQL/MariaDB expose no lock, rewrite or scan"
                            + " facts per statement (docs/trace.md)"));
    if (scratchServer.kind() != d.kind()) {
      throw new ConfigException(
          config.file(), 0, "trace scratch", "the scratch server must be PostgreSQL too");
    }
    MigrationFiles files = MigrationFiles.read(config, context.env());
    List<PendingMigration> pending;
    int major;
    try (Target.Checked control = target.open()) {
      major = probe.majorVersion(control.connection());
      pending = engine.pending(files, single(control.connection()));
    }
    if (pending.isEmpty()) {
      return new TraceReport(env, major, 0, List.of(), Map.of(), List.of(), 0, 0, Optional.empty());
    }
    Optional<Path> binDir = binDir();
    List<StatementTrace> traces = new ArrayList<>();
    List<Finding> stops = new ArrayList<>();
    long copyMillis;
    long replayMillis;
    progress.step("tracing " + pending.size() + " pending migration(s) of '" + env + "'");
    try (ScratchDatabase scratch = ScratchDatabase.create(scratchServer, d)) {
      try (Connection c = scratch.connect()) {
        int scratchMajor = probe.majorVersion(c);
        if (scratchMajor != major) {
          throw new ConfigException(
              config.file(),
              0,
              "trace scratch",
              "the scratch server is PostgreSQL "
                  + scratchMajor
                  + ", the target "
                  + major
                  + ": locks and rewrites differ between major versions; use a scratch server of"
                  + " version "
                  + major);
        }
      }
      long t0 = System.nanoTime();
      SchemaCopy.copy(d, probe, binDir, target.url(), scratch);
      copyMillis = (System.nanoTime() - t0) / 1_000_000;
      long t1 = System.nanoTime();
      try (Connection c = scratch.connect()) {
        Replay replay = new Replay(probe);
        for (PendingMigration p : pending) {
          String file = p.file().relativePath();
          EngineStatements es = engine.statements(p.file(), d.kind());
          if (es.failure().isPresent()) {
            stops.add(stop(TraceFindings.INCOMPLETE, file, 1, p, es.failure().get()));
            break;
          }
          List<Replay.Sql> sql = new ArrayList<>();
          for (EngineStatements.Statement s : es.statements()) {
            sql.add(new Replay.Sql(s.line(), s.sql()));
          }
          Optional<Replay.Sql> placeholder =
              sql.stream().filter(s -> s.text().contains("${")).findFirst();
          if (placeholder.isPresent()) {
            stops.add(
                stop(
                    TraceFindings.INCOMPLETE,
                    file,
                    placeholder.get().line(),
                    p,
                    "the statement holds a Flyway placeholder, which trace does not replace yet;"
                        + " nothing from here on was traced"));
            break;
          }
          try {
            traces.addAll(replay.migration(c, p.file().fileName(), file, sql));
          } catch (Replay.Failed f) {
            stops.add(
                stop(
                    TraceFindings.FAILED,
                    file,
                    f.statement.line(),
                    p,
                    "fails on a copy of the target's schema: "
                        + f.getMessage()
                        + "; the deploy would fail here too"));
            break;
          }
        }
      }
      replayMillis = (System.nanoTime() - t1) / 1_000_000;
    }
    Set<String> tables = new LinkedHashSet<>();
    for (StatementTrace t : traces) {
      t.locks().forEach(l -> tables.add(l.relation()));
      tables.addAll(t.rewritten());
      tables.addAll(t.scanned());
      t.indexesBuilt().forEach(i -> tables.add(i.table()));
      t.constraintsAdded().forEach(k -> tables.add(k.table()));
    }
    Map<String, StatementProbe.Size> sizes;
    try (Target.Checked control = target.open()) {
      sizes = probe.sizes(control.connection(), tables);
    }
    List<Finding> findings = new ArrayList<>(TraceFindings.of(traces, sizes, policy()));
    findings.addAll(stops);
    return new TraceReport(
        env,
        major,
        pending.size(),
        traces,
        sizes,
        findings,
        copyMillis,
        replayMillis,
        stops.stream().map(Finding::message).findFirst());
  }

  private TracePolicy policy() {
    Optional<Contract> contract = ContractLoader.forConfig(config);
    Set<String> protectedTables = new LinkedHashSet<>();
    contract.ifPresent(
        c ->
            c.protectedTables()
                .keySet()
                .forEach(t -> protectedTables.add(t.toLowerCase(Locale.ROOT))));
    return new TracePolicy(TracePolicy.DEFAULT_MAX_REWRITE_BYTES, protectedTables);
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

  private Optional<Path> binDir() {
    String dir = context.get("PRODGUARD_DUMP_BINDIR");
    return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
  }

  /** The engine reads the pending set through this one connection, which stays open. */
  private static DataSource single(Connection c) {
    return new DataSource() {
      @Override
      public Connection getConnection() {
        return (Connection)
            java.lang.reflect.Proxy.newProxyInstance(
                Tracer.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) ->
                    method.getName().equals("close") ? null : method.invoke(c, args));
      }

      @Override
      public Connection getConnection(String u, String p) {
        return getConnection();
      }

      @Override
      public PrintWriter getLogWriter() {
        return null;
      }

      @Override
      public void setLogWriter(PrintWriter out) {}

      @Override
      public void setLoginTimeout(int seconds) {}

      @Override
      public int getLoginTimeout() {
        return 0;
      }

      @Override
      public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
      }

      @Override
      public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
      }

      @Override
      public boolean isWrapperFor(Class<?> iface) {
        return false;
      }
    };
  }
}
