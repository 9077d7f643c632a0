package dev.prodguard.bench;

import dev.prodguard.db.DatabaseKind;

import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.lint.Linter;
import dev.prodguard.sql.SourceFile;
import dev.prodguard.sql.Splitter;
import dev.prodguard.sql.SqlSyntax;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Statements per second of split + classify on one thread (budget: at least 20,000/s). With
 * {@code @OperationsPerInvocation} the score is directly statements per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SplitClassifyBenchmark {
  static final int STATEMENTS = 10_000;

  String migrations;
  Linter linter;
  Splitter splitter;

  @Setup
  public void setUp() {
    migrations = Corpus.migrations(STATEMENTS, 42);
    linter = new Linter(DatabaseKind.POSTGRESQL);
    splitter = new Splitter(SqlSyntax.POSTGRESQL);
  }

  @Benchmark
  @OperationsPerInvocation(STATEMENTS)
  public int splitAndClassify(Blackhole bh) {
    return linter.analyse("V1__bench.sql", migrations, bh::consume);
  }

  @Benchmark
  @OperationsPerInvocation(STATEMENTS)
  public int splitOnly() {
    return splitter.split(new SourceFile("V1__bench.sql", migrations)).size();
  }
}
