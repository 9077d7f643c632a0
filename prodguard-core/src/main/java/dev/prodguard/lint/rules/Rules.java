package dev.prodguard.lint.rules;

import java.util.List;
import java.util.Optional;

/** Every rule of {@code prodguard lint}, in documentation order. */
public final class Rules {
  private static final List<Rule> ALL =
      List.of(
          new DropDatabaseRule(),
          new DropSchemaRule(),
          new DropCascadeRule(),
          new DropTableRule(),
          new DropColumnRule(),
          new TruncateRule(),
          new DeleteWithoutWhereRule(),
          new UpdateWithoutWhereRule(),
          new AlterColumnTypeRule(),
          new RenameTableRule(),
          new RenameColumnRule(),
          new GrantRule(),
          new RevokeRule(),
          new UnknownStatementRule(),
          new DynamicSqlRule(),
          new ProtectedTableWriteRule(),
          new TransactionControlRule(),
          new ImplicitCommitRule(),
          new ProdguardObjectsRule(),
          new AddNotNullColumnWithoutDefaultRule(),
          new CreateIndexNotConcurrentlyRule(),
          new DropIndexNotConcurrentlyRule(),
          new AddConstraintWithoutNotValidRule(),
          new SetNotNullRule());

  private Rules() {}

  public static List<Rule> all() {
    return ALL;
  }

  public static Optional<Rule> byId(String id) {
    return ALL.stream().filter(r -> r.id().equals(id)).findFirst();
  }
}
