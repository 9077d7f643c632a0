package dev.prodguard.scan.rules;

import dev.prodguard.findings.RuleRegistry;
import dev.prodguard.scan.Rule;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every rule of {@code prodguard scan}, in documentation order: the one list of scan rule ids (also
 * the {@link RuleRegistry} service {@code scan}).
 */
public final class Rules implements RuleRegistry {
  /** The service instance; the rules themselves are {@link #all()}. */
  public Rules() {}

  @Override
  public String tool() {
    return "scan";
  }

  @Override
  public List<Rule> rules() {
    return all();
  }

  public static List<Rule> all() {
    return List.of(
        new BypassFlag(),
        new CiTrueOutsideCi(),
        new DirectMigrationCall(),
        new ProtectedUrlReference(),
        new FlywayUnsafeSetting(),
        new FlywaySettingNotLiteral(),
        new FlywayPlaceholderSyntax(),
        new JavaMigrationOutsideFolders(),
        new SqlMigrationOutsideLocations(),
        new SchemaGeneration(),
        new CommittedCredentials(),
        new ProdguardIntegrity(),
        new UnreadableFile(),
        new CommittedProdguardOutput(),
        new UnusedScanException());
  }

  public static Set<String> ids() {
    return all().stream().map(Rule::id).collect(Collectors.toUnmodifiableSet());
  }

  public static Optional<Rule> byId(String id) {
    return all().stream().filter(r -> r.id().equals(id)).findFirst();
  }
}
