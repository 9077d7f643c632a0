package dev.prodguard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a Flyway migration folder of {@code files} files totalling at least {@code megabytes} MB,
 * for whole-process comparisons (bench/lint-vs-squawk.sh).
 */
public final class GenerateCorpus {
  private GenerateCorpus() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int files = Integer.parseInt(args[1]);
    long bytes = Long.parseLong(args[2]) * 1024 * 1024;
    Files.createDirectories(dir);
    long perFile = bytes / files + 1;
    long written = 0;
    int statementsPerFile = (int) Math.max(1, perFile / 95);
    int statements = 0;
    for (int i = 1; i <= files; i++) {
      String sql = Corpus.migrations(statementsPerFile, i);
      while (sql.length() < perFile) {
        sql = sql + Corpus.migrations(16, i * 31L + sql.length());
      }
      statements += (int) sql.chars().filter(c -> c == ';').count();
      Files.writeString(dir.resolve("V" + i + "__generated.sql"), sql, StandardCharsets.UTF_8);
      written += sql.getBytes(StandardCharsets.UTF_8).length;
    }
    System.out.printf(
        "generated %d files, %.1f MB, about %d statements in %s%n",
        files, written / 1048576.0, statements, dir);
  }
}
