package dev.prodguard.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server's binaries: the release chosen for a major, the platform names, the cache
 * directory, and the tar reader's refusal of paths outside its directory.
 */
@DisplayName("G4 trace: the embedded scratch server's binaries")
class PostgresBinariesTest {
  @TempDir Path dir;

  private static final String METADATA =
      "<metadata><versioning><versions>"
          + "<version>14.22.0</version><version>15.8.0</version><version>15.19.0</version>"
          + "<version>15.2.0</version><version>15.10.0-1</version><version>16.4.0</version>"
          + "<version>150.1.0</version><version>15.20.0-SNAPSHOT</version>"
          + "</versions></versioning></metadata>";

  @Test
  @DisplayName("the newest release of the target's major, never another major")
  void newest() throws IOException {
    assertThat(PostgresBinaries.newest(15, METADATA)).isEqualTo("15.19.0");
    assertThat(PostgresBinaries.newest(14, METADATA)).isEqualTo("14.22.0");
    assertThatThrownBy(() -> PostgresBinaries.newest(13, METADATA))
        .isInstanceOf(PostgresBinaries.Unavailable.class)
        .hasMessageContaining("no embedded PostgreSQL binaries of major version 13");
  }

  @Test
  @DisplayName("zonky's platform names; none for an unknown platform")
  void platforms() {
    assertThat(PostgresBinaries.platform("Linux", "amd64")).contains("linux-amd64");
    assertThat(PostgresBinaries.platform("Linux", "aarch64")).contains("linux-arm64v8");
    assertThat(PostgresBinaries.platform("Mac OS X", "aarch64")).contains("darwin-arm64v8");
    assertThat(PostgresBinaries.platform("Windows 11", "amd64")).contains("windows-amd64");
    assertThat(PostgresBinaries.platform("SunOS", "sparcv9")).isEmpty();
  }

  @Test
  @DisplayName("cache: $XDG_CACHE_HOME/prodguard, else ~/.cache/prodguard")
  void cache() {
    assertThat(PostgresBinaries.cacheDirectory(Map.of("XDG_CACHE_HOME", "/x/cache", "HOME", "/h")))
        .isEqualTo(Path.of("/x/cache/prodguard"));
    assertThat(PostgresBinaries.cacheDirectory(Map.of("HOME", "/h")))
        .isEqualTo(Path.of("/h/.cache/prodguard"));
    assertThat(PostgresBinaries.cacheDirectory(Map.of("XDG_CACHE_HOME", "relative", "HOME", "/h")))
        .isEqualTo(Path.of("/h/.cache/prodguard"));
  }

  @Test
  @DisplayName("the tar reader extracts files with their execute bit and links inside its folder")
  void extracts() throws IOException {
    byte[] tar =
        tar(
            entry("bin/", '5', "", new byte[0], 0755),
            entry("bin/postgres", '0', "", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0755),
            entry("lib/libpq.so.5.15", '0', "", "elf".getBytes(StandardCharsets.UTF_8), 0644),
            entry("lib/libpq.so.5", '2', "libpq.so.5.15", new byte[0], 0777));
    Tar.extract(new ByteArrayInputStream(tar), dir);
    assertThat(Files.isExecutable(dir.resolve("bin/postgres"))).isTrue();
    assertThat(dir.resolve("lib/libpq.so.5")).isSymbolicLink();
    assertThat(Files.readString(dir.resolve("lib/libpq.so.5"))).isEqualTo("elf");
  }

  @Test
  @DisplayName("the tar reader refuses a path or a link that leads outside its folder")
  void refusesEscapes() {
    Path into = dir.resolve("into");
    assertThatThrownBy(
            () ->
                Tar.extract(
                    new ByteArrayInputStream(tar(entry("../evil", '0', "", new byte[] {1}, 0644))),
                    into))
        .hasMessageContaining("outside");
    assertThatThrownBy(
            () ->
                Tar.extract(
                    new ByteArrayInputStream(
                        tar(entry("lib/x", '2', "/etc/passwd", new byte[0], 0777))),
                    into))
        .hasMessageContaining("outside");
    assertThatThrownBy(
            () ->
                Tar.extract(
                    new ByteArrayInputStream(
                        tar(entry("lib/x", '2', "../../../etc/passwd", new byte[0], 0777))),
                    into))
        .hasMessageContaining("outside");
    assertThat(dir.resolve("evil")).doesNotExist();
  }

  private record Entry(String name, char type, String link, byte[] data, int mode) {}

  private static Entry entry(String name, char type, String link, byte[] data, int mode) {
    return new Entry(name, type, link, data, mode);
  }

  /** A ustar archive of {@code entries}. */
  private static byte[] tar(Entry... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry e : entries) {
      byte[] h = new byte[512];
      put(h, 0, e.name());
      put(h, 100, String.format("%07o", e.mode()));
      put(h, 108, "0000000");
      put(h, 116, "0000000");
      put(h, 124, String.format("%011o", e.data().length));
      put(h, 136, "00000000000");
      h[156] = (byte) e.type();
      put(h, 157, e.link());
      put(h, 257, "ustar");
      put(h, 263, "00");
      for (int i = 148; i < 156; i++) {
        h[i] = ' ';
      }
      int sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      out.write(h);
      out.write(e.data());
      out.write(new byte[(512 - e.data().length % 512) % 512]);
    }
    out.write(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, at, b.length);
  }
}
