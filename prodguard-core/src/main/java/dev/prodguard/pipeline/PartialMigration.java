package dev.prodguard.pipeline;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.sql.Classifier;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.SourceFile;
import dev.prodguard.sql.Splitter;
import dev.prodguard.sql.SqlStatement;
import dev.prodguard.sql.SqlSyntax;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * G7: the account of a migration that failed half-way where the server kept what ran before the
 * failure: MariaDB commits every DDL statement (and what ran before it) on its own, and a migration
 * Flyway ran outside a transaction commits each statement. Lists, by {@code file:line} and a short
 * head (never the values a statement carries), what stayed applied, the statement that failed and
 * what never ran, then the way forward.
 */
final class PartialMigration {
  private PartialMigration() {}

  /** DDL MariaDB commits implicitly (with everything before it); temporary tables excepted. */
  private static final Pattern COMMITTING =
      Pattern.compile(
          "(?i)^(?:CREATE|ALTER|DROP|RENAME|TRUNCATE|GRANT|REVOKE|LOCK\\s+TABLES)\\b"
              + "(?!\\s+TEMPORARY\\b)");

  /** Where a statement's head ends: before its values, its SET list, its condition or a query. */
  private static final Pattern HEAD_END =
      Pattern.compile("(?i)\\s(?:VALUES|VALUE|SET|WHERE|SELECT|AS)\\b|'|\"|\\$\\$");

  /**
   * The account, or empty when the failed line is not inside the script's statements.
   *
   * @param transactionalDdl whether the server's DDL runs inside a transaction (PostgreSQL) or
   *     commits itself and what ran before it (MariaDB)
   * @param shown the script as the user knows it (its path in the repository)
   * @param text the script's text
   * @param failedLine 1-based line of the failed statement, as the engine reports it
   * @param inTransaction whether the engine ran the migration in a transaction (row changes after
   *     the last implicit commit are rolled back with it)
   * @param history the history table the engine writes to
   * @param backup what to restore ({@code restore the backup PATH (sha256 ...)}), from the run
   * @param address the environment's address for {@code prodguard repair}
   */
  static Optional<String> account(
      DatabaseKind kind,
      boolean transactionalDdl,
      String shown,
      String text,
      int failedLine,
      boolean inTransaction,
      String history,
      Optional<String> backup,
      String address) {
    List<SqlStatement> all =
        new Splitter(SqlSyntax.of(kind))
            .split(new SourceFile(shown, text)).stream().filter(s -> !s.text().isBlank()).toList();
    int failed = -1;
    for (int i = 0; i < all.size(); i++) {
      SqlStatement s = all.get(i);
      int last = s.line() + (int) s.text().chars().filter(c -> c == '\n').count();
      if (failedLine >= s.line() && failedLine <= last) {
        failed = i;
        break;
      }
    }
    if (failed < 0) {
      return Optional.empty();
    }
    // a statement before the failure stays when it commits itself, when a later one before the
    // failure commits it, or when nothing ran in a transaction
    int lastCommit = -1;
    for (int i = 0; i < failed; i++) {
      if (!inTransaction || !transactionalDdl && commits(all.get(i))) {
        lastCommit = i;
      }
    }
    // MySQL/MariaDB commit before a statement that commits implicitly runs: a DDL statement that
    // failed once running has committed what ran before it (one the server could not parse has
    // not; counted as committed, the reading that does not promise a rollback)
    boolean failedCommits = inTransaction && !transactionalDdl && commits(all.get(failed));
    if (failedCommits) {
      lastCommit = failed - 1;
    }
    // a block, a CALL or a routine can commit part of its own work before it fails: a COMMIT in
    // it (PostgreSQL, outside a transaction) or a DDL statement it runs (MariaDB's implicit commit)
    Optional<String> failedInPart =
        inTransaction && transactionalDdl ? Optional.empty() : mayCommitPart(kind, all.get(failed));
    if (inTransaction && lastCommit < 0 && failedInPart.isEmpty()) {
      return Optional.empty(); // nothing stayed: the migration's transaction was rolled back
    }
    StringBuilder b = new StringBuilder();
    b.append("\n")
        .append(shown)
        .append(" failed half-way: ")
        .append(
            !transactionalDdl && inTransaction
                ? kind.label()
                    + " commits each DDL statement (and what ran before it) on its own, so"
                    + " Flyway's rollback could not undo them"
                : "it ran outside a transaction, so each statement was committed as it ran")
        .append(
            failedCommits
                ? " (the failed statement commits what ran before it once it starts)"
                : "")
        .append(".\n  applied and committed, not rolled back:");
    if (lastCommit < 0) {
      b.append(" none");
    }
    for (int i = 0; i <= lastCommit; i++) {
      b.append("\n    ").append(at(shown, all.get(i)));
    }
    if (lastCommit < failed - 1) {
      b.append("\n  rolled back with the failed statement's transaction:");
      for (int i = lastCommit + 1; i < failed; i++) {
        b.append("\n    ").append(at(shown, all.get(i)));
      }
    }
    b.append("\n  failed: ").append(at(shown, all.get(failed)));
    failedInPart.ifPresent(
        why ->
            b.append("\n    it may have committed part of its work before it failed (")
                .append(why.replaceFirst(" \\(.*\\)$", ""))
                .append(" can COMMIT or run DDL): check what it changed"));
    b.append("\n  not run:");
    if (failed == all.size() - 1) {
      b.append(" none");
    }
    for (int i = failed + 1; i < all.size(); i++) {
      b.append("\n    ").append(at(shown, all.get(i)));
    }
    String name = shown.substring(shown.lastIndexOf('/') + 1);
    b.append("\nFlyway recorded ")
        .append(name)
        .append(" as failed in ")
        .append(history)
        .append(" and refuses to migrate past that row. The way forward: ")
        .append(backup.map(r -> "either " + r + " and deploy the fixed file again; or ").orElse(""))
        .append(
            "keep what stayed: change "
                + name
                + " to do only what did not run (or undo what stayed first), then from CI 'prodguard"
                + " repair "
                + address
                + " --reason \"...\"', which removes only the failed row, and deploy.");
    return Optional.of(b.toString());
  }

  /**
   * Why {@code st} is not provably atomic (the server may keep part of it when it fails), or empty
   * when it is one plain statement (DDL or a row change) that the server undoes as a whole. Fails
   * closed: a {@code CALL}, a {@code DO} or {@code BEGIN NOT ATOMIC} block, a call of a routine, a
   * statement that runs a routine's body, dynamic SQL, transaction control, or a statement
   * prodguard cannot read. The text ends with {@code (file:line)}.
   */
  static Optional<String> mayCommitPart(DatabaseKind kind, SqlStatement st) {
    String where = " (" + st.file() + ":" + st.line() + ")";
    List<Operation> ops;
    try {
      ops = new Classifier(SqlSyntax.of(kind)).classify(st);
    } catch (RuntimeException e) {
      return Optional.of("a statement prodguard cannot read" + where);
    }
    if (ops.isEmpty()) {
      return Optional.of("a statement prodguard cannot read" + where);
    }
    for (Operation op : ops) {
      if (op.has(Operation.Flag.DEFERRED)) {
        continue; // a body being defined, not run
      }
      String what =
          switch (op.kind()) {
            case CALL -> "its CALL of " + (op.target() == null ? "a procedure" : op.target());
            case DO_BLOCK -> "its DO / BEGIN NOT ATOMIC block";
            case FUNCTION_CALL ->
                "its call of the routine " + (op.target() == null ? "?" : op.target());
            case DYNAMIC_SQL -> "its dynamic SQL";
            case TRANSACTION -> "its transaction control";
            case UNKNOWN -> "a statement prodguard cannot read";
            default -> op.has(Operation.Flag.IN_BODY) ? "the routine body it runs" : null;
          };
      if (what != null) {
        return Optional.of(what + where);
      }
    }
    return Optional.empty();
  }

  private static boolean commits(SqlStatement s) {
    return COMMITTING.matcher(s.text().strip()).find();
  }

  /** {@code path:line HEAD}: the statement's first words, cut before any value it carries. */
  static String at(String shown, SqlStatement s) {
    String t = s.text().strip().replaceAll("\\s+", " ");
    java.util.regex.Matcher m = HEAD_END.matcher(t);
    if (m.find() && m.start() > 0) {
      t = t.substring(0, m.start()).strip() + " ...";
    }
    if (t.length() > 70) {
      t = t.substring(0, 67) + "...";
    }
    return shown + ":" + s.line() + "  " + t.toUpperCase(Locale.ROOT).charAt(0) + t.substring(1);
  }

  /** The text of a migration file (UTF-8, as the engine reads it). */
  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
