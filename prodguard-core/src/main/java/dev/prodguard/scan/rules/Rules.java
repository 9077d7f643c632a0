package dev.prodguard.scan.rules;

import dev.prodguard.scan.Rule;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Every rule of {@code prodguard scan}, in documentation order. */
public final class Rules {
  private Rules() {}

  public static List<Rule> all() {
    return List.of(
        new BypassFlag(),
        new CiTrueOutsideCi(),
        new DirectMigrationCall(),
        new ProtectedUrlReference(),
        new FlywayUnsafeSetting(),
        new SchemaGeneration(),
        new CommittedCredentials(),
        new ProdguardIntegrity(),
        new UnusedScanException());
  }

  public static Set<String> ids() {
    return all().stream().map(Rule::id).collect(Collectors.toUnmodifiableSet());
  }

  public static Optional<Rule> byId(String id) {
    return all().stream().filter(r -> r.id().equals(id)).findFirst();
  }
}
