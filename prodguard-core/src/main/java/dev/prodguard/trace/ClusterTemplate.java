package dev.prodguard.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An initialised PostgreSQL data directory, made once by {@code initdb} with the embedded server's
 * arguments and kept beside the binaries that made it ({@code CACHE/postgres/<platform>/<major>
 * .cluster/}); each embedded server starts on a copy of it instead of running {@code initdb} (about
 * a thousand files written and a bootstrap run: a third of a second, against a few hundredths for
 * the copy).
 *
 * <p>Used only when it is exactly what that {@code initdb} produced, else the server runs {@code
 * initdb} itself as before (fail closed): the folder is a directory (not a link) owned by this
 * process's user with permissions {@code rwx------} in a folder no one else may write; its {@code
 * .complete} marker, written last and moved into place with the tree in one rename, names the
 * binaries (their version and checksum, from their own marker) and the {@code initdb} arguments,
 * and lists every file with its size and CRC-32C; the copy refuses a file the list does not hold,
 * one of another size or checksum (CRC-32C, read as the copy is made), a link, and a listed file
 * that is missing. The template's superuser password is in a file only its owner reads; each server
 * changes it to a fresh random one before anything else connects ({@link EmbeddedScratchServer}).
 * The template was written with {@code initdb}'s sync, so a crash while it was made leaves no
 * marker, and one after leaves nothing half-written.
 */
final class ClusterTemplate {
  static final String MARKER = ".complete";
  static final String SECRET = "superuser-password";
  static final String DATA = "data";

  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  /**
   * How the template is made: {@code initdb} of {@code data} with the password in {@code pwfile}.
   */
  interface InitDb {
    void run(Path data, Path pwfile) throws IOException, InterruptedException;
  }

  private ClusterTemplate() {}

  /** The template's folder for the binaries in {@code binaries}. */
  static Path folder(Path binaries) {
    return binaries.resolveSibling(binaries.getFileName() + ".cluster");
  }

  /**
   * What the template is keyed by: the binaries (the first line of their marker: version and
   * checksum) and the {@code initdb} arguments; empty when the binaries have no marker.
   */
  static Optional<String> key(Path binaries, List<String> initdbArguments) throws IOException {
    Path marker = binaries.resolve(".complete");
    if (!Files.isRegularFile(marker)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        "binaries " + lines.get(0).strip() + " initdb " + String.join(" ", initdbArguments));
  }

  /** Whether the template may be used: see the class. Empty when it may; else why not. */
  static Optional<String> unusable(Path folder, String key) throws IOException {
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of("absent");
    }
    if (!ownedAndPrivate(folder)) {
      return Optional.of("not a private folder of this user");
    }
    Path parent = folder.toAbsolutePath().getParent();
    Set<PosixFilePermission> up = Files.getPosixFilePermissions(parent);
    if (up.contains(PosixFilePermission.GROUP_WRITE)
        || up.contains(PosixFilePermission.OTHERS_WRITE)) {
      return Optional.of("its parent folder is writable by others");
    }
    Path marker = folder.resolve(MARKER);
    Path secret = folder.resolve(SECRET);
    if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)
        || !Files.isRegularFile(secret, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of("incomplete");
    }
    List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
    if (lines.size() < 2 || !lines.get(0).equals(key) || !lines.get(1).equals("manifest")) {
      return Optional.of("made by other binaries or other initdb arguments");
    }
    return Optional.empty();
  }

  private static boolean ownedAndPrivate(Path p) throws IOException {
    try {
      return Files.getOwner(p, LinkOption.NOFOLLOW_LINKS)
              .getName()
              .equals(System.getProperty("user.name"))
          && Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE);
    } catch (UnsupportedOperationException e) {
      return false; // no POSIX permissions to check: never used
    }
  }

  /**
   * Copies the template's data directory to {@code data} (which must not exist), checking each file
   * against the marker's list.
   *
   * @return the template superuser's password
   * @throws IOException when the template is not exactly what its marker lists (the partial copy is
   *     the caller's to delete), or the copy fails
   */
  static String copy(Path folder, Path data) throws IOException {
    List<String> lines = Files.readAllLines(folder.resolve(MARKER), StandardCharsets.UTF_8);
    Map<String, String> listed = new HashMap<>();
    for (String line : lines.subList(2, lines.size())) {
      int sp = line.indexOf(' ', line.indexOf(' ') + 1);
      if (sp > 0) {
        listed.put(line.substring(sp + 1), line.substring(0, sp));
      }
    }
    Path source = folder.resolve(DATA);
    int[] copied = {0};
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16);
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.createDirectory(
                data.resolve(source.relativize(dir).toString()),
                PosixFilePermissions.asFileAttribute(PRIVATE));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String rel = source.relativize(file).toString().replace('\\', '/');
            String expected = listed.get(rel);
            if (!attrs.isRegularFile() || expected == null) {
              throw new IOException("the cluster template's " + rel + " is not what initdb wrote");
            }
            String got = copyFile(file, data.resolve(rel), buffer);
            if (!got.equals(expected)) {
              throw new IOException(
                  "the cluster template's " + rel + " changed (" + got + ", not " + expected + ")");
            }
            copied[0]++;
            return FileVisitResult.CONTINUE;
          }
        });
    if (copied[0] != listed.size()) {
      throw new IOException(
          "the cluster template lacks "
              + (listed.size() - copied[0])
              + " of the "
              + listed.size()
              + " files initdb wrote");
    }
    String password = Files.readString(folder.resolve(SECRET), StandardCharsets.UTF_8).strip();
    dev.prodguard.db.Redactor.registerSecret(password);
    return password;
  }

  /**
   * Copies {@code from} to {@code to} (new, {@code rw-------}) in one read, returning its size and
   * CRC-32C, as the manifest lists them.
   */
  private static String copyFile(Path from, Path to, java.nio.ByteBuffer buffer)
      throws IOException {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    long size = 0;
    try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(from);
        java.nio.channels.FileChannel out =
            java.nio.channels.FileChannel.open(
                to,
                Set.of(
                    java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FILE))) {
      while (true) {
        buffer.clear();
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        size += n;
        buffer.flip();
        crc.update(buffer.array(), 0, n);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
    }
    return size + " " + Long.toHexString(crc.getValue());
  }

  /** Each file under {@code data} with its size and CRC-32C: {@code <size> <crc> <path>} lines. */
  static String manifest(Path data) throws IOException {
    StringBuilder sb = new StringBuilder("manifest\n");
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16);
    try (java.util.stream.Stream<Path> walk = Files.walk(data)) {
      for (Path p : walk.sorted().toList()) {
        String rel = data.relativize(p).toString().replace('\\', '/');
        if (Files.isSymbolicLink(p)) {
          throw new IOException("initdb wrote a link: " + rel);
        }
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
          long size = 0;
          try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(p)) {
            while (true) {
              buffer.clear();
              int n = in.read(buffer);
              if (n < 0) {
                break;
              }
              size += n;
              crc.update(buffer.array(), 0, n);
            }
          }
          sb.append(size)
              .append(' ')
              .append(Long.toHexString(crc.getValue()))
              .append(' ')
              .append(rel)
              .append('\n');
        }
      }
    }
    return sb.toString();
  }

  /**
   * Makes the template for {@code key} in {@code folder} with {@code initdb}, unless another
   * process did meanwhile (one at a time, {@code <folder>.lock}); replaces a damaged one of this
   * user. Leaves a folder of another user alone.
   *
   * @return whether a usable template is there afterwards
   */
  static boolean make(Path folder, String key, String password, InitDb initdb)
      throws IOException, InterruptedException {
    Path parent = folder.toAbsolutePath().getParent();
    Path lockFile = parent.resolve(folder.getFileName() + ".lock");
    try (java.nio.channels.FileChannel ch =
            java.nio.channels.FileChannel.open(
                lockFile,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = ch.lock()) {
      Optional<String> why = unusable(folder, key);
      if (why.isEmpty()) {
        return true;
      }
      if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS)
          && (Files.isSymbolicLink(folder)
              || !Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS)
                  .getName()
                  .equals(System.getProperty("user.name")))) {
        return false; // not ours to replace
      }
      Path staging =
          Files.createTempDirectory(
              parent, folder.getFileName() + "-", PosixFilePermissions.asFileAttribute(PRIVATE));
      try {
        Path secret = staging.resolve(SECRET);
        Files.createFile(
            secret,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, password + "\n", StandardCharsets.UTF_8);
        initdb.run(staging.resolve(DATA), secret);
        Files.writeString(
            staging.resolve(MARKER),
            key + "\n" + manifest(staging.resolve(DATA)),
            StandardCharsets.UTF_8);
        PostgresBinaries.deleteTree(folder);
        try {
          Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
          Files.move(staging, folder);
        }
      } finally {
        PostgresBinaries.deleteTree(staging);
      }
      return unusable(folder, key).isEmpty();
    }
  }
}
