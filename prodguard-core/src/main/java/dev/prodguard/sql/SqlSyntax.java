package dev.prodguard.sql;

import dev.prodguard.dialect.Dialect;

/**
 * The lexical differences between PostgreSQL and MySQL/MariaDB that the splitter and the tokenizer
 * need, in one place.
 */
public enum SqlSyntax {
  POSTGRESQL(true, true, false, false, false, false),
  MYSQL(false, false, true, true, true, true);

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

  SqlSyntax(
      boolean dollarQuotes,
      boolean nestedComments,
      boolean mysqlComments,
      boolean backslashEscapes,
      boolean doubleQuotedStrings,
      boolean delimiterCommand) {
    this.dollarQuotes = dollarQuotes;
    this.nestedComments = nestedComments;
    this.mysqlComments = mysqlComments;
    this.backslashEscapes = backslashEscapes;
    this.doubleQuotedStrings = doubleQuotedStrings;
    this.delimiterCommand = delimiterCommand;
  }

  public static SqlSyntax of(Dialect.Kind kind) {
    return kind == Dialect.Kind.POSTGRESQL ? POSTGRESQL : MYSQL;
  }

  public Dialect.Kind kind() {
    return this == POSTGRESQL ? Dialect.Kind.POSTGRESQL : Dialect.Kind.MARIADB;
  }
}
