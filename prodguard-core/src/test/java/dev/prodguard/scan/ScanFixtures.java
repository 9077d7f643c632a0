package dev.prodguard.scan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The fixture repositories under src/test/resources/scan/RULE-ID/[CASE/]{repo,expected.txt}. */
final class ScanFixtures {
  static final Path ROOT = Path.of("src/test/resources/scan");

  /** One fixture repository and the findings it must produce. */
  record Case(String rule, String name, Path repo, List<String> expected) {
    @Override
    public String toString() {
      return name.isEmpty() ? rule : rule + "/" + name;
    }
  }

  private ScanFixtures() {}

  static List<Case> all() {
    List<Case> out = new ArrayList<>();
    try (Stream<Path> rules = Files.list(ROOT)) {
      for (Path ruleDir : rules.filter(Files::isDirectory).sorted().toList()) {
        String rule = ruleDir.getFileName().toString();
        if (Files.exists(ruleDir.resolve("expected.txt"))) {
          out.add(load(rule, "", ruleDir));
        } else {
          try (Stream<Path> cases = Files.list(ruleDir)) {
            for (Path c : cases.filter(Files::isDirectory).sorted().toList()) {
              out.add(load(rule, c.getFileName().toString(), c));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static Case load(String rule, String name, Path dir) throws IOException {
    List<String> expected = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("expected.txt"))) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        expected.add(l.split("\\s+")[0]);
      }
    }
    return new Case(rule, name, dir.resolve("repo"), expected);
  }

  /** Copies a fixture repository to {@code target}: outside git, so every file is scanned. */
  static Path copy(Path repo, Path target) {
    try (Stream<Path> files = Files.walk(repo)) {
      for (Path f : files.toList()) {
        Path to = target.resolve(repo.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.createDirectories(to.getParent());
          Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }
}
