package dev.prodguard.db;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Fingerprint format: {@code <env>-<hex>}; new ones carry 128 random bits. */
public final class Fingerprints {
  private static final Pattern SHAPE = Pattern.compile("([a-z][a-z0-9_-]{0,62})-([0-9a-f]{16,64})");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Fingerprints() {}

  public static String generate(String environment) {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return environment + "-" + HexFormat.of().formatHex(bits);
  }

  /** True when {@code fingerprint} is well formed and belongs to {@code environment}. */
  public static boolean valid(String environment, String fingerprint) {
    var m = SHAPE.matcher(fingerprint);
    return m.matches() && m.group(1).equals(environment);
  }
}
