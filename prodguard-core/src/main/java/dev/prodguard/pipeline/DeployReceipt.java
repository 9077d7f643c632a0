package dev.prodguard.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.support.InvalidIndexes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The receipt of a deploy, stored on its run as JSON: the engine, the migration set and contract,
 * the commit and CI subject, the backup, each applied migration with its SHA-256 and time, the
 * sessions the deploy used, start, end and duration, the failure, and the invalid-index baseline.
 */
final class DeployReceipt {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final StepContext s;
  private List<KillBounds.Judged> judged = List.of();

  DeployReceipt(StepContext s) {
    this.s = s;
  }

  /** G7: the judgement of each pending migration, recorded in every receipt written after. */
  void judged(List<KillBounds.Judged> judged) {
    this.judged = List.copyOf(judged);
  }

  /**
   * The receipt recorded when the deploy starts migrating ({@link RunStore#recordStart}): marked as
   * such, so that a run left with it is one whose deploy died while migrating ({@link KillBounds}).
   */
  String start(
      Run run,
      MigrationSet set,
      TargetDataSource ds,
      Optional<InvalidIndexes.Baseline> baseline,
      Instant started,
      long t0) {
    Map<String, Object> r = build(run, set, List.of(), ds, baseline, started, t0, null);
    r.putIfAbsent(KillBounds.KEY, KillBounds.json(judged));
    r.put(KillBounds.PHASE, KillBounds.MIGRATING);
    return json(r);
  }

  String write(
      Run run,
      MigrationSet set,
      List<MigrationEngine.Applied> applied,
      TargetDataSource ds,
      Optional<InvalidIndexes.Baseline> baseline,
      Instant started,
      long t0,
      Throwable failure) {
    return json(build(run, set, applied, ds, baseline, started, t0, failure));
  }

  private Map<String, Object> build(
      Run run,
      MigrationSet set,
      List<MigrationEngine.Applied> applied,
      TargetDataSource ds,
      Optional<InvalidIndexes.Baseline> baseline,
      Instant started,
      long t0,
      Throwable failure) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("run", run.id());
    r.put("environment", run.environment());
    r.put("engine", s.engine.name());
    r.put("migration_set_sha256", set.sha256());
    r.put("contract_sha256", run.contractSha256().orElse(null));
    r.put("commit", run.commit().orElse(null));
    r.put("ci_subject", run.ciSubject());
    run.backup()
        .ifPresent(
            b -> {
              Map<String, Object> x = new LinkedHashMap<>();
              x.put("path", b.path());
              x.put("sha256", b.sha256());
              x.put("size", b.size());
              r.put("backup", x);
            });
    List<Map<String, Object>> files = new ArrayList<>();
    for (MigrationEngine.Applied a : applied) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", a.version().orElse(null));
      m.put("description", a.description());
      m.put("script", a.script());
      m.put(
          "sha256",
          set.pending().stream()
              .filter(p -> p.file().relativePath().equals(a.script()))
              .findFirst()
              .map(p -> p.file().sha256())
              .orElse(null));
      m.put("millis", a.millis());
      files.add(m);
    }
    r.put("applied", files);
    r.put("sessions", ds.sessions());
    r.put("started_at", started.toString());
    r.put("finished_at", s.now().toString());
    r.put("duration_ms", Duration.ofNanos(System.nanoTime() - t0).toMillis());
    if (failure != null) {
      r.put("failure", StepContext.describe(failure));
    }
    baseline.ifPresent(b -> r.put("index_baseline", Leftovers.baselineJson(b)));
    if (!judged.isEmpty()) {
      r.put(KillBounds.KEY, KillBounds.json(judged));
    }
    return r;
  }

  private static String json(Map<String, Object> r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
