package dev.prodguard.guard;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.migration.GuardArtifact;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * G6: the Flyway callback {@code beforeEachMigrate.sql} in the first migration location, the one
 * place that knows its name. Flyway finds SQL callbacks in its locations by default, so {@code
 * flyway migrate}, the Maven and Gradle plugins, Spring Boot's start-up migration and any Flyway
 * API call run it right before each pending migration, on the migration's connection and inside its
 * transaction (Flyway's {@code DbMigrate}: the {@code beforeEachMigrate} event). With nothing
 * pending it does not run, so an application that migrates at start-up starts normally. Its content
 * is fixed: anything else is reported as modified.
 *
 * <p>Earlier prodguard versions wrote {@code beforeMigrate.sql}, which Flyway runs on every
 * migrate, nothing pending included: the legacy file. {@link #write} removes it when its content is
 * exactly what prodguard wrote, and {@link #check} reports it (or any {@code beforeMigrate.sql}
 * that calls the assert) as stale.
 */
public final class CallbackFile {
  /** The callback's file name; the scan rule prodguard-integrity reads it from here. */
  public static final String NAME = "beforeEachMigrate.sql";

  /** The callback earlier prodguard versions wrote (Flyway's {@code beforeMigrate} event). */
  public static final String LEGACY_NAME = "beforeMigrate.sql";

  private static final Pattern ASSERT_CALL =
      Pattern.compile("(?i)\\bprodguard_assert_deploy\\s*\\(\\s*\\)");
  private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|--[^\\n]*");

  private CallbackFile() {}

  /** Whether the file is there as written. */
  public enum State {
    OK,
    MISSING,
    MODIFIED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A {@code beforeMigrate.sql} next to the callback. */
  public enum Legacy {
    /** None, or one that does not call the assert (a user's own callback). */
    NONE,
    /** Exactly what an earlier prodguard wrote: {@code init-fingerprint} removes it. */
    PRODGUARD,
    /** Edited, but still calling {@code prodguard_assert_deploy()}: the user removes the call. */
    CALLS_ASSERT
  }

  /**
   * The file's state and where it is (relative to prodguard.yml's folder), and a stale {@code
   * beforeMigrate.sql} in the same folder.
   */
  public record Check(State state, String path, Legacy legacy, String legacyPath) {

    /** Whether a {@code beforeMigrate.sql} still calls the assert on every migrate. */
    public boolean stale() {
      return legacy != Legacy.NONE;
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
   * What {@link #write} did to the callback and to prodguard's legacy {@code beforeMigrate.sql}.
   */
  public record Write(Written callback, boolean legacyRemoved) {}

  /** The exact content for a server family. */
  public static String expected(DatabaseSupport d) {
    return "-- prodguard G6: direct migration blocked. DO NOT DELETE OR EDIT THIS FILE.\n"
        + "--\n"
        + "-- Flyway runs beforeEachMigrate.sql right before it applies each pending migration,\n"
        + "-- inside that migration's transaction: the Flyway CLI, the Maven and Gradle plugins,\n"
        + "-- Spring Boot's start-up migration, any Flyway API call. With nothing pending it does\n"
        + "-- not run, so an application that migrates at start-up starts normally. On a protected\n"
        + "-- environment prodguard_assert_deploy() fails unless this connection was handed to\n"
        + "-- Flyway by 'prodguard deploy' for a running, approved deploy, so a migration run by\n"
        + "-- hand fails inside the database before it changes anything. Written by 'prodguard\n"
        + "-- init-fingerprint'; 'prodguard status', 'check' and 'scan' report it missing or\n"
        + "-- modified. Put callbacks of your own in beforeEachMigrate__<description>.sql.\n"
        + d.assertDeployCall()
        + ";\n";
  }

  /** Exactly what earlier prodguard versions wrote as {@code beforeMigrate.sql}. */
  static String legacy(DatabaseSupport d) {
    return "-- prodguard G6: direct migration blocked. DO NOT DELETE OR EDIT THIS FILE.\n"
        + "--\n"
        + "-- Flyway runs beforeMigrate.sql before every migrate: the Flyway CLI, the Maven and\n"
        + "-- Gradle plugins, Spring Boot's start-up migration, any Flyway API call. On a protected\n"
        + "-- environment prodguard_assert_deploy() fails unless this connection was handed to\n"
        + "-- Flyway by 'prodguard deploy' for a running, approved deploy, so a migration run by\n"
        + "-- hand fails inside the database. Written by 'prodguard init-fingerprint'; 'prodguard\n"
        + "-- status', 'check' and 'scan' report it missing or modified. Put callbacks of your own\n"
        + "-- in beforeMigrate__<description>.sql.\n"
        + d.assertDeployCall()
        + ";\n";
  }

  /** The file's place: {@code beforeEachMigrate.sql} in the first configured migration location. */
  public static Path path(ProdguardConfig config) {
    return folder(config).resolve(NAME);
  }

  private static Path folder(ProdguardConfig config) {
    return config.locationFolder(config.migrationLocations().get(0));
  }

  /**
   * Whether SQL text calls {@code prodguard_assert_deploy()} outside {@code --} and {@code /* *\/}
   * comments (the file's own comments name it). A rough reading, for reporting only.
   */
  static boolean callsAssert(String sql) {
    String code = COMMENTS.matcher(sql).replaceAll(" ");
    return ASSERT_CALL.matcher(code).find();
  }

  /**
   * Whether the migration engine's guard artifact is in the first migration location exactly as
   * written (no legacy file is looked for).
   */
  public static Check check(ProdguardConfig config, GuardArtifact artifact) {
    Path p = folder(config).resolve(artifact.fileName());
    State state;
    if (!Files.isRegularFile(p)) {
      state = State.MISSING;
    } else {
      String text = read(p);
      state = text != null && text.equals(artifact.content()) ? State.OK : State.MODIFIED;
    }
    return new Check(state, shown(config, p), Legacy.NONE, null);
  }

  public static Check check(ProdguardConfig config, DatabaseSupport d) {
    Path p = path(config);
    Path old = folder(config).resolve(LEGACY_NAME);
    Legacy legacy = legacy(old, d);
    State state;
    if (!Files.isRegularFile(p)) {
      state = State.MISSING;
    } else {
      String text = read(p);
      state = text != null && text.equals(expected(d)) ? State.OK : State.MODIFIED;
    }
    return new Check(state, shown(config, p), legacy, shown(config, old));
  }

  private static Legacy legacy(Path old, DatabaseSupport d) {
    if (!Files.isRegularFile(old)) {
      return Legacy.NONE;
    }
    String text = read(old);
    if (text == null) {
      return Legacy.CALLS_ASSERT; // unreadable: cannot tell, so it is not left unreported
    }
    if (text.equals(legacy(d))) {
      return Legacy.PRODGUARD;
    }
    return callsAssert(text) ? Legacy.CALLS_ASSERT : Legacy.NONE;
  }

  /**
   * Writes the callback (and its folder) unless it is already exactly as expected, and removes
   * prodguard's own {@code beforeMigrate.sql} when its content is exactly what an earlier version
   * wrote; any other {@code beforeMigrate.sql} is the user's and stays.
   */
  public static Write write(ProdguardConfig config, DatabaseSupport d) {
    Check before = check(config, d);
    Path p = path(config);
    Written written = Written.UNCHANGED;
    try {
      if (before.state() != State.OK) {
        Files.createDirectories(p.getParent());
        Files.writeString(p, expected(d), StandardCharsets.UTF_8);
        written = before.state() == State.MISSING ? Written.CREATED : Written.REPLACED;
      }
      boolean removed = false;
      if (before.legacy() == Legacy.PRODGUARD) {
        Files.delete(folder(config).resolve(LEGACY_NAME));
        removed = true;
      }
      return new Write(written, removed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Flyway callback " + p, e);
    }
  }

  /** The text with line endings normalised, or null when it cannot be read. */
  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      return null;
    }
  }

  private static String shown(ProdguardConfig config, Path p) {
    try {
      return config.baseDir().toAbsolutePath().relativize(p.toAbsolutePath()).toString();
    } catch (IllegalArgumentException e) {
      return p.toString();
    }
  }
}
