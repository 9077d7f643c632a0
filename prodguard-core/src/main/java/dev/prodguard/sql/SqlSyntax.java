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
      Feature.NUMERIC_JUNK_IS_ERROR),
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
    DELIMITER_COMMAND
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
    this.dollarInIdentifiers = f.contains(Feature.DOLLAR_IN_IDENTIFIERS);
    this.verticalTabIsSpace = f.contains(Feature.VERTICAL_TAB_IS_SPACE);
  }

  public static SqlSyntax of(DatabaseKind kind) {
    return kind == DatabaseKind.POSTGRESQL ? POSTGRESQL : MYSQL;
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
