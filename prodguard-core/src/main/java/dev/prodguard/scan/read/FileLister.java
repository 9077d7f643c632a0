package dev.prodguard.scan.read;

import dev.prodguard.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The files a scan covers: those git tracks ({@code git ls-files -z}) when the directory is in a
 * git work tree, otherwise every file outside {@code .git} folders. Paths are relative to the
 * directory, with forward slashes.
 */
public final class FileLister {
  /** The listed paths and whether they came from git. */
  public record Listing(List<String> paths, boolean git) {}

  private FileLister() {}

  public static Listing list(Path root) {
    if (insideGitWorkTree(root)) {
      return new Listing(gitLsFiles(root), true);
    }
    return new Listing(walk(root), false);
  }

  static boolean insideGitWorkTree(Path root) {
    for (Path p = root.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> gitLsFiles(Path root) {
    ProcessBuilder pb =
        new ProcessBuilder("git", "-c", "core.quotepath=off", "ls-files", "-z")
            .directory(root.toFile());
    pb.environment().put("GIT_OPTIONAL_LOCKS", "0");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new ConfigException(
          root
              + " is inside a git work tree but git cannot be run ("
              + e.getMessage()
              + "): install git, so that the scan covers exactly the tracked files");
    }
    try {
      p.getOutputStream().close();
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      byte[] out = readAll(p.getInputStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("git ls-files did not finish in 120 s in " + root);
      }
      if (p.exitValue() != 0) {
        throw new ConfigException(
            "git ls-files failed in "
                + root
                + ": "
                + new String(err.join(), StandardCharsets.UTF_8).strip());
      }
      List<String> paths = new ArrayList<>();
      String all = new String(out, StandardCharsets.UTF_8);
      int start = 0;
      for (int i = 0; i < all.length(); i++) {
        if (all.charAt(i) == '\0') {
          if (i > start) {
            paths.add(all.substring(start, i));
          }
          start = i + 1;
        }
      }
      if (start < all.length()) {
        paths.add(all.substring(start));
      }
      return paths;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run git ls-files in " + root, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing files", e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> walk(Path root) {
    List<String> paths = new ArrayList<>();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return dir.getFileName() != null
                      && dir.getFileName().toString().equals(".git")
                      && !dir.equals(root)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()) {
                paths.add(root.relativize(file).toString().replace('\\', '/'));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              paths.add(root.relativize(file).toString().replace('\\', '/'));
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list files under " + root, e);
    }
    paths.sort(null);
    return paths;
  }
}
