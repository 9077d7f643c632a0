package dev.prodguard.contract;

import dev.prodguard.findings.RuleRegistry;
import java.util.List;
import java.util.Set;

/**
 * The migration-analysis rule ids a contract may name in {@code forbidden} and {@code exceptions}:
 * those of the lint and trace rule registries, read as the {@link RuleRegistry} services {@code
 * lint} and {@code trace} so that the contract depends on neither analysis. The named ids and lists
 * below are the contract's policies (DESIGN section 5); a test keeps each of them among the
 * registered rules.
 */
public final class RuleIds {
  public static final String UNKNOWN_STATEMENT = "unknown-statement";
  public static final String DYNAMIC_SQL = "dynamic-sql";
  public static final String PROTECTED_TABLE_WRITE = "protected-table-write";
  public static final String TRANSACTION_CONTROL = "transaction-control";
  public static final String PRODGUARD_OBJECTS = "prodguard-objects";

  /**
   * DESIGN section 5's default {@code forbidden} list when the key is absent, plus {@code
   * transaction-control} (an error on every environment anyway; listed so the contract says so).
   */
  public static final List<String> DEFAULT_FORBIDDEN =
      List.of(
          "drop-database",
          "drop-schema",
          "drop-table",
          "drop-column",
          "truncate",
          "delete-without-where",
          "update-without-where",
          "alter-column-type",
          "rename-table",
          "rename-column",
          "grant",
          "revoke",
          UNKNOWN_STATEMENT,
          TRANSACTION_CONTROL);

  /**
   * Rules that are errors on a protected environment whatever {@code forbidden} says: the analyser
   * fails closed on what it cannot see through, and protected tables are the contract itself.
   */
  public static final Set<String> ALWAYS_ERROR_ON_PROTECTED =
      Set.of(UNKNOWN_STATEMENT, DYNAMIC_SQL, PROTECTED_TABLE_WRITE);

  /**
   * Rules whose findings no contract exception may cover: an exception naming one is a
   * configuration error. prodguard's own objects are protected whatever the contract says.
   */
  public static final Set<String> NOT_COVERABLE = Set.of(PRODGUARD_OBJECTS);

  private RuleIds() {}

  /**
   * Every rule id a contract may name: those of {@code prodguard lint}, then those of {@code
   * prodguard trace} (facts observed on a scratch copy, docs/trace.md), each in documentation order
   * (the registries').
   */
  public static List<String> all() {
    return Registry.IDS;
  }

  /** The rule ids of {@code prodguard lint}. */
  public static List<String> lint() {
    return Registry.LINT;
  }

  /** The rule ids of {@code prodguard trace}: checked by trace, not by lint. */
  public static List<String> trace() {
    return Registry.TRACE;
  }

  public static boolean isTrace(String id) {
    return trace().contains(id);
  }

  public static boolean known(String id) {
    return all().contains(id);
  }

  /** Loaded on first use: the registry's rules may name the constants above. */
  private static final class Registry {
    static final List<String> LINT = RuleRegistry.of("lint").ruleIds();
    static final List<String> TRACE = RuleRegistry.of("trace").ruleIds();
    static final List<String> IDS =
        java.util.stream.Stream.concat(LINT.stream(), TRACE.stream()).toList();
  }
}
