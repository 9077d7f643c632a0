package dev.prodguard.sql;

import dev.prodguard.db.DatabaseKind;
import java.util.EnumSet;
import java.util.Set;

/**
 * What each server's own scanner allows, in one place: the splitter and the lexer ask these flags
 * and never test for a dialect. The rules come from PostgreSQL's {@code src/backend/parser/scan.l},
 * MariaDB's {@code sql/sql_lex.cc} and Flyway's parsers ({@code DELIMITER}, placeholders); see
 * docs/lint.md. Where a server setting changes how text is read (PostgreSQL's {@code
 * standard_conforming_strings}, MariaDB's {@code NO_BACKSLASH_ESCAPES} and {@code ANSI_QUOTES}),
 * prodguard reads the default and refuses text whose reading the setting would change.
 */
public enum SqlSyntax {
  POSTGRESQL(
      Feature.DOLLAR_QUOTES,
      Feature.NESTED_COMMENTS,
      Feature.CARRIAGE_RETURN_ENDS_LINE_COMMENT,
      Feature.ESCAPE_STRING_PREFIX,
      Feature.NUMERIC_JUNK_IS_ERROR,
      Feature.TRANSACTION_BLOCK_REFUSALS),
  MYSQL(
      Feature.MYSQL_COMMENTS,
      Feature.EXECUTABLE_COMMENTS,
      Feature.BACKSLASH_ESCAPES,
      Feature.DOUBLE_QUOTED_STRINGS,
      Feature.DOLLAR_IN_IDENTIFIERS,
      Feature.VERTICAL_TAB_IS_SPACE,
      Feature.DELIMITER_COMMAND);

  /** One lexical capability. */
  enum Feature {
    /** {@code $tag$ ... $tag$} strings and {@code $1} parameters (PostgreSQL). */
    DOLLAR_QUOTES,
    /** Block comments nest: {@code /* /* *\/ *\/} is one comment (PostgreSQL; not MariaDB). */
    NESTED_COMMENTS,
    /**
     * A {@code --} comment ends at a carriage return as well as a line feed (PostgreSQL: {@code
     * newline [\n\r]}); on MariaDB it runs to the line feed.
     */
    CARRIAGE_RETURN_ENDS_LINE_COMMENT,
    /** {@code E'...'} strings with backslash escapes (PostgreSQL). */
    ESCAPE_STRING_PREFIX,
    /**
     * A number directly followed by a letter ({@code 1abc}) is an error since PostgreSQL 15 and two
     * tokens before it: refused as read differently by server versions.
     */
    NUMERIC_JUNK_IS_ERROR,
    /**
     * MySQL/MariaDB comments and names: backtick identifiers, {@code #} comments, {@code --} only
     * when a space or control character follows.
     */
    MYSQL_COMMENTS,
    /** {@code /*! ... *\/}, {@code /*!NNNNN}, {@code /*M!}, {@code /*M!NNNNNN}: code (MariaDB). */
    EXECUTABLE_COMMENTS,
    /** Backslash escapes in every string ({@code 'it\'s'}); PostgreSQL only in {@code E''}. */
    BACKSLASH_ESCAPES,
    /** {@code "..."} is a string, not an identifier (MariaDB without {@code ANSI_QUOTES}). */
    DOUBLE_QUOTED_STRINGS,
    /** {@code $} may start an unquoted identifier (MariaDB). */
    DOLLAR_IN_IDENTIFIERS,
    /** Vertical tab is whitespace (MariaDB's {@code my_isspace}; not PostgreSQL 15). */
    VERTICAL_TAB_IS_SPACE,
    /** The client-side {@code DELIMITER} command, as Flyway's MySQL parser handles it. */
    DELIMITER_COMMAND,
    /**
     * Some statements refuse to run inside a transaction block (PostgreSQL's {@code
     * PreventInTransactionBlock}: "cannot run inside a transaction block"); MariaDB has none, its
     * DDL commits implicitly.
     */
    TRANSACTION_BLOCK_REFUSALS
  }

  /** {@code $tag$ ... $tag$} strings. */
  final boolean dollarQuotes;

  /** Block comments nest ({@code /* /* *\/ *\/}). */
  final boolean nestedComments;

  /** Backtick-quoted identifiers, {@code #} comments, {@code --} needs a following space. */
  final boolean mysqlComments;

  /** Backslash escapes in every string ({@code 'it\'s'}); PostgreSQL only in {@code E''}. */
  final boolean backslashEscapes;

  /** {@code "..."} is a string, not an identifier. */
  final boolean doubleQuotedStrings;

  /** The client-side {@code DELIMITER} command (Flyway supports it for MySQL). */
  final boolean delimiterCommand;

  /** {@code --} comments end at {@code \r} too. */
  final boolean carriageReturnEndsLineComment;

  /** {@code /*!}, {@code /*M!} comments are code. */
  final boolean executableComments;

  /** {@code E'...'} strings. */
  final boolean escapeStringPrefix;

  /** {@code 1abc}: refused (PostgreSQL 15 rejects it, older versions read two tokens). */
  final boolean numericJunkIsError;

  /** {@code $} starts and continues unquoted identifiers. */
  final boolean dollarInIdentifiers;

  /** {@code \v} is whitespace. */
  final boolean verticalTabIsSpace;

  SqlSyntax(Feature... features) {
    Set<Feature> f = EnumSet.noneOf(Feature.class);
    f.addAll(java.util.List.of(features));
    this.dollarQuotes = f.contains(Feature.DOLLAR_QUOTES);
    this.nestedComments = f.contains(Feature.NESTED_COMMENTS);
    this.mysqlComments = f.contains(Feature.MYSQL_COMMENTS);
    this.backslashEscapes = f.contains(Feature.BACKSLASH_ESCAPES);
    this.doubleQuotedStrings = f.contains(Feature.DOUBLE_QUOTED_STRINGS);
    this.delimiterCommand = f.contains(Feature.DELIMITER_COMMAND);
    this.carriageReturnEndsLineComment = f.contains(Feature.CARRIAGE_RETURN_ENDS_LINE_COMMENT);
    this.executableComments = f.contains(Feature.EXECUTABLE_COMMENTS);
    this.escapeStringPrefix = f.contains(Feature.ESCAPE_STRING_PREFIX);
    this.numericJunkIsError = f.contains(Feature.NUMERIC_JUNK_IS_ERROR);
    this.transactionBlockRefusals = f.contains(Feature.TRANSACTION_BLOCK_REFUSALS);
    this.dollarInIdentifiers = f.contains(Feature.DOLLAR_IN_IDENTIFIERS);
    this.verticalTabIsSpace = f.contains(Feature.VERTICAL_TAB_IS_SPACE);
  }

  /** Statements that refuse to run inside a transaction block. */
  final boolean transactionBlockRefusals;

  /**
   * What the server refuses to run inside a transaction block, from the first words of a
   * statement's code (comments aside, upper case): PostgreSQL's {@code PreventInTransactionBlock}
   * callers ({@code CREATE/DROP DATABASE}, {@code TABLESPACE} and {@code SUBSCRIPTION}, {@code
   * ALTER SYSTEM}, {@code VACUUM}, {@code CREATE/DROP INDEX CONCURRENTLY}, {@code REINDEX ...
   * CONCURRENTLY}, {@code REINDEX SCHEMA/DATABASE/SYSTEM}, {@code ALTER TABLE ... DETACH PARTITION
   * ... CONCURRENTLY}, {@code DISCARD ALL}, a bare {@code CLUSTER}); empty when it may run in one.
   */
  public java.util.Optional<String> refusedInTransaction(java.util.List<String> words) {
    if (!transactionBlockRefusals || words.isEmpty()) {
      return java.util.Optional.empty();
    }
    String w0 = words.get(0);
    String w1 = words.size() > 1 ? words.get(1) : "";
    String w2 = words.size() > 2 ? words.get(2) : "";
    String w3 = words.size() > 3 ? words.get(3) : "";
    String what = null;
    if (w0.equals("VACUUM")) {
      what = "VACUUM";
    } else if (w0.equals("ALTER") && w1.equals("SYSTEM")) {
      what = "ALTER SYSTEM";
    } else if ((w0.equals("CREATE") || w0.equals("DROP"))
        && (w1.equals("DATABASE") || w1.equals("TABLESPACE") || w1.equals("SUBSCRIPTION"))) {
      what = w0 + " " + w1;
    } else if (w0.equals("CREATE")
        && (w1.equals("INDEX") && w2.equals("CONCURRENTLY")
            || w1.equals("UNIQUE") && w2.equals("INDEX") && w3.equals("CONCURRENTLY"))) {
      what = "CREATE INDEX CONCURRENTLY";
    } else if (w0.equals("DROP") && w1.equals("INDEX") && w2.equals("CONCURRENTLY")) {
      what = "DROP INDEX CONCURRENTLY";
    } else if (w0.equals("REINDEX")) {
      if (words.contains("CONCURRENTLY")) {
        what = "REINDEX ... CONCURRENTLY";
      } else if (words.contains("SCHEMA")
          || words.contains("DATABASE")
          || words.contains("SYSTEM")) {
        what = "REINDEX SCHEMA/DATABASE/SYSTEM";
      }
    } else if (w0.equals("ALTER")
        && w1.equals("TABLE")
        && words.contains("DETACH")
        && words.contains("CONCURRENTLY")) {
      what = "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
    } else if (w0.equals("DISCARD") && w1.equals("ALL")) {
      what = "DISCARD ALL";
    } else if (w0.equals("CLUSTER") && words.size() == 1) {
      what = "CLUSTER without a table";
    }
    return java.util.Optional.ofNullable(what);
  }

  public static SqlSyntax of(DatabaseKind kind) {
    return kind == DatabaseKind.POSTGRESQL ? POSTGRESQL : MYSQL;
  }

  /**
   * A {@code --} comment needs a space or control character after it (MySQL/MariaDB): {@code --x}
   * is code there, so a file that uses it as a comment will not run as written.
   */
  public boolean dashCommentNeedsSpace() {
    return mysqlComments;
  }

  public DatabaseKind kind() {
    return this == POSTGRESQL ? DatabaseKind.POSTGRESQL : DatabaseKind.MARIADB;
  }

  /** Whitespace outside strings and comments, as this server reads it. */
  boolean isSpace(char c) {
    return c == ' '
        || c == '\n'
        || c == '\t'
        || c == '\r'
        || c == '\f'
        || (c == '\u000b' && verticalTabIsSpace);
  }
}
