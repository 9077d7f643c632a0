package dev.prodguard.scan;

import dev.prodguard.findings.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throw-away repository for scan tests: files written as given, optionally committed to git. */
final class Repo {
  final Path root;

  Repo(Path root) {
    this.root = root;
  }

  Repo file(String path, String text) {
    try {
      Path f = root.resolve(path);
      Files.createDirectories(f.getParent());
      Files.writeString(f, text, StandardCharsets.UTF_8);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Repo bytes(String path, byte[] bytes) {
    try {
      Path f = root.resolve(path);
      Files.createDirectories(f.getParent());
      Files.write(f, bytes);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** git init, add the given paths (all when none) and commit. */
  Repo commit(String... paths) {
    git("init", "-q");
    if (paths.length == 0) {
      git("add", "-A");
    } else {
      String[] args = new String[paths.length + 1];
      args[0] = "add";
      System.arraycopy(paths, 0, args, 1, paths.length);
      git(args);
    }
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "fixture");
    return this;
  }

  void git(String... args) {
    try {
      List<String> cmd = new java.util.ArrayList<>(List.of("git"));
      cmd.addAll(List.of(args));
      Process p =
          new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("git " + String.join(" ", args) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  ScanReport scan() {
    return new Scanner().scan(root);
  }

  static List<String> positions(ScanReport r, String rule) {
    return r.findings().stream().filter(f -> f.rule().equals(rule)).map(Finding::position).toList();
  }
}
