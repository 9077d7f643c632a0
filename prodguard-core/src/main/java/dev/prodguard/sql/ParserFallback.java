package dev.prodguard.sql;

import dev.prodguard.sql.Operation.Flag;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;

/**
 * JSqlParser for what the recogniser does not know. Only statements whose effect JSqlParser pins
 * down (queries and plain DML) are accepted; anything else stays unknown: fail closed.
 */
final class ParserFallback {
  interface Sink {
    void add(
        OpKind kind,
        String target,
        String column,
        List<String> columns,
        Set<Flag> flags,
        String detail);
  }

  /** One daemon thread: JSqlParser's own time limit runs the parse there. */
  private static final ExecutorService EXECUTOR =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "prodguard-sql-parser");
            t.setDaemon(true);
            return t;
          });

  private final SqlSyntax syntax;

  ParserFallback(SqlSyntax syntax) {
    this.syntax = syntax;
  }

  void classify(SqlStatement s, Sink sink, Consumer<String> unknown) {
    String text = s.text();
    if (text.length() > 100_000) {
      unknown.accept("not recognised, and too long for the SQL parser");
      return;
    }
    Statement st;
    try {
      st =
          CCJSqlParserUtil.parse(
              text,
              EXECUTOR,
              parser -> {
                parser.withTimeOut(2_000);
                if (syntax == SqlSyntax.MYSQL) {
                  parser.withBackslashEscapeCharacter(true);
                }
              });
    } catch (JSQLParserException | RuntimeException e) {
      unknown.accept("not recognised by prodguard or the SQL parser");
      return;
    }
    if (st instanceof Select) {
      sink.add(OpKind.SELECT, null, null, null, null, "parsed");
    } else if (st instanceof Insert i) {
      sink.add(OpKind.INSERT, name(i.getTable()), null, null, null, "parsed");
    } else if (st instanceof Upsert u) {
      sink.add(OpKind.INSERT, name(u.getTable()), null, null, null, "parsed");
    } else if (st instanceof Update u) {
      sink.add(OpKind.UPDATE, name(u.getTable()), null, null, where(u.getWhere()), "parsed");
    } else if (st instanceof Delete d) {
      sink.add(OpKind.DELETE, name(d.getTable()), null, null, where(d.getWhere()), "parsed");
    } else if (st instanceof Merge) {
      unknown.accept("a MERGE whose target and branches prodguard cannot read");
    } else {
      unknown.accept(
          "parsed as " + st.getClass().getSimpleName() + ", whose effect prodguard does not judge");
    }
  }

  /** HAS_WHERE unless there is no condition or it holds for every row. */
  private Set<Flag> where(net.sf.jsqlparser.expression.Expression condition) {
    return condition == null || Predicate.alwaysTrue(condition.toString(), syntax)
        ? null
        : EnumSet.of(Flag.HAS_WHERE);
  }

  private static String name(net.sf.jsqlparser.schema.Table t) {
    return t == null
        ? null
        : t.getFullyQualifiedName().replace("\"", "").replace("`", "").toLowerCase();
  }
}
