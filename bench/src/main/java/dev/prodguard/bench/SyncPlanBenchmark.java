package dev.prodguard.bench;

import dev.prodguard.db.RunContext;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.environment.Target;
import dev.prodguard.sync.TableBackup;
import dev.prodguard.sync.Sync;
import dev.prodguard.sync.SyncPlan;
import dev.prodguard.testing.TestDatabase;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Issue 8 budget: plan a sync of a 1,000,000-row PostgreSQL table in under 30 s with under 512 MB
 * of heap. Both sides hold 1,000,000 rows; the target differs by 10,000 updates, 5,000 missing
 * rows and 5,000 extra rows. Times {@code Sync.run} of a dry run end to end (connect, G2 on both
 * sides, catalogue, both streams, merge). Not JMH: one cold run is the figure that matters, plus one
 * warm run for comparison.
 *
 * <p>Run: {@code java -Xmx512m -cp bench/target/benchmarks.jar
 * dev.prodguard.bench.SyncPlanBenchmark [rows] [apply]}; with {@code apply} it also applies the
 * plan (backup, locked re-check of both sides, 20,000 writes with their before-images).
 */
public final class SyncPlanBenchmark {
  private SyncPlanBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    boolean apply = args.length > 1 && args[1].equals("apply");
    Path dir = Files.createTempDirectory("prodguard-sync-bench");
    try (TestDatabase dev = TestDatabase.postgres();
        TestDatabase prod = TestDatabase.postgres()) {
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n  prod:\n    url: ${PROD_DATABASE_URL}\n");
      RunContext ctx =
          RunContext.of(
              Map.of(
                  "DEV_DATABASE_URL", dev.libpqUrl(), "PROD_DATABASE_URL", prod.libpqUrl()));
      ProdguardConfig bare = ConfigLoader.load(dir.resolve("prodguard.yml"));
      String devFp =
          FingerprintInit.run(Target.prepare(bare, "dev", ctx, Target.Access.READ, "b"), ctx, false)
              .fingerprint();
      String prodFp =
          FingerprintInit.run(
                  Target.prepare(bare, "prod", ctx, Target.Access.READ, "b"), ctx, false)
              .fingerprint();
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n    fingerprint: "
              + devFp
              + "\n  prod:\n    url: ${PROD_DATABASE_URL}\n    fingerprint: "
              + prodFp
              + "\n");
      Files.writeString(
          dir.resolve("prodguard-contract.yml"),
          "version: 1\nsync:\n  services: { key: [id], columns: [name, price, active, note,"
              + " valid_from, tags, attrs, logo], delete: true, max-rows: "
              + rows
              + " }\n");
      String table =
          "CREATE TABLE services (id bigint PRIMARY KEY, name text NOT NULL, price numeric(12,2),"
              + " active boolean, note text, valid_from timestamptz, tags text[], attrs jsonb,"
              + " logo bytea)";
      String fill =
          "INSERT INTO services SELECT i, 'service ' || i, (i % 10000) / 100.0, i % 3 <> 0,"
              + " CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || (i % 97) END,"
              + " timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second',"
              + " ARRAY['tag' || (i % 5), 'x'], jsonb_build_object('tier', i % 4, 'n', i),"
              + " decode(md5(i::text), 'hex') FROM generate_series(1, "
              + rows
              + ") i";
      long t0 = System.nanoTime();
      dev.execute(table, fill, "ANALYZE services");
      prod.execute(
          table,
          fill,
          "UPDATE services SET price = price + 1 WHERE id % 100 = 1",
          "DELETE FROM services WHERE id % 200 = 2",
          "INSERT INTO services (id, name) SELECT " + rows + " + i, 'extra' FROM"
              + " generate_series(1, " + rows / 200 + ") i",
          "ANALYZE services");
      System.out.printf(
          "loaded %,d rows per side in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);

      Sync sync =
          new Sync(
              ConfigLoader.load(dir.resolve("prodguard.yml")),
              ContractLoader.load(dir.resolve("prodguard-contract.yml")),
              ctx,
              new TableBackup(ctx),
              Sync.Hooks.NONE);
      System.out.printf(
          "max heap %d MB, %d cores%n",
          Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
      for (String run : new String[] {"cold", "warm"}) {
        System.gc();
        resetPeaks();
        long start = System.nanoTime();
        SyncPlan plan = sync.run(Sync.Request.dryRun("dev", "prod", "services")).plan();
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "%s: planned %,d + %,d rows (%,d insert, %,d update, %,d delete) in %.2f s"
                + " (%,.0f rows/s per side); peak heap used %d MB%n",
            run,
            plan.table("services").sourceRows(),
            plan.table("services").targetRows(),
            plan.inserts(),
            plan.updates(),
            plan.deletes(),
            secs,
            rows / secs,
            peakHeapMb());
      }
      if (apply) {
        System.gc();
        resetPeaks();
        Map<String, String> ci = new java.util.HashMap<>(ctx.env());
        ci.put("CI", "true");
        RunContext ciCtx = RunContext.of(ci);
        long start = System.nanoTime();
        Sync.Applied a =
            new Sync(
                    ConfigLoader.load(dir.resolve("prodguard.yml")),
                    ContractLoader.load(dir.resolve("prodguard-contract.yml")),
                    ciCtx,
                    new TableBackup(ciCtx),
                    Sync.Hooks.NONE)
                .run(Sync.Request.dryRun("dev", "prod", "services").applying())
                .applied()
                .orElseThrow();
        System.out.printf(
            "apply: %,d changes (backup %,d bytes) in %.2f s; peak heap used %d MB%n",
            a.changes(), a.backup().bytes(), (System.nanoTime() - start) / 1e9, peakHeapMb());
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peaks: an upper bound of what was live at once. */
  private static long peakHeapMb() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum >> 20;
  }
}
