package dev.prodguard.guard;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.dialect.Dialect;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * G6: the Flyway callback {@code beforeMigrate.sql} in the first migration location. Flyway finds
 * SQL callbacks in its locations by default, so {@code flyway migrate}, the Maven and Gradle
 * plugins and Spring Boot's start-up migration all call {@code prodguard_assert_deploy()} before
 * they migrate. Its content is fixed: anything else is reported as modified.
 */
public final class CallbackFile {
  /** Must match the scan rule prodguard-integrity. */
  public static final String NAME = "beforeMigrate.sql";

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

  /** The file's state and where it is (relative to prodguard.yml's folder). */
  public record Check(State state, String path) {}

  /** What {@link #write} did. */
  public enum Written {
    CREATED,
    UNCHANGED,
    REPLACED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The exact content for a server family. */
  public static String expected(Dialect d) {
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

  /** The file's place: {@code beforeMigrate.sql} in the first configured migration location. */
  public static Path path(ProdguardConfig config) {
    return config.locationFolder(config.migrationLocations().get(0)).resolve(NAME);
  }

  public static Check check(ProdguardConfig config, Dialect d) {
    Path p = path(config);
    String shown = shown(config, p);
    if (!Files.isRegularFile(p)) {
      return new Check(State.MISSING, shown);
    }
    try {
      String text = Files.readString(p, StandardCharsets.UTF_8).replace("\r\n", "\n");
      return new Check(text.equals(expected(d)) ? State.OK : State.MODIFIED, shown);
    } catch (IOException e) {
      return new Check(State.MODIFIED, shown);
    }
  }

  /** Writes the file (and its folder) unless it is already exactly as expected. */
  public static Written write(ProdguardConfig config, Dialect d) {
    Check before = check(config, d);
    if (before.state() == State.OK) {
      return Written.UNCHANGED;
    }
    Path p = path(config);
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, expected(d), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Flyway callback " + p, e);
    }
    return before.state() == State.MISSING ? Written.CREATED : Written.REPLACED;
  }

  private static String shown(ProdguardConfig config, Path p) {
    try {
      return config.baseDir().toAbsolutePath().relativize(p.toAbsolutePath()).toString();
    } catch (IllegalArgumentException e) {
      return p.toString();
    }
  }
}
