package dev.prodguard.contract;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigFiles;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.config.YamlMap;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads and validates {@code prodguard-contract.yml} strictly: unknown keys, unknown rule ids,
 * duplicate entries and exceptions without a reason are configuration errors naming file, line and
 * key. A contract that does not load refuses everything that needs it (fail closed).
 */
public final class ContractLoader {
  public static final String DEFAULT_FILE = "prodguard-contract.yml";
  public static final int VERSION = 1;

  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

  private ContractLoader() {}

  public static Contract load(Path file) {
    return parse(file, read(file, null));
  }

  /**
   * The contract {@code prodguard.yml} points at; empty only when {@code contract:} is not given
   * and {@code prodguard-contract.yml} does not exist next to it (then DESIGN's defaults apply). A
   * contract that {@code contract:} names, or a default file that exists but cannot be read (a
   * directory, a dangling link, a link loop, no permission), is a configuration error naming the
   * file: falling back to the defaults would silently drop its protected tables and exceptions.
   *
   * @throws ConfigException when the contract cannot be read or is malformed
   */
  public static Optional<Contract> forConfig(ProdguardConfig config) {
    Path file = config.contract();
    if (!config.contractNamed() && Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(
        parse(file, read(file, config.contractNamed() ? config.file().getFileName() : null)));
  }

  /** The contract's bytes; {@code namedBy} is the configuration file that names it, if any. */
  public static byte[] read(Path file, Path namedBy) {
    String named =
        namedBy == null ? "" : " (named by 'contract:' in " + namedBy.getFileName() + ")";
    try {
      return ConfigFiles.read(file, "the contract" + named);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          file,
          0,
          null,
          (namedBy == null
                  ? "contract not found: protected environments need a committed " + DEFAULT_FILE
                  : "the contract" + named + " does not exist")
              + (Files.isSymbolicLink(file) ? " (a symbolic link to a missing file)" : "")
              + " (see docs/contract.md)");
    } catch (IOException e) {
      throw new ConfigException(
          file, 0, null, "cannot read the contract" + named + ": " + describe(e));
    }
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason(); // e.g. "Too many levels of symbolic links"
    }
    return e.getMessage();
  }

  /** Parses contract bytes; {@code file} names them in errors and in the model. */
  public static Contract parse(Path file, byte[] bytes) {
    if (bytes.length > ConfigFiles.MAX_BYTES) {
      throw ConfigFiles.tooLarge(file, "the contract");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(file, 0, null, "the contract is not valid UTF-8");
    }
    YamlMap root = YamlMap.parse(file.toString(), text);

    long version =
        root.integer("version")
            .orElseThrow(() -> root.error(null, "'version' is required (version: 1)"));
    if (version != VERSION) {
      throw root.error(
          "version",
          "unsupported contract version " + version + "; this prodguard reads version 1");
    }

    boolean defaulted = !root.has("forbidden");
    List<String> forbidden = new ArrayList<>();
    if (defaulted) {
      forbidden.addAll(RuleIds.DEFAULT_FORBIDDEN);
    } else {
      Set<String> seen = new HashSet<>();
      for (YamlMap.Scalar s : root.stringList("forbidden").orElse(List.of())) {
        ruleId(root.file(), s);
        if (!seen.add(s.value())) {
          throw new ConfigException(
              root.file(), s.line(), s.key(), "rule '" + s.value() + "' is listed twice");
        }
        forbidden.add(s.value());
      }
    }

    Map<String, Contract.ProtectedTable> protectedTables = new LinkedHashMap<>();
    Optional<YamlMap> pt = root.map("protected-tables");
    if (pt.isPresent()) {
      for (Map.Entry<String, YamlMap> e : pt.get().children().entrySet()) {
        String name = tableName(pt.get(), e.getKey());
        YamlMap t = e.getValue();
        Set<String> writable = new LinkedHashSet<>();
        for (YamlMap.Scalar c : t.stringList("writable-columns").orElse(List.of())) {
          writable.add(columnName(t.file(), c));
        }
        t.finish("writable-columns");
        if (protectedTables.put(name, new Contract.ProtectedTable(name, writable, t.line()))
            != null) {
          throw pt.get().error(e.getKey(), "table '" + name + "' is listed twice");
        }
      }
    }

    List<Contract.MutationScript> scripts = new ArrayList<>();
    for (YamlMap.Scalar s : root.stringList("mutation-scripts").orElse(List.of())) {
      String p = s.value().trim();
      if (p.isEmpty() || p.startsWith("/") || p.contains("..")) {
        throw new ConfigException(
            root.file(),
            s.line(),
            s.key(),
            "mutation-scripts entries are paths or globs relative to the repository root");
      }
      if (Contract.MutationScript.isGlob(p)) {
        try {
          java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + p);
        } catch (IllegalArgumentException ex) {
          throw new ConfigException(
              root.file(), s.line(), s.key(), "'" + p + "' is not a valid glob");
        }
      }
      scripts.add(new Contract.MutationScript(p, s.line()));
    }

    Map<String, Contract.SyncTable> sync = new LinkedHashMap<>();
    Optional<YamlMap> sy = root.map("sync");
    if (sy.isPresent()) {
      for (Map.Entry<String, YamlMap> e : sy.get().children().entrySet()) {
        String name = tableName(sy.get(), e.getKey());
        if (notSyncable(name)) {
          throw sy.get()
              .error(
                  e.getKey(),
                  "'"
                      + name
                      + "' is one of prodguard's own tables, Flyway's history table or a system"
                      + " catalog (G10): sync never writes them; remove it from 'sync'");
        }
        YamlMap t = e.getValue();
        List<String> key = columns(t, "key", true);
        List<String> columns = columns(t, "columns", true);
        boolean delete = t.bool("delete").orElse(false);
        long maxRows =
            t.integer("max-rows")
                .orElseThrow(
                    () -> t.error(null, "'" + t.qualify("max-rows") + "' is required (a ceiling)"));
        if (maxRows < 1) {
          throw t.error("max-rows", "max-rows must be at least 1");
        }
        t.finish("key", "columns", "delete", "max-rows");
        sync.put(name, new Contract.SyncTable(name, key, columns, delete, maxRows, t.line()));
      }
    }

    List<Contract.MigrationException> exceptions = new ArrayList<>();
    Set<String> seenExceptions = new HashSet<>();
    for (YamlMap e : root.mapList("exceptions").orElse(List.of())) {
      YamlMap.Scalar migration = e.requiredString("migration");
      MigrationId id =
          MigrationId.parse(migration.value())
              .orElseThrow(
                  () ->
                      new ConfigException(
                          e.file(),
                          migration.line(),
                          migration.key(),
                          "'"
                              + migration.value()
                              + "' is not a Flyway migration: write V<version> (e.g. V42, V1.2),"
                              + " U<version>, B<version> (a baseline migration) or"
                              + " R__<description>"));
      YamlMap.Scalar rule = e.requiredString("rule");
      ruleId(e.file(), rule);
      if (RuleIds.NOT_COVERABLE.contains(rule.value())) {
        throw new ConfigException(
            e.file(),
            rule.line(),
            rule.key(),
            "rule '"
                + rule.value()
                + "' cannot be excepted: no migration may touch prodguard's own objects, whatever"
                + " the contract says");
      }
      String reason = reason(e);
      Optional<String> sha256 = Optional.empty();
      Optional<YamlMap.Scalar> sha = e.string("sha256");
      if (sha.isPresent()) {
        String v = sha.get().value().trim().toLowerCase(Locale.ROOT);
        if (!v.matches("[0-9a-f]{64}")) {
          throw new ConfigException(
              e.file(),
              sha.get().line(),
              sha.get().key(),
              "'"
                  + sha.get().value()
                  + "' is not a SHA-256: write the 64 hex digits of the migration file as"
                  + " reviewed (sha256sum FILE)");
        }
        sha256 = Optional.of(v);
      }
      e.finish("migration", "rule", "reason", "sha256");
      if (!seenExceptions.add(id + "/" + rule.value())) {
        throw e.error(
            null, "a second exception for " + id + " and rule '" + rule.value() + "': merge them");
      }
      exceptions.add(
          new Contract.MigrationException(id, rule.value(), reason, sha256, e.file(), e.line()));
    }

    List<Contract.ScanException> scanExceptions = new ArrayList<>();
    for (YamlMap e : root.mapList("scan-exceptions").orElse(List.of())) {
      YamlMap.Scalar path = e.requiredString("path");
      if (path.value().isBlank() || path.value().startsWith("/") || path.value().contains("..")) {
        throw new ConfigException(
            e.file(), path.line(), path.key(), "path must be relative to the repository root");
      }
      YamlMap.Scalar rule = e.requiredString("rule");
      if (!rule.value().matches("[a-z][a-z0-9-]*")) {
        throw new ConfigException(
            e.file(), rule.line(), rule.key(), "'" + rule.value() + "' is not a rule id");
      }
      String reason = reason(e);
      e.finish("path", "rule", "reason");
      scanExceptions.add(
          new Contract.ScanException(path.value(), rule.value(), reason, e.file(), e.line()));
    }

    Adoption adoption = Adoption.parse(root, forbidden);
    List<Contract.HistoryEntry> history = history(root);
    Contract.TraceLimits trace = trace(root);

    root.finish(
        "trace",
        "history",
        "version",
        "forbidden",
        "protected-tables",
        "mutation-scripts",
        "sync",
        "exceptions",
        "scan-exceptions",
        Adoption.BASELINE_KEY,
        Adoption.SEVERITY_KEY);
    return new Contract(
        file,
        sha256(bytes),
        (int) version,
        forbidden,
        defaulted,
        protectedTables,
        scripts,
        sync,
        exceptions,
        scanExceptions,
        adoption,
        history,
        trace);
  }

  private static final Pattern SIZE =
      Pattern.compile("([0-9]{1,12})\\s*(B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB)");

  /**
   * {@code trace: { max-rewrite-size: 1GB, max-access-exclusive-size: 100MB,
   * access-exclusive-on-protected: true }} (docs/contract.md). Sizes in bytes with a unit: B, kB,
   * MB, GB, TB (powers of 1024, as PostgreSQL's pg_size_pretty).
   */
  private static Contract.TraceLimits trace(YamlMap root) {
    Optional<YamlMap> t = root.map("trace");
    if (t.isEmpty()) {
      return Contract.TraceLimits.DEFAULT;
    }
    YamlMap m = t.get();
    long rewrite =
        m.string("max-rewrite-size")
            .map(s -> size(m, s))
            .orElse(Contract.TraceLimits.DEFAULT_MAX_REWRITE_BYTES);
    java.util.OptionalLong exclusive =
        m.string("max-access-exclusive-size")
            .map(s -> java.util.OptionalLong.of(size(m, s)))
            .orElse(java.util.OptionalLong.empty());
    boolean onProtected = m.bool("access-exclusive-on-protected").orElse(true);
    m.finish("max-rewrite-size", "max-access-exclusive-size", "access-exclusive-on-protected");
    return new Contract.TraceLimits(rewrite, exclusive, onProtected);
  }

  private static long size(YamlMap m, YamlMap.Scalar s) {
    java.util.regex.Matcher x = SIZE.matcher(s.value().trim());
    if (!x.matches()) {
      throw new ConfigException(
          m.file(),
          s.line(),
          s.key(),
          "expected a size like 0B, 500MB, 1GB or 2TB (powers of 1024)");
    }
    long n = Long.parseLong(x.group(1));
    int shift =
        switch (x.group(2)) {
          case "B" -> 0;
          case "kB", "KB", "KiB" -> 10;
          case "MB", "MiB" -> 20;
          case "GB", "GiB" -> 30;
          default -> 40;
        };
    if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
      throw new ConfigException(m.file(), s.line(), s.key(), "the size is too large");
    }
    return n << shift;
  }

  /**
   * {@code history:} entries, {@code { version: "3", state: missing, reason: "..." }}: one version,
   * one state, a reason; a version listed twice is an error. Versions are text (quoted), so that
   * YAML does not read {@code 1.10} as the number 1.1.
   */
  private static List<Contract.HistoryEntry> history(YamlMap root) {
    List<Contract.HistoryEntry> out = new ArrayList<>();
    Set<MigrationId> seen = new HashSet<>();
    for (YamlMap e : root.mapList("history").orElse(List.of())) {
      if (e.has("version") && e.scalar("version").isPresent()) {
        YamlMap.Scalar raw = e.scalar("version").get();
        if (!raw.value().isEmpty() && !isText(e, "version")) {
          throw new ConfigException(
              e.file(),
              raw.line(),
              raw.key(),
              "write the version as text, quoted (version: \""
                  + raw.value()
                  + "\"): YAML reads"
                  + " an unquoted 1.10 as the number 1.1");
        }
      }
      YamlMap.Scalar version = e.requiredString("version");
      String v = version.value().trim();
      if (v.startsWith("V") || v.startsWith("v")) {
        v = v.substring(1);
      }
      if (!VERSION_TEXT.matcher(v).matches()) {
        throw new ConfigException(
            e.file(),
            version.line(),
            version.key(),
            "'"
                + version.value()
                + "' is not a migration version: write the version of a versioned migration"
                + " (\"3\", \"1.2\")");
      }
      YamlMap.Scalar state = e.requiredString("state");
      Contract.HistoryState s =
          Contract.HistoryState.of(state.value().trim())
              .orElseThrow(
                  () ->
                      new ConfigException(
                          e.file(),
                          state.line(),
                          state.key(),
                          "unknown history state '"
                              + state.value()
                              + "' (states: missing, ignored, future, baseline)"));
      String reason = reason(e);
      e.finish("version", "state", "reason");
      if (!seen.add(MigrationId.parse("V" + v).orElseThrow())) {
        throw e.error(null, "a second history entry for version " + v + ": one version, one state");
      }
      out.add(new Contract.HistoryEntry(v, s, reason, e.file(), e.line()));
    }
    return out;
  }

  private static final Pattern VERSION_TEXT = Pattern.compile("[0-9]+([._][0-9]+)*");

  private static boolean isText(YamlMap e, String key) {
    try {
      e.string(key);
      return true;
    } catch (ConfigException ex) {
      return false;
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String reason(YamlMap e) {
    YamlMap.Scalar reason =
        e.string("reason")
            .orElseThrow(
                () ->
                    e.error(
                        "reason",
                        "'"
                            + e.qualify("reason")
                            + "' is required: say why this was reviewed and accepted"));
    if (reason.value().isBlank()) {
      throw new ConfigException(e.file(), reason.line(), reason.key(), "reason must not be empty");
    }
    return reason.value().trim();
  }

  private static void ruleId(String file, YamlMap.Scalar s) {
    if (!RuleIds.known(s.value())) {
      throw new ConfigException(
          file,
          s.line(),
          s.key(),
          "unknown rule '" + s.value() + "' (rules: " + String.join(", ", RuleIds.all()) + ")");
    }
  }

  private static String tableName(YamlMap parent, String raw) {
    String[] parts = raw.split("\\.", -1);
    if (parts.length > 2) {
      throw parent.error(raw, "'" + raw + "' is not a table name (table or schema.table)");
    }
    for (String p : parts) {
      if (!IDENT.matcher(p).matches()) {
        throw parent.error(raw, "'" + raw + "' is not a table name (table or schema.table)");
      }
    }
    return raw.toLowerCase(Locale.ROOT);
  }

  private static String columnName(String file, YamlMap.Scalar c) {
    if (!IDENT.matcher(c.value()).matches()) {
      throw new ConfigException(
          file, c.line(), c.key(), "'" + c.value() + "' is not a column name");
    }
    return c.value().toLowerCase(Locale.ROOT);
  }

  private static List<String> columns(YamlMap t, String key, boolean required) {
    Optional<List<YamlMap.Scalar>> list = t.stringList(key);
    if (list.isEmpty() || list.get().isEmpty()) {
      if (required) {
        throw t.error(
            list.isEmpty() ? null : key,
            "'" + t.qualify(key) + "' is required (at least one column)");
      }
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (YamlMap.Scalar c : list.get()) {
      out.add(columnName(t.file(), c));
    }
    return out;
  }

  /**
   * prodguard's own tables ({@code database_metadata}, {@code prodguard_*}), Flyway's history table
   * and the system catalogs: no contract may let {@code prodguard sync} write them (G10). Compared
   * as the servers may: case-insensitively, accents aside (the list lives here, not in the SQL
   * analyser, so that the contract is validated without it).
   */
  static boolean notSyncable(String table) {
    String n =
        java.text.Normalizer.normalize(
                table.toLowerCase(Locale.ROOT), java.text.Normalizer.Form.NFD)
            .replaceAll("\\p{M}+", "")
            .replace("\"", "")
            .replace("`", "");
    int dot = n.lastIndexOf('.');
    String last = n.substring(dot + 1);
    String schema = dot < 0 ? "" : n.substring(n.lastIndexOf('.', dot - 1) + 1, dot);
    return last.equals("database_metadata")
        || last.startsWith("prodguard_")
        || last.equals("flyway_schema_history")
        || last.equals("schema_version")
        || last.contains("${")
        || last.startsWith("pg_")
        || Set.of("pg_catalog", "information_schema", "mysql", "performance_schema", "sys")
            .contains(schema);
  }
}
