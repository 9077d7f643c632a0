package dev.prodguard.fleet;

import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code prodguard fleet matrix NAME --wave W [--shards N]}: the job matrix of one wave for a CI
 * that runs the shards (GitHub Actions {@code strategy.matrix} via {@code fromJSON}, GitLab {@code
 * parallel:matrix}): {@code {"include":[{"fleet":..,"wave":..,"shard":"0/4","targets":12},...]}}. A
 * static fleet's shards with no target of the wave are left out, so no job starts for nothing: its
 * list is fixed by the commit every job checks out. A catalog fleet lists every shard, empty ones
 * too ({@code "targets":0}): the catalog may grow between the job that prints the matrix and the
 * wave's jobs, and a target added then whose id falls into a shard without a job would never be
 * promoted while every job ends green (attacker 23, finding 09).
 */
public final class FleetMatrix {
  private FleetMatrix() {}

  public static Map<String, Object> matrix(
      ProdguardConfig config, String fleetName, String wave, int shards, RunContext context)
      throws SQLException {
    FleetConfig fleet = config.fleet(fleetName);
    if (!fleet.waves().contains(wave)) {
      throw new dev.prodguard.config.ConfigException(
          fleet.file(),
          fleet.line(),
          "fleets." + fleet.name() + ".waves",
          "fleet '"
              + fleet.name()
              + "' has no wave '"
              + wave
              + "' (waves: "
              + String.join(", ", fleet.waves())
              + ")");
    }
    List<FleetConfig.Target> all = FleetTargets.resolve(config, fleet, context);
    List<Map<String, Object>> include = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      Shard s = new Shard(i, shards);
      long n = all.stream().filter(t -> t.wave().equals(wave) && s.contains(t.id())).count();
      if (n > 0 || fleet.catalog().isPresent()) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("fleet", fleet.name());
        job.put("wave", wave);
        job.put("shard", s.toString());
        job.put("targets", n);
        include.add(job);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("include", include);
    return out;
  }
}
