package dev.prodguard.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The statements of prodguard's Flyway callback (G6), per server family, and whether SQL text
 * really runs one of them.
 *
 * <p>The callback calls {@code prodguard_assert_deploy()} only where prodguard has set the database
 * up: a developer's fresh database, a project's own integration tests and a Testcontainers database
 * never ran {@code init-fingerprint}, have none of prodguard's objects, and migrate with plain
 * Flyway as if the callback were not there. Where any of them exists the call is made, and fails
 * unless the session is an approved deploy's (or the environment is not protected):
 *
 * <ul>
 *   <li>PostgreSQL: a {@code DO} block that looks for the function and prodguard's tables in the
 *       whole database ({@code pg_catalog}, readable by every role, whatever the {@code
 *       search_path}): a protected database's function that the session's {@code search_path} does
 *       not reach is still called, and fails ("does not exist") instead of being skipped;
 *   <li>MySQL/MariaDB: the call is prepared from a count in {@code information_schema} of the
 *       procedure and prodguard's tables in the current database ({@code DO 0} when there are
 *       none); {@code PREPARE} works on both servers, where a compound statement would not.
 * </ul>
 *
 * The branch cannot be used to skip the check on a protected database: it is taken only where no
 * prodguard object exists, and dropping them is DDL, which the DDL guard (PostgreSQL) or the role
 * split (MySQL/MariaDB) refuses outside a deploy; behind the callback the history guard still
 * refuses the migration's history row. The earlier text, one unconditional call, is still read as
 * calling the assert.
 */
public final class AssertCallSql {
  private AssertCallSql() {}

  private static final java.util.regex.Pattern AROUND_PUNCTUATION =
      java.util.regex.Pattern.compile(" ?([(),]) ?");

  /** prodguard's tables whose presence says the database was set up (PostgreSQL: anywhere). */
  private static final String TABLES = "('prodguard_guard_config', 'prodguard_run')";

  /** PostgreSQL: one {@code DO} statement, without its final semicolon. */
  public static final String POSTGRESQL =
      "DO $$\n"
          + "BEGIN\n"
          + "  IF EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = 'prodguard_assert_deploy')\n"
          + "      OR EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relname IN "
          + TABLES
          + ") THEN\n"
          + "    PERFORM prodguard_assert_deploy();\n"
          + "  END IF;\n"
          + "END\n"
          + "$$";

  /** MySQL/MariaDB: four statements, without the last one's semicolon. */
  public static final String MARIADB =
      "SET @prodguard_assert = IF(\n"
          + "  (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()\n"
          + "     AND ROUTINE_NAME = 'prodguard_assert_deploy')\n"
          + "  + (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()\n"
          + "     AND TABLE_NAME IN "
          + TABLES
          + ") = 0,\n"
          + "  'DO 0', 'CALL prodguard_assert_deploy()');\n"
          + "PREPARE prodguard_assert FROM @prodguard_assert;\n"
          + "EXECUTE prodguard_assert;\n"
          + "DEALLOCATE PREPARE prodguard_assert";

  /** What counts as calling the assert: each a run of consecutive statements, normalised. */
  private static final List<List<String>> CALLS =
      List.of(
          statements(POSTGRESQL),
          statements(MARIADB),
          List.of("select prodguard_assert_deploy()"),
          List.of("call prodguard_assert_deploy()"));

  /**
   * Whether {@code sql} runs the assert on every migration it precedes: it holds, as consecutive
   * statements outside comments and string literals, either the unconditional call ({@code SELECT
   * prodguard_assert_deploy()}, {@code CALL prodguard_assert_deploy()}) or exactly one of the
   * conditional forms above (spacing and case aside). A call inside a condition of one's own, in a
   * comment or in a string is not one.
   */
  public static boolean calls(String sql) {
    List<String> statements = statements(sql);
    for (List<String> call : CALLS) {
      for (int i = 0; i + call.size() <= statements.size(); i++) {
        if (statements.subList(i, i + call.size()).equals(call)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether {@code sql} is the call and nothing else (comments aside): one of the texts {@link
   * #calls} finds, with no statement before or after it.
   */
  public static boolean onlyCalls(String sql) {
    return CALLS.contains(statements(sql));
  }

  /**
   * The top-level statements of {@code sql}: split at semicolons outside quotes ({@code '...'},
   * {@code "..."}, {@code `...`}, PostgreSQL's {@code $tag$...$tag$}) and comments, comments
   * dropped, runs of white space made one space, lower case outside quotes; empty ones left out.
   */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
        space(cur);
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        space(cur);
      } else if (c == '\'' || c == '"' || c == '`') {
        int end = i + 1;
        while (end < n) {
          if (sql.charAt(end) == '\\' && c != '`') {
            end += 2;
            continue;
          }
          if (sql.charAt(end) == c) {
            if (end + 1 < n && sql.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        end = Math.min(end + 1, n);
        cur.append(sql, i, end);
        i = end;
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int end = sql.indexOf(tag, i + tag.length());
        end = end < 0 ? n : end + tag.length();
        // the body is code (a DO block): normalised like the rest, kept whole
        String body =
            sql.substring(i + tag.length(), Math.max(i + tag.length(), end - tag.length()));
        cur.append(tag).append(normalise(body)).append(tag);
        i = end;
      } else if (c == ';') {
        add(out, cur);
        i++;
      } else if (Character.isWhitespace(c)) {
        space(cur);
        i++;
      } else {
        cur.append(Character.toLowerCase(c));
        i++;
      }
    }
    add(out, cur);
    return out;
  }

  /** A dollar-quoted body, normalised as a whole (its own statements joined by "; "). */
  private static String normalise(String body) {
    return " " + String.join("; ", statements(body)) + "; ";
  }

  private static String dollarTag(String sql, int at) {
    int end = at + 1;
    while (end < sql.length()
        && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
      end++;
    }
    if (end < sql.length() && sql.charAt(end) == '$') {
      String tag = sql.substring(at, end + 1);
      return tag.length() > 2 && Character.isDigit(tag.charAt(1)) ? null : tag;
    }
    return null;
  }

  private static void space(StringBuilder cur) {
    if (cur.length() > 0 && cur.charAt(cur.length() - 1) != ' ') {
      cur.append(' ');
    }
  }

  private static void add(List<String> out, StringBuilder cur) {
    String s =
        AROUND_PUNCTUATION.matcher(cur.toString().trim()).replaceAll("$1").toLowerCase(Locale.ROOT);
    if (!s.isEmpty()) {
      out.add(s);
    }
    cur.setLength(0);
  }
}
