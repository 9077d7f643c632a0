package dev.prodguard.migration;

import dev.prodguard.db.Hashes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The identity of what a deploy will execute: SHA-256 over the names and exact bytes of the pending
 * migrations in order, then of the SQL callbacks that run around them. Stronger than the migration
 * tool's CRC32, and bound to order.
 */
public record MigrationSet(
    String sha256, List<PendingMigration> pending, List<MigrationFile> callbacks) {

  public MigrationSet {
    pending = List.copyOf(pending);
    callbacks = List.copyOf(callbacks);
  }

  /**
   * The set of {@code pending} and {@code callbacks}; the script configuration of each (from {@code
   * files}) follows it in the hash, so that changing {@code executeInTransaction} changes the set;
   * the placeholder values of the run ({@link Placeholders#canonical()}) close it, so that a
   * changed value changes the set too.
   *
   * @throws dev.prodguard.config.ConfigException when a placeholder's value is not known here
   */
  public static MigrationSet of(
      List<PendingMigration> pending, List<MigrationFile> callbacks, MigrationFiles files) {
    MessageDigest md = Hashes.sha256();
    migrations(md, pending.stream().map(PendingMigration::file).toList(), files);
    for (MigrationFile c : callbacks) {
      entry(md, 'C', c);
      files.scriptConfiguration(c).ifPresent(s -> entry(md, 'S', s));
    }
    String placeholders = files.placeholders().canonical();
    if (!placeholders.isEmpty()) {
      byte[] b = placeholders.getBytes(StandardCharsets.UTF_8);
      md.update((byte) 'P');
      md.update(ByteBuffer.allocate(8).putLong(b.length).array());
      md.update(b);
    }
    return new MigrationSet(HexFormat.of().formatHex(md.digest()), pending, callbacks);
  }

  /**
   * SHA-256 over {@code migrations} in the order given, each followed by its script configuration
   * (from {@code files}), encoded exactly as {@link #of} encodes a set's migrations but without
   * callbacks and placeholder values (those differ per environment): the digest that pins the
   * contract's baseline to the history that was reviewed ({@code baseline.sha256}). Lower-case hex.
   */
  public static String sha256Of(List<MigrationFile> migrations, MigrationFiles files) {
    MessageDigest md = Hashes.sha256();
    migrations(md, migrations, files);
    return HexFormat.of().formatHex(md.digest());
  }

  /** Each migration as an 'M' entry, its script configuration after it as an 'S' entry. */
  private static void migrations(
      MessageDigest md, List<MigrationFile> migrations, MigrationFiles files) {
    for (MigrationFile m : migrations) {
      entry(md, 'M', m);
      files.scriptConfiguration(m).ifPresent(s -> entry(md, 'S', s));
    }
  }

  /** kind, name, NUL, 8-byte length, bytes: no two different sets encode alike. */
  private static void entry(MessageDigest md, char kind, MigrationFile f) {
    md.update((byte) kind);
    md.update(f.relativePath().getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(ByteBuffer.allocate(8).putLong(f.size()).array());
    md.update(f.bytes());
  }

  public boolean isEmpty() {
    return pending.isEmpty();
  }

  /** One name per line, for the state row and {@code status}. */
  public String names() {
    StringBuilder sb = new StringBuilder();
    for (PendingMigration p : pending) {
      sb.append(p.file().relativePath()).append('\n');
    }
    return sb.toString();
  }
}
