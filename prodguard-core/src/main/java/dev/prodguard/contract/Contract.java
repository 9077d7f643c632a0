package dev.prodguard.contract;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The frozen mutation contract ({@code prodguard-contract.yml}, DESIGN section 5), loaded by {@link
 * ContractLoader}. Table and column names are kept lower-case: SQL identifiers that are not quoted
 * compare case-insensitively.
 *
 * @param file where it was read from
 * @param sha256 hex SHA-256 of the file's bytes: what the pipeline records with every deployment
 * @param forbidden rule ids that must never reach a protected environment
 * @param forbiddenDefaulted true when the file has no {@code forbidden} key and DESIGN's defaults
 *     apply
 * @param adoption the reviewed baseline and per-rule severities ({@link Adoption#NONE} when absent)
 * @param history reviewed irregular entries of the migration history ({@code history:})
 */
public record Contract(
    Path file,
    String sha256,
    int version,
    List<String> forbidden,
    boolean forbiddenDefaulted,
    Map<String, ProtectedTable> protectedTables,
    List<MutationScript> mutationScripts,
    Map<String, SyncTable> sync,
    List<MigrationException> exceptions,
    List<ScanException> scanExceptions,
    Adoption adoption,
    List<HistoryEntry> history,
    TraceLimits trace) {

  public Contract {
    forbidden = List.copyOf(forbidden);
    protectedTables = Collections.unmodifiableMap(new LinkedHashMap<>(protectedTables));
    mutationScripts = List.copyOf(mutationScripts);
    sync = Collections.unmodifiableMap(new LinkedHashMap<>(sync));
    exceptions = List.copyOf(exceptions);
    scanExceptions = List.copyOf(scanExceptions);
    adoption = adoption == null ? Adoption.NONE : adoption;
    history = List.copyOf(history);
    trace = trace == null ? TraceLimits.DEFAULT : trace;
  }

  /**
   * {@code trace:}: what trace's facts may not do on a protected environment (docs/contract.md).
   * Each is an error finding unless a reviewed {@code exceptions} entry covers it.
   *
   * @param maxRewriteBytes a rewrite of a table larger than this (bytes, {@code
   *     pg_total_relation_size}) is an error; default 1 GiB
   * @param maxAccessExclusiveBytes ACCESS EXCLUSIVE on a table larger than this is an error; empty:
   *     no size limit (protected tables are always covered, see {@code accessExclusiveOnProtected})
   * @param accessExclusiveOnProtected ACCESS EXCLUSIVE on a table of {@code protected-tables} is an
   *     error (default true)
   */
  public record TraceLimits(
      long maxRewriteBytes,
      java.util.OptionalLong maxAccessExclusiveBytes,
      boolean accessExclusiveOnProtected) {
    public static final long DEFAULT_MAX_REWRITE_BYTES = 1024L * 1024 * 1024;
    public static final TraceLimits DEFAULT =
        new TraceLimits(DEFAULT_MAX_REWRITE_BYTES, java.util.OptionalLong.empty(), true);
  }

  /**
   * A reviewed irregular entry of the migration history ({@code history:}): one version, the state
   * the migration engine reports for it, and why it is accepted. The engine lets exactly these
   * through its validation (Flyway: per version, never a blanket {@code ignoreMigrationPatterns});
   * one that no database can hold with these files, or that contradicts the target's history, is an
   * error; a target that never held the version is not affected (pipeline {@code HistoryEntries}).
   *
   * @param version the migration version as written ({@code "3"}, {@code "1.2"})
   */
  public record HistoryEntry(
      String version, HistoryState state, String reason, String file, int line) {
    /** {@code V3 missing}, as messages name it. */
    public String label() {
      return "V" + version + " " + state.id();
    }
  }

  /** The irregular states of a migration history that a contract may review. */
  public enum HistoryState {
    /** applied, and its file deleted since (Flyway: {@code MISSING_SUCCESS}) */
    MISSING("missing"),
    /**
     * its file is there but below the applied versions, so it never runs (Flyway: {@code IGNORED})
     */
    IGNORED("ignored"),
    /** applied by a newer release than these files (Flyway: {@code FUTURE_SUCCESS}) */
    FUTURE("future"),
    /** the history starts with a baseline at this version (Flyway: {@code BASELINE}) */
    BASELINE("baseline");

    private final String id;

    HistoryState(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public static Optional<HistoryState> of(String id) {
      for (HistoryState s : values()) {
        if (s.id.equals(id)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /** A table no migration may alter or write, except UPDATEs of its writable columns. */
  public record ProtectedTable(String name, Set<String> writableColumns, int line) {
    public ProtectedTable {
      writableColumns = Set.copyOf(writableColumns);
    }
  }

  /** A path or glob (relative to the repository root) allowed to mutate protected environments. */
  public record MutationScript(String pattern, int line) {
    /** True when {@code relativePath} (forward slashes, relative to the repo root) matches. */
    public boolean matches(String relativePath) {
      String p = relativePath.replace('\\', '/');
      if (p.startsWith("./")) {
        p = p.substring(2);
      }
      if (pattern.equals(p)) {
        return true;
      }
      if (!isGlob(pattern)) {
        return false;
      }
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
      return m.matches(Path.of(p));
    }

    static boolean isGlob(String s) {
      return s.indexOf('*') >= 0
          || s.indexOf('?') >= 0
          || s.indexOf('{') >= 0
          || s.indexOf('[') >= 0;
    }
  }

  /** A table that reference-data promotion ({@code prodguard sync}) may write. */
  public record SyncTable(
      String name, List<String> key, List<String> columns, boolean delete, long maxRows, int line) {
    public SyncTable {
      key = List.copyOf(key);
      columns = List.copyOf(columns);
    }
  }

  /**
   * A reviewed exception: findings of {@code rule} in migration {@code migration} (e.g. {@code
   * V42}, {@code R__views}) are covered. One that covers nothing is an error. {@code sha256}, the
   * SHA-256 of the migration file as reviewed, binds it to that content: a changed file is not
   * covered. A repeatable migration ({@code R__}) changes and runs again, so its exception covers
   * only with a {@code sha256}; a versioned one without it covers whatever its file says.
   */
  public record MigrationException(
      MigrationId migration,
      String rule,
      String reason,
      Optional<String> sha256,
      String file,
      int line) {
    public MigrationException(
        MigrationId migration, String rule, String reason, String file, int line) {
      this(migration, rule, reason, Optional.empty(), file, line);
    }

    /**
     * Whether the exception covers the file of {@code migration} whose SHA-256 is {@code
     * fileSha256} (null when unknown): its {@code sha256} matches, or it has none and the migration
     * is versioned.
     */
    public boolean admits(String fileSha256) {
      if (sha256.isPresent()) {
        return fileSha256 != null && sha256.get().equalsIgnoreCase(fileSha256);
      }
      return migration.kind() != MigrationId.Kind.REPEATABLE;
    }

    /** Why {@link #admits} said no, with the one way forward, for the file's {@code fileSha256}. */
    public String unadmitted(String fileSha256) {
      String actual = fileSha256 == null ? "<sha256 of the file>" : fileSha256;
      return sha256.isPresent()
          ? "the exception for "
              + migration
              + " and rule '"
              + rule
              + "' was reviewed for other content (sha256 "
              + sha256.get()
              + "), and the file has changed since (sha256 "
              + actual
              + "): it covers nothing until the new content is reviewed; then set sha256: "
              + actual
          : "the exception for repeatable migration "
              + migration
              + " and rule '"
              + rule
              + "' is not bound to the content it was reviewed for, and a repeatable migration"
              + " runs again whenever it changes: it covers nothing until it is; review the file"
              + " and add sha256: "
              + actual;
    }
  }

  /** A reviewed false positive of {@code prodguard scan}: {@code path} may be a glob. */
  public record ScanException(String path, String rule, String reason, String file, int line) {
    public boolean matchesPath(String relativePath) {
      return new MutationScript(path, line).matches(relativePath);
    }
  }

  public boolean isForbidden(String rule) {
    return forbidden.contains(rule);
  }

  /** The protected-table entry for a (possibly schema-qualified) table name, if any. */
  public Optional<ProtectedTable> protectedTable(String table) {
    if (protectedTables.isEmpty() || table == null) {
      return Optional.empty();
    }
    String t = table.toLowerCase(Locale.ROOT);
    ProtectedTable exact = protectedTables.get(t);
    if (exact != null) {
      return Optional.of(exact);
    }
    int dot = t.lastIndexOf('.');
    String bare = dot < 0 ? t : t.substring(dot + 1);
    for (ProtectedTable p : protectedTables.values()) {
      String n = p.name();
      int d = n.lastIndexOf('.');
      // "users" in the contract protects every schema's users; "app.users" protects an
      // unqualified "users" too, because the search path may resolve to it (fail closed).
      if (d < 0 ? n.equals(bare) : (dot < 0 && n.substring(d + 1).equals(bare))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** True when {@code relativePath} is one of the declared mutation scripts. */
  public boolean isMutationScript(String relativePath) {
    return mutationScripts.stream().anyMatch(m -> m.matches(relativePath));
  }
}
