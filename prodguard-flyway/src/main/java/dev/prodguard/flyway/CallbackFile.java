package dev.prodguard.flyway;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.migration.GuardArtifact;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * G6: the Flyway callback {@code beforeEachMigrate.sql} in the first migration location, the one
 * place that knows its name and text ({@link FlywayMigrationEngine#guardArtifacts}). Flyway finds
 * SQL callbacks in its locations by default, so {@code flyway migrate}, the Maven and Gradle
 * plugins, Spring Boot's start-up migration and any Flyway API call run it right before each
 * pending migration, on the migration's connection and inside its transaction (Flyway's {@code
 * DbMigrate}: the {@code beforeEachMigrate} event). With nothing pending it does not run, so an
 * application that migrates at start-up starts normally. Its content is fixed: anything else is
 * reported as modified.
 *
 * <p>Earlier prodguard versions wrote {@code beforeMigrate.sql}, which Flyway runs on every
 * migrate, nothing pending included: the legacy file. {@link #write} removes it when its content is
 * exactly what prodguard wrote, and {@link #check} reports it (or any {@code beforeMigrate.sql}
 * that calls the assert) as stale.
 */
public final class CallbackFile {
  /** The callback's file name. */
  public static final String NAME = "beforeEachMigrate.sql";

  /** The callback earlier prodguard versions wrote (Flyway's {@code beforeMigrate} event). */
  public static final String LEGACY_NAME = "beforeMigrate.sql";

  private static final Pattern ASSERT_CALL =
      Pattern.compile("(?i)\\bprodguard_assert_deploy\\s*\\(\\s*\\)");
  private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|--[^\\n]*");

  private CallbackFile() {}

  /** The callback as the engine's guard artifact. */
  static GuardArtifact artifact(DatabaseSupport d) {
    return new GuardArtifact(
        NAME,
        expected(d),
        "the Flyway callback",
        "a Flyway migrate run by hand (CLI, Maven or Gradle plugin, Spring Boot)",
        "callbacks of your own go in beforeEachMigrate__<description>.sql");
  }

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
  public static String legacy(DatabaseSupport d) {
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

  /**
   * Whether SQL text calls {@code prodguard_assert_deploy()} outside {@code --} and {@code /* *\/}
   * comments (the file's own comments name it). A rough reading, for reporting only.
   */
  static boolean callsAssert(String sql) {
    String code = COMMENTS.matcher(sql).replaceAll(" ");
    return ASSERT_CALL.matcher(code).find();
  }

  /**
   * The callback's state, and a stale {@code beforeMigrate.sql} in the same folder: removable when
   * it is exactly what an earlier prodguard wrote, the user's to fix when it was edited but still
   * calls the assert; one that does not call it is the user's own callback and not reported.
   */
  static GuardArtifactFiles.Check check(ProdguardConfig config, DatabaseSupport d) {
    GuardArtifactFiles.Check callback = GuardArtifactFiles.check(config, artifact(d));
    Path old = GuardArtifactFiles.folder(config).resolve(LEGACY_NAME);
    return new GuardArtifactFiles.Check(
        callback.artifact(),
        callback.state(),
        callback.path(),
        stale(old, GuardArtifactFiles.shown(config, old), d).stream().toList());
  }

  private static Optional<GuardArtifactFiles.Stale> stale(
      Path old, String shown, DatabaseSupport d) {
    if (!Files.isRegularFile(old)) {
      return Optional.empty();
    }
    Optional<String> text = GuardArtifactFiles.read(old);
    if (text.isPresent() && text.get().equals(legacy(d))) {
      return Optional.of(
          new GuardArtifactFiles.Stale(
              shown,
              true,
              "prodguard's old callback "
                  + shown
                  + " is stale: Flyway runs it on every migrate, also with nothing pending, so an"
                  + " application that migrates at start-up cannot start: run 'prodguard"
                  + " init-fingerprint ENV' (it removes it), then commit"));
    }
    // unreadable: cannot tell, so it is not left unreported
    if (text.isEmpty() || callsAssert(text.get())) {
      return Optional.of(
          new GuardArtifactFiles.Stale(
              shown,
              false,
              shown
                  + " is stale: it calls prodguard_assert_deploy(), which Flyway then runs on every"
                  + " migrate, also with nothing pending: remove that call ("
                  + NAME
                  + " does the job), then commit"));
    }
    return Optional.empty();
  }

  /**
   * Writes the callback (and its folder) unless it is already exactly as expected, and removes
   * prodguard's own {@code beforeMigrate.sql} when its content is exactly what an earlier version
   * wrote; any other {@code beforeMigrate.sql} is the user's and stays.
   */
  static GuardArtifactFiles.Write write(ProdguardConfig config, DatabaseSupport d) {
    GuardArtifactFiles.Check before = check(config, d);
    GuardArtifactFiles.Write w = GuardArtifactFiles.write(config, artifact(d));
    List<GuardArtifactFiles.Removed> removed = new ArrayList<>();
    if (before.stale().stream().anyMatch(GuardArtifactFiles.Stale::removable)) {
      Path old = GuardArtifactFiles.folder(config).resolve(LEGACY_NAME);
      try {
        Files.delete(old);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove prodguard's old Flyway callback " + old, e);
      }
      removed.add(
          new GuardArtifactFiles.Removed(
              LEGACY_NAME,
              "prodguard's old "
                  + LEGACY_NAME
                  + " (it ran on every migrate, nothing pending included)"));
    }
    return new GuardArtifactFiles.Write(w.artifact(), w.written(), w.path(), removed);
  }
}
