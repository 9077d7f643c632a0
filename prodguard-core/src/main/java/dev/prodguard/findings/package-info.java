/**
 * The one findings model of lint and scan (DESIGN section 8, models layer): {@link Finding}, its
 * {@link Severity} and {@link Location}, the {@link RuleInfo} of the rule that made it, the {@link
 * RuleRegistry} each tool publishes, and one writer per {@link OutputFormat}. Depends only on the
 * floor ({@code dev.prodguard.db}).
 */
package dev.prodguard.findings;
