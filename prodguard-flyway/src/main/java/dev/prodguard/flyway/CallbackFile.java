package dev.prodguard.flyway;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.migration.GuardArtifact;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.support.AssertCallSql;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
        + "-- hand fails inside the database before it changes anything. A database prodguard has\n"
        + "-- not set up (a fresh dev database, your tests) has no prodguard_assert_deploy() and\n"
        + "-- migrates as if this file were not there. Written by 'prodguard init-fingerprint';\n"
        + "-- 'prodguard status', 'check' and 'scan' report it missing or modified. Put callbacks\n"
        + "-- of your own in beforeEachMigrate__<description>.sql.\n"
        + d.assertDeployWhereInstalled()
        + ";\n";
  }

  /**
   * Exactly what earlier prodguard versions wrote as {@code beforeEachMigrate.sql}: one
   * unconditional call, which fails on every database prodguard has not set up. Still a guard
   * (never lint's to analyse), reported stale until {@code init-fingerprint} rewrites it.
   */
  public static String previous(DatabaseSupport d) {
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

  /** Whether {@code text} is the callback exactly as this or the previous prodguard wrote it. */
  public static boolean isOwn(String text, DatabaseSupport d) {
    String t = text.replace("\r\n", "\n");
    return t.equals(expected(d)) || t.equals(previous(d));
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
   * Whether SQL text calls {@code prodguard_assert_deploy()} (unconditionally, or in prodguard's
   * own existence check) outside comments and strings ({@link AssertCallSql#calls}). For reporting.
   */
  static boolean callsAssert(String sql) {
    return AssertCallSql.calls(sql);
  }

  /**
   * The callback's state, and a stale {@code beforeMigrate.sql} in the same folder: removable when
   * it is exactly what an earlier prodguard wrote, the user's to fix when it was edited but still
   * calls the assert; one that does not call it is the user's own callback and not reported.
   */
  static GuardArtifactFiles.Check check(ProdguardConfig config, DatabaseSupport d) {
    GuardArtifactFiles.Check callback = GuardArtifactFiles.check(config, artifact(d));
    Path folder = GuardArtifactFiles.folder(config);
    Path old = folder.resolve(LEGACY_NAME);
    List<GuardArtifactFiles.Stale> stale = new ArrayList<>();
    GuardArtifactFiles.State state = callback.state();
    if (state == GuardArtifactFiles.State.MODIFIED
        && GuardArtifactFiles.read(folder.resolve(NAME))
            .filter(t -> t.equals(previous(d)))
            .isPresent()) {
      // prodguard's previous text: still a guard (it calls the assert on every migration), but
      // plain Flyway fails with it on every database prodguard has not set up
      state = GuardArtifactFiles.State.OK;
      stale.add(
          new GuardArtifactFiles.Stale(
              callback.path(),
              true,
              callback.path()
                  + " is prodguard's previous callback: it calls prodguard_assert_deploy() also"
                  + " where prodguard never set the database up, so plain Flyway fails on a fresh"
                  + " dev database and in your tests: run 'prodguard init-fingerprint ENV' (it"
                  + " rewrites it), then commit"));
    }
    stale(old, GuardArtifactFiles.shown(config, old), d).ifPresent(stale::add);
    return new GuardArtifactFiles.Check(callback.artifact(), state, callback.path(), stale);
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
    Path old = GuardArtifactFiles.folder(config).resolve(LEGACY_NAME);
    String oldShown = GuardArtifactFiles.shown(config, old);
    if (before.stale().stream().anyMatch(st -> st.removable() && st.path().equals(oldShown))) {
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
