package dev.prodguard.flyway;

import dev.prodguard.config.ConfigException;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A Flyway script configuration, {@code V2__x.sql.conf} beside {@code V2__x.sql}, read as Flyway's
 * {@code SqlScriptMetadata} reads it: properties lines ({@code key=value}, {@code key: value} or
 * {@code key value}; {@code #} and {@code !} start comments), keys {@code executeInTransaction}
 * ({@code true}/{@code false}, any case), {@code placeholderReplacement} (likewise) and {@code
 * encoding} (a charset name). Flyway refuses any other key ("Unknown configuration property") and
 * its open-source edition refuses {@code shouldExecute}; so does prodguard, naming the line, before
 * anything runs. Values are read literally: a value holding a placeholder or {@code ${VAR}}, which
 * Flyway would resolve at deploy time, is refused, so what lint judged is what deploys.
 *
 * @param executeInTransaction empty when not set (Flyway decides from the statements)
 * @param placeholderReplacement empty when not set (placeholders are replaced)
 * @param encoding empty when not set (UTF-8, as prodguard configures Flyway)
 */
record ScriptConfiguration(
    Optional<Boolean> executeInTransaction,
    Optional<Boolean> placeholderReplacement,
    Optional<Charset> encoding) {

  static final String EXECUTE_IN_TRANSACTION = "executeInTransaction";
  static final String PLACEHOLDER_REPLACEMENT = "placeholderReplacement";
  static final String ENCODING = "encoding";
  static final String SHOULD_EXECUTE = "shouldExecute";

  static final ScriptConfiguration NONE =
      new ScriptConfiguration(Optional.empty(), Optional.empty(), Optional.empty());

  /** The configuration of {@code script} in {@code files}, {@link #NONE} when it has none. */
  static ScriptConfiguration of(MigrationFiles files, MigrationFile script) {
    return files
        .scriptConfiguration(script)
        .map(c -> read(c, files.placeholders().prefix()))
        .orElse(NONE);
  }

  /** {@link #read(MigrationFile, String)} with Flyway's default placeholder prefix. */
  static ScriptConfiguration read(MigrationFile conf) {
    return read(conf, "${");
  }

  /**
   * @throws ConfigException naming the file and line of an unknown key, a malformed value, a key
   *     set twice or a value Flyway would resolve at deploy time
   */
  static ScriptConfiguration read(MigrationFile conf, String placeholderPrefix) {
    String where = conf.location() + "/" + conf.relativePath();
    // Flyway reads script configurations in its default encoding, which prodguard sets to UTF-8
    String text = new String(conf.bytes(), StandardCharsets.UTF_8);
    String[] lines = text.split("\r\n|\r|\n", -1);
    // Flyway replaces placeholders in the whole file, comments included, before it reads the
    // settings: a placeholder anywhere could add a setting only Flyway sees (G4, fail closed)
    for (int i = 0; i < lines.length; i++) {
      for (String prefix : new java.util.LinkedHashSet<>(List.of("${", placeholderPrefix))) {
        if (lines[i].contains(prefix)) {
          throw new ConfigException(
              where,
              i + 1,
              null,
              "a script configuration may not hold the placeholder prefix '"
                  + prefix
                  + "' anywhere, comments included: Flyway replaces placeholders in the whole"
                  + " file before it reads the settings, so a placeholder could add a setting"
                  + " that prodguard's analysis never sees; remove it");
        }
      }
    }
    Optional<Boolean> inTransaction = Optional.empty();
    Optional<Boolean> placeholders = Optional.empty();
    Optional<Charset> encoding = Optional.empty();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
        continue;
      }
      int sep = 0;
      while (sep < line.length()
          && line.charAt(sep) != '='
          && line.charAt(sep) != ':'
          && !Character.isWhitespace(line.charAt(sep))) {
        sep++;
      }
      String key = line.substring(0, sep);
      String value = line.substring(sep).strip();
      if (value.startsWith("=") || value.startsWith(":")) {
        value = value.substring(1).strip();
      }
      if (line.endsWith("\\")) {
        throw new ConfigException(
            where,
            lineNo,
            key,
            "a value continued on the next line: write each setting on one line");
      }
      if (key.equals(SHOULD_EXECUTE)) {
        throw new ConfigException(
            where,
            lineNo,
            key,
            "shouldExecute needs Flyway Teams or Enterprise: the open-source Flyway prodguard runs"
                + " refuses every migration with it (FlywayEditionUpgradeRequiredException); remove"
                + " the line, and keep a migration that must not run out of the migration"
                + " locations");
      }
      if (!key.equals(EXECUTE_IN_TRANSACTION)
          && !key.equals(PLACEHOLDER_REPLACEMENT)
          && !key.equals(ENCODING)) {
        throw new ConfigException(
            where,
            lineNo,
            key,
            "unknown script configuration key '"
                + key
                + "': Flyway refuses it too (\"Unknown configuration property\"); the keys are "
                + EXECUTE_IN_TRANSACTION
                + ", "
                + PLACEHOLDER_REPLACEMENT
                + " and "
                + ENCODING
                + " (spelled exactly so)");
      }
      if (!seen.add(key)) {
        throw new ConfigException(where, lineNo, key, key + " is set twice: keep one line");
      }
      if (value.contains("${")) {
        throw new ConfigException(
            where,
            lineNo,
            key,
            "'"
                + value
                + "' is resolved by Flyway only at deploy time (a placeholder or environment"
                + " variable): write the value itself, so that what lint and verify judge is"
                + " what deploys");
      }
      switch (key) {
        case EXECUTE_IN_TRANSACTION -> inTransaction = Optional.of(bool(where, lineNo, key, value));
        case PLACEHOLDER_REPLACEMENT -> placeholders = Optional.of(bool(where, lineNo, key, value));
        default -> encoding = Optional.of(charset(where, lineNo, key, value));
      }
    }
    return new ScriptConfiguration(inTransaction, placeholders, encoding);
  }

  private static boolean bool(String where, int line, String key, String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new ConfigException(
          where,
          line,
          key,
          "Invalid value for " + key + " (should be either true or false): '" + value + "'");
    }
    return Boolean.parseBoolean(v);
  }

  private static Charset charset(String where, int line, String key, String value) {
    try {
      return Charset.forName(value);
    } catch (RuntimeException e) {
      throw new ConfigException(
          where, line, key, "'" + value + "' is not a character encoding this Java knows");
    }
  }

  /** The charset the script is read in: its {@code encoding}, else UTF-8. */
  Charset charset() {
    return encoding.orElse(StandardCharsets.UTF_8);
  }
}
