package dev.prodguard.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Where prodguard keeps local state when {@code state-directory} is not configured: never inside
 * the repository, so that a backup (production data) or a local log can be neither committed nor
 * scanned by accident.
 *
 * <ol>
 *   <li>{@code PRODGUARD_STATE_DIR}, as given;
 *   <li>on GitHub Actions, {@code RUNNER_TEMP/prodguard} (the runner empties it after the job);
 *   <li>else {@code XDG_STATE_HOME/prodguard/NAME-HASH}, where {@code XDG_STATE_HOME} defaults to
 *       {@code ~/.local/state}, NAME is the repository folder's name and HASH the first 8 bytes of
 *       the SHA-256 of its absolute path (two checkouts never share state).
 * </ol>
 */
public final class StateDirectory {
  private StateDirectory() {}

  /**
   * @param base the folder of prodguard.yml
   * @param env the process environment
   */
  public static Path defaultFor(Path base, Map<String, String> env) {
    String explicit = env.get("PRODGUARD_STATE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit).toAbsolutePath().normalize();
    }
    String runnerTemp = env.get("RUNNER_TEMP");
    if ("true".equals(env.get("GITHUB_ACTIONS")) && runnerTemp != null && !runnerTemp.isBlank()) {
      return Path.of(runnerTemp, "prodguard").toAbsolutePath().normalize();
    }
    String xdg = env.get("XDG_STATE_HOME");
    Path root;
    if (xdg != null && Path.of(xdg).isAbsolute()) {
      root = Path.of(xdg);
    } else {
      String home = env.getOrDefault("HOME", System.getProperty("user.home"));
      root = Path.of(home, ".local", "state");
    }
    Path repo = base.toAbsolutePath().normalize();
    String name = repo.getFileName() == null ? "root" : repo.getFileName().toString();
    return root.resolve("prodguard").resolve(name + "-" + hash(repo.toString()));
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
