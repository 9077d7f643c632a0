package dev.prodguard.trace;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.JsonWriter;
import dev.prodguard.support.StatementProbe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code prodguard trace ENV}: every pending statement with what the server did for it, the
 * target's sizes of the tables involved, the findings, and where the time went.
 *
 * @param serverMajor the target's (and scratch server's) PostgreSQL major version
 * @param copyMillis the schema copy into the scratch database ({@code pg_dump} and {@code psql})
 * @param replayMillis applying the pending migrations there, probes included
 * @param replayed the statements sent to the scratch database, each once, a failing one included:
 *     {@code statements} plus the one the trace stopped at when it failed there (a statement with a
 *     placeholder without a value, or after the stop, is not sent and not counted)
 * @param incomplete why the trace stopped before the last statement, if it did
 * @param pendingFiles the pending migrations traced (or found nothing to trace in), in order, by
 *     path inside their location: verify checks that they are the set it records
 * @param nothingToTrace the target holds no table (prodguard's own aside), so nothing was replayed:
 *     no pending statement can lock, rewrite, scan or drop a table that exists before the deploy
 */
public record TraceReport(
    String environment,
    int serverMajor,
    int pendingMigrations,
    List<String> pendingFiles,
    List<StatementTrace> statements,
    Map<String, StatementProbe.Size> sizes,
    List<Finding> findings,
    long copyMillis,
    long replayMillis,
    int replayed,
    Optional<String> incomplete,
    boolean nothingToTrace) {

  /** What verify and {@code prodguard trace} say when {@link #nothingToTrace()}. */
  public static final String NOTHING_TO_TRACE = "nothing to trace, the target has no tables";

  public TraceReport {
    pendingFiles = List.copyOf(pendingFiles);
    statements = List.copyOf(statements);
    sizes = Map.copyOf(sizes);
    findings = List.copyOf(findings);
  }

  public boolean blocking() {
    return findings.stream().anyMatch(Finding::blocking);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("command", "trace");
    j.put("environment", environment);
    j.put("server_major", serverMajor);
    j.put("pending", pendingMigrations);
    j.put("copy_millis", copyMillis);
    j.put("replay_millis", replayMillis);
    j.put("replayed", replayed);
    j.put("incomplete", incomplete.orElse(null));
    j.put("nothing_to_trace", nothingToTrace);
    List<Object> st = new ArrayList<>();
    for (StatementTrace t : statements) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("migration", t.migration());
      m.put("file", t.file());
      m.put("line", t.line());
      m.put("millis", t.millis());
      m.put("in_transaction", t.inTransaction());
      m.put(
          "locks",
          t.locks().stream()
              .map(l -> Map.of("relation", l.relation(), "mode", LockModes.sqlName(l.mode())))
              .toList());
      m.put(
          "held_locks",
          t.held().stream()
              .map(l -> Map.of("relation", l.relation(), "mode", LockModes.sqlName(l.mode())))
              .toList());
      m.put(
          "index_locks",
          t.indexLocks().stream()
              .map(
                  l ->
                      Map.of(
                          "index",
                          l.index(),
                          "table",
                          l.table(),
                          "mode",
                          LockModes.sqlName(l.mode())))
              .toList());
      m.put(
          "row_triggers",
          t.rowTriggers().stream()
              .map(r -> Map.of("table", r.table(), "triggers", r.triggers()))
              .toList());
      m.put("every_row", t.everyRow());
      m.put("rewritten", t.rewritten());
      m.put("scanned", t.scanned());
      m.put(
          "indexes_built",
          t.indexesBuilt().stream()
              .map(
                  i ->
                      Map.of(
                          "index",
                          i.name(),
                          "table",
                          i.table(),
                          "concurrently",
                          i.concurrently(),
                          "rebuilt",
                          i.rebuilt()))
              .toList());
      m.put("dropped", t.dropped());
      m.put("renamed", t.renamed());
      m.put(
          "constraints_added",
          t.constraintsAdded().stream()
              .map(
                  k ->
                      Map.of(
                          "constraint",
                          k.name(),
                          "table",
                          k.table(),
                          "type",
                          k.typeName(),
                          "validated",
                          k.validated()))
              .toList());
      st.add(m);
    }
    j.put("statements", st);
    Map<String, Object> sz = new LinkedHashMap<>();
    sizes.forEach((k, v) -> sz.put(k, Map.of("rows", v.rows(), "bytes", v.bytes())));
    j.put("sizes", sz);
    j.put("findings", JsonWriter.findings(findings, JsonWriter.Shape.LINT));
    return j;
  }
}
