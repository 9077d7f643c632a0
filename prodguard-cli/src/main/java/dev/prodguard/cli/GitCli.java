package dev.prodguard.cli;

import dev.prodguard.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs git for {@code --changed-since} and {@code contract diff}. */
final class GitCli {
  private GitCli() {}

  record Result(int exit, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  static Result run(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("git");
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
      p.getOutputStream().close();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread errReader =
          new Thread(
              () -> {
                try (InputStream in = p.getErrorStream()) {
                  in.transferTo(err);
                } catch (IOException ignored) {
                  // the exit code tells
                }
              });
      errReader.start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      int exit = p.waitFor();
      errReader.join();
      return new Result(exit, out, err.toString(StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new ConfigException("cannot run git (is it installed?): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while running git");
    }
  }

  /** Runs git and fails with a usage error naming the command when it fails. */
  static String check(Path dir, String... args) {
    Result r = run(dir, args);
    if (r.exit() != 0) {
      throw new ConfigException(
          "git "
              + String.join(" ", args)
              + " failed: "
              + (r.err().isEmpty() ? "exit " + r.exit() : r.err()));
    }
    return r.text();
  }

  static Path topLevel(Path dir) {
    return Path.of(check(dir, "rev-parse", "--show-toplevel").strip());
  }
}
