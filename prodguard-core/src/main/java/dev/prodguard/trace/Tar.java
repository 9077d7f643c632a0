package dev.prodguard.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Extracts a tar stream (POSIX ustar with GNU long names and pax path headers, what the zonky
 * binaries are packed with): directories, regular files with their execute bit, symbolic and hard
 * links. Every name must stay inside the target directory, symbolic links included: an archive that
 * points outside it is refused, not followed.
 */
final class Tar {
  private static final int BLOCK = 512;

  private Tar() {}

  static void extract(InputStream in, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Files.createDirectories(root);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    byte[] header = new byte[BLOCK];
    String longName = null;
    String longLink = null;
    while (true) {
      if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
        throw new IOException("the binaries archive ends in the middle of a header");
      }
      if (allZero(header)) {
        return; // end of archive
      }
      String name = string(header, 0, 100);
      String prefix = string(header, 345, 155);
      if (!prefix.isEmpty() && "ustar".equals(string(header, 257, 5))) {
        name = prefix + "/" + name;
      }
      int mode = (int) number(header, 100, 8);
      long size = number(header, 124, 12);
      char type = (char) header[156];
      String link = string(header, 157, 100);
      if (longName != null) {
        name = longName;
        longName = null;
      }
      if (longLink != null) {
        link = longLink;
        longLink = null;
      }
      switch (type) {
        case 'L' -> {
          longName = trimNul(new String(data(in, size), StandardCharsets.UTF_8));
          continue;
        }
        case 'K' -> {
          longLink = trimNul(new String(data(in, size), StandardCharsets.UTF_8));
          continue;
        }
        case 'x' -> {
          String pax = new String(data(in, size), StandardCharsets.UTF_8);
          for (String record : pax.split("\n")) {
            int sp = record.indexOf(' ');
            int eq = record.indexOf('=');
            if (sp > 0 && eq > sp) {
              String key = record.substring(sp + 1, eq);
              String value = record.substring(eq + 1);
              if (key.equals("path")) {
                longName = value;
              } else if (key.equals("linkpath")) {
                longLink = value;
              }
            }
          }
          continue;
        }
        case 'g' -> {
          data(in, size);
          continue;
        }
        default -> {}
      }
      Path target = inside(root, name);
      switch (type) {
        case '5' -> Files.createDirectories(target);
        case '2' -> {
          Files.createDirectories(target.getParent());
          if (link.startsWith("/")) {
            throw new IOException("the binaries archive links " + name + " outside itself");
          }
          inside(root, target.getParent().resolve(link).normalize().toString(), root);
          Files.deleteIfExists(target);
          Files.createSymbolicLink(target, Path.of(link));
        }
        case '1' -> {
          Files.createDirectories(target.getParent());
          Files.deleteIfExists(target);
          Files.copy(inside(root, link), target);
        }
        case '0', '\0', '7' -> {
          Files.createDirectories(target.getParent());
          try (OutputStream out = Files.newOutputStream(target)) {
            copy(in, out, size);
          }
          skipPadding(in, size);
          if (posix) {
            Set<PosixFilePermission> p =
                PosixFilePermissions.fromString((mode & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--");
            Files.setPosixFilePermissions(target, p);
          }
        }
        default -> data(in, size); // device files, FIFOs: not in a binaries archive, skipped
      }
    }
  }

  private static Path inside(Path root, String name) throws IOException {
    return inside(root, name, root);
  }

  private static Path inside(Path root, String name, Path base) throws IOException {
    Path p = base.resolve(name).normalize();
    if (!p.startsWith(root)) {
      throw new IOException("the binaries archive names a path outside itself: " + name);
    }
    return p;
  }

  private static byte[] data(InputStream in, long size) throws IOException {
    if (size > 1 << 20) {
      throw new IOException("a tar header record of " + size + " bytes");
    }
    byte[] b = in.readNBytes((int) size);
    if (b.length < size) {
      throw new IOException("the binaries archive is truncated");
    }
    skipPadding(in, size);
    return b;
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("the binaries archive is truncated");
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static void skipPadding(InputStream in, long size) throws IOException {
    long pad = (BLOCK - size % BLOCK) % BLOCK;
    if (in.readNBytes((int) pad).length < pad) {
      throw new IOException("the binaries archive is truncated");
    }
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static String trimNul(String s) {
    int i = s.indexOf('\0');
    return i < 0 ? s : s.substring(0, i);
  }

  /** An octal field, or GNU's base-256 form (high bit of the first byte set). */
  private static long number(byte[] b, int off, int len) {
    if ((b[off] & 0x80) != 0) {
      long v = b[off] & 0x7f;
      for (int i = off + 1; i < off + len; i++) {
        v = (v << 8) | (b[i] & 0xff);
      }
      return v;
    }
    String s = string(b, off, len).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }
}
