package dev.prodguard.lint.rules;

import dev.prodguard.findings.RuleInfo;
import dev.prodguard.findings.RuleRegistry;
import dev.prodguard.findings.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every rule of {@code prodguard lint}, in documentation order: the one list of lint rule ids (the
 * contract reads it as the {@link RuleRegistry} service {@code lint}).
 */
public final class Rules implements RuleRegistry {
  /** The guarantee lint serves. */
  public static final String GUARANTEE = "G4";

  /** The linter's own check of the contract: an exception that covers nothing. */
  public static final RuleInfo CONTRACT_EXCEPTION_UNUSED =
      RuleInfo.of(
          "contract-exception-unused",
          Severity.ERROR,
          GUARANTEE,
          "A contract exception that covers no finding hides future changes.",
          "A contract exception that covers no finding hides future changes.",
          "Delete the entry from the contract, or correct its migration or rule.");

  /**
   * A migration the migration tool or the server will certainly refuse at deploy, whatever the
   * database holds (G7: refused before any backup): a placeholder without a value, transactional
   * and non-transactional statements mixed in one Flyway migration, a statement that cannot run
   * inside a transaction in a migration Flyway runs in one, a file name Flyway refuses. An error on
   * every environment; no contract entry can cover it.
   */
  public static final RuleInfo DEPLOY_WILL_FAIL =
      RuleInfo.of(
          "deploy-will-fail",
          Severity.ERROR,
          "G7",
          "The migration tool or the server will refuse this migration at deploy.",
          "Flyway or the server will certainly refuse this migration at deploy (a placeholder"
              + " without a value, transactional and non-transactional statements in one file, a"
              + " statement that cannot run inside a transaction, a file name Flyway refuses):"
              + " caught before the backup instead of after it.",
          "Fix the file as the finding says; the fix is never a contract entry.");

  /**
   * A callback the migration tool runs on every migrate, nothing pending included (Flyway: {@code
   * afterMigrate}, {@code beforeMigrate}, {@code beforeValidate}, ...), that changes the schema. On
   * a protected environment that DDL is refused outside a prodguard deploy (G6: the DDL guard, the
   * role split), so an application that migrates at start-up fails at its next start, with nothing
   * pending. An error on protected environments; not reported for unprotected ones, which G6 does
   * not guard. No contract entry covers it (a callback is no migration).
   */
  public static final RuleInfo EVERY_MIGRATE_CALLBACK_DDL =
      RuleInfo.of(
          "every-migrate-callback-ddl",
          Severity.ERROR,
          "G6",
          "A callback that runs on every migrate changes the schema, which G6 refuses outside a"
              + " deploy.",
          "Flyway runs this callback on every migrate, also with nothing pending: an application's"
              + " start-up migration, a developer's flyway validate or info. On a protected"
              + " environment its schema changes are refused outside a prodguard deploy (G6: the"
              + " DDL guard, the role split), so the application fails at its next start.",
          "Rename it to an afterMigrateApplied callback (afterMigrateApplied__x.sql: runs only"
              + " after a migrate that applied something, i.e. inside prodguard's deploy) or an"
              + " afterEachMigrate one, or move the statements into a migration (a repeatable"
              + " R__x.sql runs again whenever it changes).");

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
          new SequenceRestartRule(),
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
          new SetNotNullRule(),
          new UniqueConstraintWithoutIndexRule(),
          new TableRewriteRule(),
          new ReindexNotConcurrentlyRule(),
          new DetachPartitionNotConcurrentlyRule(),
          new IdentifierTooLongRule());

  /** The service instance; the rules themselves are {@link #all()}. */
  public Rules() {}

  @Override
  public String tool() {
    return "lint";
  }

  @Override
  public List<Rule> rules() {
    return ALL;
  }

  @Override
  public List<RuleInfo> reported() {
    List<RuleInfo> out = new ArrayList<>(ALL);
    out.add(CONTRACT_EXCEPTION_UNUSED);
    out.add(DEPLOY_WILL_FAIL);
    out.add(EVERY_MIGRATE_CALLBACK_DDL);
    out.add(EveryMigrateCallbackWriteRule.INFO);
    out.add(ErrorCallbackChangeRule.INFO);
    out.add(CallbackPlaceholderRule.INFO);
    return out;
  }

  public static List<Rule> all() {
    return ALL;
  }

  public static Optional<Rule> byId(String id) {
    return ALL.stream().filter(r -> r.id().equals(id)).findFirst();
  }
}
