package org.tickets.legacy;

import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.resolver.Context;
import org.flywaydb.core.api.resolver.MigrationResolver;
import org.flywaydb.core.api.resolver.ResolvedMigration;

/** Mentions JavaMigration only in a comment and is a resolver, not a JavaMigration. */
public class Resolver implements MigrationResolver {
  public Collection<ResolvedMigration> resolveMigrations(Context context) {
    return List.of();
  }
}
