package dev.prodguard.sql;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * G4 for trace: whether an {@code UPDATE} or {@code DELETE} of a table writes every row of it
 * although it has a {@code WHERE}, judged with the NOT NULL columns the database's catalog declares
 * for the table at that statement ({@code pg_attribute.attnotnull}), which lint cannot know when
 * the migrations did not declare them (a table made before the first migration, a baseline). {@code
 * WHERE queue_name IS NOT NULL} of a primary-key column, {@code WHERE NOT (created_on IS NULL)} of
 * a NOT NULL one, and every condition {@link Predicate} proves true for every row, read as lint
 * reads it.
 */
public final class EveryRowWhere {
  private EveryRowWhere() {}

  /**
   * What the statement does to every row of its table.
   *
   * @param rule {@code delete-without-where} or {@code update-without-where}: the lint rule whose
   *     finding it is
   * @param byCatalog the WHERE holds for every row only by the catalog's NOT NULL facts:
   *     prodguard's reading of the text alone took it as a real condition (lint reports the others
   *     itself)
   * @param reason why the WHERE counts as none, for the message; null when not said
   */
  public record Judgement(String rule, boolean byCatalog, String reason) {}

  /**
   * Judges {@code statement} ({@code syntax}'s SQL, one statement) for {@code table} (its name, as
   * the catalog gives it; matched by its last part, case- and quote-insensitively) whose NOT NULL
   * columns are {@code notNull} (lower-case names): present when a top-level {@code UPDATE} or
   * {@code DELETE} of that table has a WHERE that holds for every row. Empty when it has none of
   * them, when its text has no WHERE at all (trace's {@code trace-every-row-locked} and lint judge
   * that), or when prodguard cannot read it (lint refuses what it cannot read).
   */
  public static Optional<Judgement> judge(
      String statement, SqlSyntax syntax, String table, Set<String> notNull) {
    String name = unquoted(Classifier.lastPart(table));
    SqlStatement st =
        new SqlStatement(new SourceFile("trace", statement), 0, statement.length(), 1, 1, null);
    List<Operation> plain;
    List<Operation> judged;
    try {
      plain = new Classifier(syntax).classify(st, new Routines());
      Routines facts = new Routines();
      notNull.forEach(column -> facts.notNull(name, column, true));
      judged = new Classifier(syntax).classify(st, facts);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (plain.size() != judged.size()) {
      return Optional.empty();
    }
    for (int i = 0; i < judged.size(); i++) {
      Operation op = judged.get(i);
      if ((op.kind() != OpKind.UPDATE && op.kind() != OpKind.DELETE)
          || op.has(Operation.Flag.IN_BODY)
          || op.has(Operation.Flag.DEFERRED)
          || op.target() == null
          || !unquoted(Classifier.lastPart(op.target())).equals(name)
          || op.has(Operation.Flag.HAS_WHERE)
          || !hasWhereWord(statement)) {
        continue;
      }
      return Optional.of(
          new Judgement(
              op.kind() == OpKind.DELETE ? "delete-without-where" : "update-without-where",
              plain.get(i).has(Operation.Flag.HAS_WHERE),
              op.detail()));
    }
    return Optional.empty();
  }

  private static boolean hasWhereWord(String statement) {
    return java.util.regex.Pattern.compile("(?i)\\bWHERE\\b").matcher(statement).find();
  }

  private static String unquoted(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.length() > 1 && (n.startsWith("\"") || n.startsWith("`"))) {
      n = n.substring(1, n.length() - 1);
    }
    return n;
  }
}
