package dev.prodguard.contract;

import dev.prodguard.findings.RuleRegistry;
import java.util.List;
import java.util.Set;

/**
 * The migration-analysis rule ids a contract may name in {@code forbidden} and {@code exceptions}:
 * those of the lint rule registry, read as the {@link RuleRegistry} service {@code lint} so that
 * the contract does not depend on the SQL analyser. The named ids and lists below are the
 * contract's policies (DESIGN section 5); a test keeps each of them among the registered rules.
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

  /** Every rule id of {@code prodguard lint}, in documentation order (the registry's). */
  public static List<String> all() {
    return Registry.IDS;
  }

  public static boolean known(String id) {
    return all().contains(id);
  }

  /** Loaded on first use: the registry's rules may name the constants above. */
  private static final class Registry {
    static final List<String> IDS = RuleRegistry.of("lint").ruleIds();
  }
}
