package dev.prodguard.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code --shard i/n}: a stable subset of a fleet's targets, so that a CI matrix (GitHub Actions
 * {@code matrix}, GitLab {@code parallel:matrix}) or a Kubernetes Indexed Job runs the rollout on
 * many machines without a scheduler of prodguard's own. {@code index} is zero-based, as {@code
 * JOB_COMPLETION_INDEX} and {@code strategy.job-index} are.
 *
 * <p>A target belongs to shard {@code SHA-256(id) mod n}: the n shards together hold every target
 * exactly once, and a target stays in its shard when others are added or removed (the catalog grows
 * while a rollout's jobs run).
 */
public record Shard(int index, int count) {
  /** The whole fleet: one shard. */
  public static final Shard ALL = new Shard(0, 1);

  private static final int MAX_SHARDS = 1024;

  public Shard {
    if (count < 1 || count > MAX_SHARDS || index < 0 || index >= count) {
      throw new IllegalArgumentException(
          "a shard is i/n with 0 <= i < n <= " + MAX_SHARDS + ", e.g. 0/4");
    }
  }

  /**
   * Parses {@code i/n}.
   *
   * @throws IllegalArgumentException naming the expected form
   */
  public static Shard parse(String text) {
    String[] p = text.strip().split("/", -1);
    if (p.length != 2 || !p[0].matches("\\d{1,4}") || !p[1].matches("\\d{1,4}")) {
      throw new IllegalArgumentException(
          "--shard must be i/n (zero-based index over the shard count), e.g. 0/4; got '"
              + text
              + "'");
    }
    return new Shard(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
  }

  /** True when target {@code id} belongs to this shard. */
  public boolean contains(String id) {
    return count == 1 || Long.remainderUnsigned(hash(id), count) == index;
  }

  private static long hash(String id) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
