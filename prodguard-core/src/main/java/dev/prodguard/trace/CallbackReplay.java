package dev.prodguard.trace;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrateCallback;
import dev.prodguard.migration.MigrateCallback.Moment;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.support.StatementProbe;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The project's callbacks (Flyway SQL callbacks: {@code beforeMigrate.sql}, {@code
 * beforeEachMigrate__x.sql}, {@code afterMigrate.sql}, ...) replayed where the deploy's migrate
 * runs them ({@link MigrationEngine#migrateCallbacks}): the once-per-migrate ones in a session
 * restored as before a migration, each in its own transaction unless it cannot run in one; the
 * per-migration and per-statement ones inside each migration's transaction, around its statements.
 * Their statements are reported under the callback's file name. A callback the trace cannot place
 * (an event it does not model, a file the engine cannot split, a placeholder without a value) stops
 * the trace as incomplete before anything is replayed: fail closed.
 */
final class CallbackReplay {
  /** One callback's statements as the engine sends them, ready to replay. */
  record Script(MigrateCallback callback, List<Replay.Sql> sql, boolean inTransaction) {
    String name() {
      return callback.source().file().fileName();
    }

    String file() {
      return callback.source().file().relativePath();
    }
  }

  private final Map<Moment, List<Script>> byMoment;
  private final Optional<Finding> stop;

  private CallbackReplay(Map<Moment, List<Script>> byMoment, Optional<Finding> stop) {
    this.byMoment = byMoment;
    this.stop = stop;
  }

  /**
   * @param builtIns Flyway's built-in placeholder values for a file name
   * @param mask what a reported text shows instead of a value read from the environment
   */
  static CallbackReplay prepare(
      MigrationEngine engine,
      MigrationFiles files,
      DatabaseKind kind,
      Function<String, Map<String, String>> builtIns,
      UnaryOperator<String> mask) {
    Map<Moment, List<Script>> byMoment = new EnumMap<>(Moment.class);
    for (MigrateCallback cb : engine.migrateCallbacks(files, kind)) {
      String name = cb.source().file().fileName();
      String file = cb.source().file().relativePath();
      if (cb.moment() == Moment.ON_ERROR || cb.moment() == Moment.NOT_IN_MIGRATE) {
        continue; // a successful migrate does not run it
      }
      if (cb.moment() == Moment.UNKNOWN) {
        return stopped(
            file,
            1,
            name,
            "is a callback of event "
                + cb.event()
                + ", which the deploy may run and the trace does not replay: nothing was traced");
      }
      EngineStatements es = engine.statements(files, cb.source().file(), kind);
      if (es.failure().isPresent()) {
        return stopped(file, 1, name, mask.apply(es.failure().get()));
      }
      Map<String, String> values = builtIns.apply(name);
      List<Replay.Sql> sql = new ArrayList<>();
      boolean allTransactional = true;
      for (EngineStatements.Statement s : es.statements()) {
        String text = Tracer.replaceBuiltIns(s.sql(), values);
        Optional<String> unresolved = Tracer.placeholder(text, files.placeholders());
        if (unresolved.isPresent()) {
          return stopped(
              file,
              s.line(),
              name,
              "holds placeholder "
                  + unresolved.get()
                  + ", which has no value here; nothing was traced");
        }
        allTransactional &= s.transactional();
        sql.add(new Replay.Sql(s.line(), text, name, file));
      }
      boolean inTransaction = es.executeInTransaction().orElse(allTransactional);
      byMoment
          .computeIfAbsent(cb.moment(), m -> new ArrayList<>())
          .add(new Script(cb, List.copyOf(sql), inTransaction));
    }
    return new CallbackReplay(byMoment, Optional.empty());
  }

  private static CallbackReplay stopped(String file, int line, String name, String message) {
    return new CallbackReplay(
        Map.of(), Optional.of(finding(TraceFindings.INCOMPLETE, file, line, name, message)));
  }

  static Finding finding(String rule, String file, int line, String name, String message) {
    return new Finding(
        rule,
        Severity.ERROR,
        new Location(file, line, 1),
        TraceFindings.id(name),
        name + " line " + line + " " + message,
        "",
        null,
        "G4",
        null);
  }

  /** Why the trace stops before replaying anything: a callback it cannot replay. */
  Optional<Finding> stop() {
    return stop;
  }

  List<Script> at(Moment moment) {
    return byMoment.getOrDefault(moment, List.of());
  }

  /**
   * One migration's statements with the callbacks Flyway runs inside its transaction: {@code
   * beforeEachMigrate} first, {@code beforeEachMigrateStatement} and {@code
   * afterEachMigrateStatement} around each statement, {@code afterEachMigrate} last.
   */
  List<Replay.Sql> around(List<Replay.Sql> statements) {
    List<Replay.Sql> out = new ArrayList<>();
    at(Moment.BEFORE_EACH).forEach(s -> out.addAll(s.sql()));
    for (Replay.Sql one : statements) {
      at(Moment.BEFORE_EACH_STATEMENT).forEach(s -> out.addAll(s.sql()));
      out.add(one);
      at(Moment.AFTER_EACH_STATEMENT).forEach(s -> out.addAll(s.sql()));
    }
    at(Moment.AFTER_EACH).forEach(s -> out.addAll(s.sql()));
    return out;
  }

  /** Restores the session as Flyway does before a migration or callback. */
  interface Restore {
    void run() throws SQLException;
  }

  /** Replays the once-per-migrate callbacks of one moment into a trace's statements and stops. */
  static final class Run {
    private final Connection c;
    private final Replay replay;
    private final StatementProbe probe;
    private final UnaryOperator<String> mask;
    private final Restore restore;
    private final List<StatementTrace> traces;
    private final List<Finding> stops;
    private int replayed;

    Run(
        Connection c,
        Replay replay,
        StatementProbe probe,
        UnaryOperator<String> mask,
        Restore restore,
        List<StatementTrace> traces,
        List<Finding> stops) {
      this.c = c;
      this.replay = replay;
      this.probe = probe;
      this.mask = mask;
      this.restore = restore;
      this.traces = traces;
      this.stops = stops;
    }

    /** The statements sent, the one a stop failed at included. */
    int replayed() {
      return replayed;
    }

    /**
     * Each callback of {@code moment}, in order, as Flyway runs it: the session restored ({@code
     * restoreOriginalState}, {@code changeCurrentSchemaTo}), then its statements in one transaction
     * (or outside one, as the migration replay does). A failing statement stops the trace, as a
     * failing migration does.
     */
    void at(CallbackReplay callbacks, Moment moment) throws SQLException {
      for (Script s : callbacks.at(moment)) {
        if (!stops.isEmpty()) {
          return;
        }
        restore.run();
        try {
          List<StatementTrace> done =
              replay.migration(c, s.name(), s.file(), s.sql(), s.inTransaction());
          traces.addAll(done);
          replayed += done.size();
        } catch (Replay.Failed f) {
          traces.addAll(f.done);
          replayed += f.done.size() + 1;
          Optional<String> beyond = Tracer.beyondTheReplay(probe, f);
          stops.add(
              finding(
                  beyond.isPresent() ? TraceFindings.INCOMPLETE : TraceFindings.FAILED,
                  s.file(),
                  f.statement.line(),
                  s.name(),
                  mask.apply(
                      beyond.orElseGet(
                          () ->
                              "fails on a copy of the target's schema: "
                                  + probe.failure((SQLException) f.getCause())
                                  + "; the deploy would fail here too"))));
        }
      }
    }
  }
}
