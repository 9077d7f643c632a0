package dev.prodguard.bench;

import dev.prodguard.db.DatabaseKind;

import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.lint.Linter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Seconds to split and classify a data-seeding file of 5 and 50 MB: linear means the 50 MB run
 * takes about ten times the 5 MB one, not a hundred.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class SeedingLinearityBenchmark {
  @Param({"5", "50"})
  public int megabytes;

  String text;
  Linter linter;

  @Setup
  public void setUp() {
    text = Corpus.seeding(megabytes * 1024L * 1024L);
    linter = new Linter(DatabaseKind.POSTGRESQL);
  }

  @Benchmark
  public int seedingFile(Blackhole bh) {
    return linter.analyse("V2__seed.sql", text, bh::consume);
  }
}
