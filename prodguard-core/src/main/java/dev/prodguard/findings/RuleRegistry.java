package dev.prodguard.findings;

import java.util.List;
import java.util.ServiceLoader;

/**
 * The rules of one tool, in documentation order: the one place their ids are kept. Each tool
 * publishes its registry as a {@link ServiceLoader} service, so that a lower layer (the contract,
 * which validates rule names) reads the ids without depending on the analysis.
 */
public interface RuleRegistry {
  /** The tool: {@code lint} or {@code scan}. */
  String tool();

  /** The rules a contract may name, in documentation order. */
  List<? extends RuleInfo> rules();

  /** Every rule the tool reports, in documentation order: {@link #rules()} and its own checks. */
  default List<? extends RuleInfo> reported() {
    return rules();
  }

  default List<String> ruleIds() {
    return rules().stream().map(RuleInfo::id).toList();
  }

  /**
   * The registry of {@code tool} on the class path. Fails closed: without it no rule id could be
   * checked.
   */
  static RuleRegistry of(String tool) {
    for (RuleRegistry r :
        ServiceLoader.load(RuleRegistry.class, RuleRegistry.class.getClassLoader())) {
      if (r.tool().equals(tool)) {
        return r;
      }
    }
    throw new IllegalStateException(
        "the rule registry of prodguard "
            + tool
            + " is not on the class path (META-INF/services/"
            + RuleRegistry.class.getName()
            + "): a broken build; rebuild prodguard");
  }
}
