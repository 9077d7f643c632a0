package dev.prodguard.scan.read;

import dev.prodguard.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
  /**
   * The listed paths and whether they came from git.
   *
   * @param unreadable listed files whose names are not UTF-8: no path can name them, so they cannot
   *     be read (shown with each byte that is not UTF-8 as {@code \xNN})
   */
  public record Listing(List<String> paths, boolean git, List<String> unreadable) {}

  private FileLister() {}

  public static Listing list(Path root) {
    List<String> unreadable = new ArrayList<>();
    if (insideGitWorkTree(root)) {
      return new Listing(gitLsFiles(root, unreadable), true, unreadable);
    }
    return new Listing(walk(root, unreadable), false, unreadable);
  }

  static boolean insideGitWorkTree(Path root) {
    for (Path p = root.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> gitLsFiles(Path root, List<String> unreadable) {
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
      int start = 0;
      for (int i = 0; i <= out.length; i++) {
        if (i == out.length || out[i] == 0) {
          if (i > start) {
            name(out, start, i, paths, unreadable);
          }
          start = i + 1;
        }
      }
      return paths;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run git ls-files in " + root, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing files", e);
    }
  }

  /** One name of git's list: UTF-8 to {@code paths}, anything else to {@code unreadable}. */
  private static void name(
      byte[] bytes, int from, int to, List<String> paths, List<String> unreadable) {
    try {
      paths.add(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, from, to - from))
              .toString());
    } catch (CharacterCodingException e) {
      StringBuilder shown = new StringBuilder();
      for (int i = from; i < to; i++) {
        int b = bytes[i] & 0xff;
        if (b >= 0x20 && b < 0x7f) {
          shown.append((char) b);
        } else {
          shown.append(String.format("\\x%02X", b));
        }
      }
      unreadable.add(shown.toString());
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

  private static List<String> walk(Path root, List<String> unreadable) {
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
              if (attrs.isRegularFile() || attrs.isSymbolicLink()) { // a link: as git lists it
                String rel = root.relativize(file).toString().replace('\\', '/');
                // a name the platform cannot decode does not come back from its string
                if (Files.exists(root.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                  paths.add(rel);
                } else {
                  unreadable.add(rel);
                }
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
