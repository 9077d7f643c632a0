package dev.prodguard.trace;

import dev.prodguard.findings.RuleInfo;
import dev.prodguard.findings.RuleRegistry;
import dev.prodguard.findings.Severity;
import java.util.List;

/**
 * Every rule of {@code prodguard trace} (and of verify's trace), in documentation order: the {@link
 * RuleRegistry} service {@code trace}, so that the contract validates these ids in {@code
 * forbidden} and {@code exceptions} and docs/trace.md lists them. Severities are the defaults; the
 * contract's {@code trace:} limits, {@code protected-tables} and {@code forbidden} raise them
 * ({@link TracePolicy}).
 */
public final class TraceRules implements RuleRegistry {
  static final String GUARANTEE = "G4";

  static final RuleInfo REWRITE =
      RuleInfo.of(
          TraceFindings.REWRITE,
          Severity.WARNING,
          GUARANTEE,
          "The statement rewrote the table (its file node changed) under ACCESS EXCLUSIVE.",
          "PostgreSQL rewrote the whole table (a volatile default, a type change, SET TABLESPACE,"
              + " ...) holding ACCESS EXCLUSIVE: reads and writes wait for as long as writing the"
              + " target's table takes. An error above the contract's trace.max-rewrite-size"
              + " (default 1 GiB).",
          "A new column of the new type with a batched backfill and a switch; a constant default;"
              + " split the change.");
  static final RuleInfo SCAN =
      RuleInfo.of(
          TraceFindings.SCAN,
          Severity.WARNING,
          GUARANTEE,
          "The statement read every row of the table under a lock that blocks writes.",
          "PostgreSQL read every row (SET NOT NULL, a validated constraint) holding a lock that"
              + " blocks writes, or reads and writes, for as long as the scan of the target's table"
              + " takes.",
          "CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL"
              + " 12+ skips the scan).");
  static final RuleInfo VALIDATION =
      RuleInfo.of(
          TraceFindings.VALIDATION,
          Severity.WARNING,
          GUARANTEE,
          "A foreign key or check was added validated: every row read under the statement's lock.",
          "Adding a validated foreign key or check reads every row of the table under SHARE ROW"
              + " EXCLUSIVE or ACCESS EXCLUSIVE: writes wait for the whole validation.",
          "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a migration of its own.");
  static final RuleInfo INDEX =
      RuleInfo.of(
          TraceFindings.INDEX,
          Severity.WARNING,
          GUARANTEE,
          "An index was built inside a transaction, under SHARE: writes wait for the build.",
          "CREATE INDEX without CONCURRENTLY holds SHARE on the table for the whole build: writes"
              + " wait for as long as the build on the target's table takes.",
          "CREATE INDEX CONCURRENTLY in a migration of its own.");
  static final RuleInfo LOCK =
      RuleInfo.of(
          TraceFindings.LOCK,
          Severity.INFO,
          GUARANTEE,
          "The statement took a lock that blocks reads or writes, briefly.",
          "A brief lock that blocks reads or writes still queues every later query on the table"
              + " behind it while it waits for a long transaction ahead of it. An error when it is"
              + " ACCESS EXCLUSIVE on a protected table or above the contract's"
              + " trace.max-access-exclusive-size.",
          "SET lock_timeout before it (pipeline.lock-timeout), so the deploy fails fast instead of"
              + " queueing the application.");
  static final RuleInfo EVERY_ROW =
      RuleInfo.of(
          TraceFindings.EVERY_ROW,
          Severity.WARNING,
          GUARANTEE,
          "The statement updates or deletes every row of a table that holds rows on the target.",
          "An UPDATE or DELETE without a WHERE locks each row of the target's table until the"
              + " migration's transaction commits: every concurrent write to the table waits for"
              + " the whole statement, and it leaves as many dead row versions. The copy holds no"
              + " rows: the count is the target's estimate (rows unknown counts as rows). A WHERE"
              + " is taken as a selection, unless it holds for every row by the NOT NULL columns"
              + " the catalog declares (then delete-without-where or update-without-where is"
              + " reported too); how many rows any other WHERE matches is not judged.",
          "Batches by key ranges, each in a transaction of its own, outside the schema"
              + " migration.");
  static final RuleInfo TRIGGERS =
      RuleInfo.of(
          TraceFindings.TRIGGERS,
          Severity.WARNING,
          GUARANTEE,
          "The statement wrote a table with row triggers that holds rows on the target: the"
              + " triggers' work there was not traced.",
          "The copy holds no rows, so the row triggers of a table an INSERT, UPDATE, DELETE or"
              + " MERGE writes fire for none of the target's rows there: what they do on the target"
              + " (locks, rewrites, other tables) is not known. An error when the contract sets"
              + " trace limits or forbids trace rules.",
          "Review what the triggers do for the rows written; do that work as statements of their"
              + " own, or cover the finding with a reviewed contract exception.");
  static final RuleInfo FAILED =
      RuleInfo.of(
          TraceFindings.FAILED,
          Severity.ERROR,
          GUARANTEE,
          "The statement fails on a copy of the target's schema: the deploy would fail there too.",
          "The statement fails on a copy of the target's schema: the deploy would fail there too,"
              + " after the backup; the trace stops there.",
          "Fix the migration.");
  static final RuleInfo INCOMPLETE =
      RuleInfo.of(
          TraceFindings.INCOMPLETE,
          Severity.ERROR,
          GUARANTEE,
          "Part of the pending migrations could not be traced.",
          "The engine cannot split a file, a statement holds a placeholder without a value, a"
              + " statement needs what the replay never has (a privilege of a superuser, the"
              + " server's files or programs, a foreign table's server), procedural code"
              + " branched on a table that is empty in the copy but holds rows on the target, a"
              + " statement that cannot run in a transaction block has locks prodguard does not"
              + " know, or a callback runs at an event the trace does not replay: what follows was"
              + " not traced, so nothing is known about it (fail closed).",
          "Fix the file or give the placeholder its value (migrations.placeholders); run what"
              + " needs a superuser or another server, or a command whose locks are not known,"
              + " apart from the traced migrations; write the change a data branch makes as plain"
              + " statements, decided before the deploy.");

  private static final List<RuleInfo> ALL =
      List.of(REWRITE, SCAN, VALIDATION, INDEX, LOCK, EVERY_ROW, TRIGGERS, FAILED, INCOMPLETE);

  /** The service instance. */
  public TraceRules() {}

  @Override
  public String tool() {
    return "trace";
  }

  @Override
  public List<RuleInfo> rules() {
    return ALL;
  }
}
