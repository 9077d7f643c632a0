package dev.prodguard.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads {@code prodguard.yml} and the contract safely: only regular files (a FIFO, device or socket
 * is refused before it is opened, so {@code /dev/zero} or a pipe cannot hang or exhaust prodguard),
 * and at most {@link #MAX_BYTES} bytes, however large the file claims or turns out to be.
 */
public final class ConfigFiles {
  /** Largest configuration or contract file prodguard reads: 1 MiB. */
  public static final int MAX_BYTES = 1 << 20;

  private ConfigFiles() {}

  /**
   * The file's bytes, after checking that it is a regular file of at most {@link #MAX_BYTES}.
   *
   * @param what how the message names the file ("the contract (named by ...)")
   * @throws ConfigException naming the file when it is not a regular file or too large
   * @throws IOException when it cannot be read (missing, permission): the caller words that
   */
  public static byte[] read(Path file, String what) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
    if (attrs.isDirectory()) {
      throw new ConfigException(file, 0, null, what + " is a directory, not a file");
    }
    if (!attrs.isRegularFile()) {
      throw new ConfigException(
          file,
          0,
          null,
          what
              + " is not a regular file (a FIFO, device or socket); prodguard reads configuration"
              + " only from regular files: name a committed file");
    }
    if (attrs.size() > MAX_BYTES) {
      throw tooLarge(file, what);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw tooLarge(file, what);
      }
      return bytes;
    }
  }

  /** The refusal for a file over {@link #MAX_BYTES}. */
  public static ConfigException tooLarge(Path file, String what) {
    return tooLarge(file.toString(), what);
  }

  /** The refusal for a file over {@link #MAX_BYTES}. */
  public static ConfigException tooLarge(String file, String what) {
    return new ConfigException(
        file,
        0,
        null,
        what
            + " is larger than "
            + (MAX_BYTES >> 20)
            + " MiB, the most prodguard reads from a configuration file; a real one is a few"
            + " KB: check that it names the right file");
  }
}
