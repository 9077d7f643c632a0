package dev.prodguard.contract;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.YamlMap;
import dev.prodguard.findings.RuleInfo;
import dev.prodguard.findings.RuleRegistry;
import dev.prodguard.findings.Severity;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a team adopts prodguard on a history that already ran in production, both reviewed in the
 * contract (so both are bound into the contract hash that G7 records): a {@link Baseline} (the
 * migrations up to a version are history that {@code lint} without arguments and {@code verify} do
 * not judge) and per-rule severity for rules that are not {@code forbidden}. A forbidden rule is
 * lowered only by an exception for one migration; a severity entry for it is an error, and so is
 * one that lowers a rule that is an error by default (the analyser's fail-closed rules).
 *
 * @param baseline the reviewed baseline, or null when the contract has none
 * @param severity rule id to its level, in the contract's order
 */
public record Adoption(Baseline baseline, Map<String, Level> severity) {
  public static final String BASELINE_KEY = "baseline";
  public static final String SEVERITY_KEY = "severity";

  /** {@code baseline.sha256}: the digest that pins the baseline to the reviewed history. */
  public static final String SHA256_KEY = "sha256";

  /** No baseline, default severities. */
  public static final Adoption NONE = new Adoption(null, Map.of());

  public Adoption {
    severity = Collections.unmodifiableMap(new LinkedHashMap<>(severity));
  }

  /** A contract's level for a rule: {@code off} drops its findings. */
  public enum Level {
    OFF,
    WARNING,
    ERROR;

    /** The findings' severity, or empty for {@code off}. */
    public Optional<Severity> severity() {
      return switch (this) {
        case OFF -> Optional.empty();
        case WARNING -> Optional.of(Severity.WARNING);
        case ERROR -> Optional.of(Severity.ERROR);
      };
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Versioned (and undo) migrations up to and including {@code version} are history.
   *
   * @param version the last migration of the history, as Flyway compares versions
   * @param reason why the history was reviewed and accepted
   * @param sha256 the SHA-256 of the reviewed history files ({@code
   *     dev.prodguard.lint.History#sha256}), lower-case hex; null when the contract gives none,
   *     which lint and verify refuse, naming the digest to write
   */
  public record Baseline(MigrationId version, String reason, String sha256, String file, int line) {
    /** The reviewed history's digest, when the contract pins it. */
    public Optional<String> sha256IfAny() {
      return Optional.ofNullable(sha256);
    }

    /** True for a versioned or undo migration at or below the baseline; never a repeatable one. */
    public boolean covers(MigrationId id) {
      return id.kind() != MigrationId.Kind.REPEATABLE
          && MigrationId.compareVersions(id.version(), version.version()) <= 0;
    }
  }

  public Optional<Baseline> baselineIfAny() {
    return Optional.ofNullable(baseline);
  }

  /** The contract's level for {@code rule}, if it sets one. */
  public Optional<Level> level(String rule) {
    return Optional.ofNullable(severity.get(rule));
  }

  /**
   * Reads {@code baseline:} and {@code severity:} from the contract's root (marking them read), and
   * checks them against the rest of the contract.
   *
   * @throws ConfigException naming file, line and key for a malformed entry
   */
  static Adoption parse(YamlMap root, List<String> forbidden) {
    // An exception may name a migration within the baseline: it covers that migration only where
    // verify judges it, a target behind the baseline that got its history another way (lint checks
    // that the migration exists, History.of).
    Baseline baseline = root.map(BASELINE_KEY).map(Adoption::baseline).orElse(null);
    Map<String, Level> levels = new LinkedHashMap<>();
    Optional<YamlMap> map = root.map(SEVERITY_KEY);
    if (map.isPresent()) {
      YamlMap m = map.get();
      for (String rule : m.keys()) {
        YamlMap.Scalar s =
            m.scalar(rule).orElseThrow(() -> m.error(rule, "expected off, warning or error"));
        levels.put(rule, level(m, rule, s, forbidden));
      }
    }
    return new Adoption(baseline, levels);
  }

  private static Baseline baseline(YamlMap b) {
    YamlMap.Scalar v =
        b.scalar("version")
            .orElseThrow(
                () ->
                    b.error(
                        null,
                        "'"
                            + b.qualify("version")
                            + "' is required: the last migration that is history, e.g. version:"
                            + " \"42\""));
    String text = v.value().trim();
    // "42", "V42", or the version of a baseline migration written as its file is, "B1.20"; the
    // baseline is a version either way (it covers the V and B migrations at or below it).
    String raw =
        !text.isEmpty() && "VvBb".indexOf(text.charAt(0)) >= 0
            ? "V" + text.substring(1)
            : "V" + text;
    MigrationId id =
        MigrationId.parse(raw)
            .filter(m -> m.kind() == MigrationId.Kind.VERSIONED)
            .orElseThrow(
                () ->
                    new ConfigException(
                        b.file(),
                        v.line(),
                        v.key(),
                        "'"
                            + v.value()
                            + "' is not a Flyway version: write the version of the last"
                            + " migration that is history, e.g. \"42\" or \"1.2.3\""));
    YamlMap.Scalar reason =
        b.string("reason")
            .orElseThrow(
                () ->
                    b.error(
                        null,
                        "'"
                            + b.qualify("reason")
                            + "' is required: say who reviewed the history and why it is"
                            + " accepted"));
    if (reason.value().isBlank()) {
      throw new ConfigException(b.file(), reason.line(), reason.key(), "reason must not be empty");
    }
    String sha256 = null;
    Optional<YamlMap.Scalar> digest = b.string(SHA256_KEY);
    if (digest.isPresent()) {
      sha256 = digest.get().value().trim().toLowerCase(Locale.ROOT);
      if (!sha256.matches("[0-9a-f]{64}")) {
        throw new ConfigException(
            b.file(),
            digest.get().line(),
            digest.get().key(),
            "'"
                + digest.get().value()
                + "' is not a SHA-256 (64 hex digits): write the digest of the reviewed history"
                + " that 'prodguard lint' names");
      }
    }
    b.finish("version", "reason", SHA256_KEY);
    return new Baseline(id, reason.value().trim(), sha256, b.file(), b.line());
  }

  private static Level level(YamlMap m, String rule, YamlMap.Scalar s, List<String> forbidden) {
    Optional<? extends RuleInfo> info =
        RuleRegistry.of("lint").rules().stream().filter(r -> r.id().equals(rule)).findFirst();
    if (info.isEmpty()) {
      List<String> lint = RuleRegistry.of("lint").rules().stream().map(RuleInfo::id).toList();
      throw m.error(
          rule,
          RuleIds.known(rule)
              ? "rule '"
                  + rule
                  + "' is a trace rule: 'severity' sets lint rules only; a trace finding is"
                  + " made an error by 'forbidden' or by the limits of 'trace:'"
              : "unknown rule '" + rule + "' (lint rules: " + String.join(", ", lint) + ")");
    }
    Level level;
    try {
      level = Level.valueOf(s.value().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          m.file(),
          s.line(),
          s.key(),
          "'" + s.value() + "' is not a severity: write off, warning or error");
    }
    if (forbidden.contains(rule)) {
      throw m.error(
          rule,
          "rule '"
              + rule
              + "' is forbidden: its severity is not the contract's to lower; cover one"
              + " migration's finding with an entry in 'exceptions', or remove the rule from"
              + " 'forbidden'");
    }
    boolean failClosed =
        info.get().defaultSeverity() == Severity.ERROR
            || RuleIds.ALWAYS_ERROR_ON_PROTECTED.contains(rule)
            || RuleIds.NOT_COVERABLE.contains(rule);
    if (failClosed && level != Level.ERROR) {
      throw m.error(
          rule,
          "rule '"
              + rule
              + "' fails closed (an error on protected environments whatever the contract"
              + " says): it cannot be set to "
              + level.id());
    }
    return level;
  }
}
