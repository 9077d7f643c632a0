package dev.prodguard.migration;

import dev.prodguard.config.ProdguardConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@link GuardArtifact} on disk: in the first configured migration location, exactly {@link
 * GuardArtifact#content()} (line endings aside). {@link MigrationEngine#checkGuardArtifacts} and
 * {@link MigrationEngine#writeGuardArtifacts} use it; an engine adds what only it knows (Flyway: a
 * stale callback of an earlier prodguard version) as {@link Stale} and {@link Removed}.
 */
public final class GuardArtifactFiles {
  private GuardArtifactFiles() {}

  /** Whether the file is there as written. */
  public enum State {
    OK,
    MISSING,
    MODIFIED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What {@link #write} did. */
  public enum Written {
    CREATED,
    UNCHANGED,
    REPLACED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A file next to the artifact that still does its job the wrong way (Flyway: a {@code
   * beforeMigrate.sql} that calls the assert on every migrate).
   *
   * @param path where it is, relative to prodguard.yml's folder
   * @param removable whether it is exactly what an earlier prodguard wrote ({@code
   *     init-fingerprint} removes it); otherwise the user edits it
   * @param problem one line for {@code status} and {@code check}: what, why, and the way forward
   */
  public record Stale(String path, boolean removable, String problem) {}

  /** A stale file {@code init-fingerprint} removed. */
  public record Removed(String fileName, String note) {}

  /**
   * The artifact's state and where it is (relative to prodguard.yml's folder), with stale files the
   * engine found next to it.
   */
  public record Check(GuardArtifact artifact, State state, String path, List<Stale> stale) {
    public Check {
      stale = List.copyOf(stale);
    }
  }

  /** What {@code init-fingerprint} did to one artifact (and to stale files next to it). */
  public record Write(GuardArtifact artifact, Written written, String path, List<Removed> removed) {
    public Write {
      removed = List.copyOf(removed);
    }
  }

  /** The folder guard artifacts live in: the first configured migration location. */
  public static Path folder(ProdguardConfig config) {
    return config.locationFolder(config.migrationLocations().get(0));
  }

  /** Whether the artifact is in the first migration location exactly as written. */
  public static Check check(ProdguardConfig config, GuardArtifact artifact) {
    Path p = folder(config).resolve(artifact.fileName());
    State state;
    if (!Files.isRegularFile(p)) {
      state = State.MISSING;
    } else {
      state = read(p).filter(artifact.content()::equals).isPresent() ? State.OK : State.MODIFIED;
    }
    return new Check(artifact, state, shown(config, p), List.of());
  }

  /** Writes the artifact (and its folder) unless it is already exactly as expected. */
  public static Write write(ProdguardConfig config, GuardArtifact artifact) {
    Check before = check(config, artifact);
    Path p = folder(config).resolve(artifact.fileName());
    if (before.state() == State.OK) {
      return new Write(artifact, Written.UNCHANGED, before.path(), List.of());
    }
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, artifact.content(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + artifact.label() + " " + p, e);
    }
    return new Write(
        artifact,
        before.state() == State.MISSING ? Written.CREATED : Written.REPLACED,
        before.path(),
        List.of());
  }

  /** The text with line endings normalised, or empty when it cannot be read. */
  public static Optional<String> read(Path p) {
    try {
      return Optional.of(Files.readString(p, StandardCharsets.UTF_8).replace("\r\n", "\n"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The path relative to prodguard.yml's folder, as status and refusals show it. */
  public static String shown(ProdguardConfig config, Path p) {
    try {
      return config.baseDir().toAbsolutePath().relativize(p.toAbsolutePath()).toString();
    } catch (IllegalArgumentException e) {
      return p.toString();
    }
  }
}
