package dev.prodguard.sql;

import java.util.List;
import java.util.Set;

/**
 * One thing a statement does, with its target.
 *
 * @param statement where it happens (for a routine body, the inner statement)
 * @param target the object acted on, lower-case and schema-qualified as written ({@code
 *     app.users}); null when there is none
 * @param column the column for column-level operations, else null
 * @param columns for UPDATE the assigned columns, for INSERT the listed ones
 * @param flags details such as {@link Flag#CONCURRENTLY} or {@link Flag#HAS_WHERE}
 * @param detail a short free-text note (e.g. the constraint kind or why it is unknown)
 * @param via where the operation comes from when the statement does not say it itself, e.g. {@code
 *     MERGE WHEN MATCHED THEN DELETE}, {@code in wipe(), run by this statement}, {@code action of
 *     rule r on t}; null otherwise
 */
public record Operation(
    OpKind kind,
    SqlStatement statement,
    String target,
    String column,
    List<String> columns,
    Set<Flag> flags,
    String detail,
    String via) {

  public enum Flag {
    CONCURRENTLY,
    CASCADE,
    HAS_WHERE,
    NOT_NULL,
    HAS_DEFAULT,
    NOT_VALID,
    FOREIGN_KEY,
    CHECK,
    UNIQUE_OR_PRIMARY,
    USING_INDEX,
    IF_EXISTS,
    /** Inside a routine body (runs when called, or at once for DO). */
    IN_BODY,
    /**
     * Inside the body of a function, procedure, trigger, event or rule: it runs when the routine is
     * called or the event fires, not when this statement runs (a DO block's body runs at once).
     */
    DEFERRED,
    /** A call of a routine whose body prodguard has not seen: what it does is unknown. */
    OPAQUE,
    /**
     * MariaDB: the statement commits implicitly (DDL), so what the statements before it in the same
     * migration did stays even if a later one fails.
     */
    IMPLICIT_COMMIT,
    /**
     * The statement rewrites or copies the whole table (or its partitions) while holding a lock
     * that blocks writes: a volatile default, a serial or identity column, SET LOGGED, MariaDB's
     * ALGORITHM=COPY, ... (the operation's detail says which).
     */
    REWRITE,
    /**
     * {@code CREATE TEMPORARY TABLE} (or PostgreSQL's {@code SELECT ... INTO TEMP}, a table in
     * {@code pg_temp}): it shadows a table of the same name until the session drops it ({@code
     * DISCARD}, {@code ON COMMIT DROP}, {@code DROP}, a changed search path), so later statements
     * naming it may write either table.
     */
    TEMPORARY,
    /**
     * MariaDB: the statement's implicit commit commits row changes made before it in the same
     * migration, which DDL cannot be removed to avoid (transaction-control's fix says so).
     */
    COMMITS_ROW_CHANGES,
    /**
     * The statement may move a sequence (or an identity column's) back: {@code ALTER SEQUENCE ...
     * RESTART}, PostgreSQL's {@code ALTER TABLE ... ALTER COLUMN ... RESTART} and {@code setval}
     * with a constant value. Values it hands out next may be keys the table already holds.
     */
    RESTARTS_SEQUENCE
  }

  public Operation {
    columns = columns == null ? List.of() : List.copyOf(columns);
    java.util.EnumSet<Flag> f = java.util.EnumSet.noneOf(Flag.class);
    if (flags != null) {
      f.addAll(flags);
    }
    flags = java.util.Collections.unmodifiableSet(f); // enum order: stable output
  }

  public Operation(
      OpKind kind,
      SqlStatement statement,
      String target,
      String column,
      List<String> columns,
      Set<Flag> flags,
      String detail) {
    this(kind, statement, target, column, columns, flags, detail, null);
  }

  public boolean has(Flag flag) {
    return flags.contains(flag);
  }

  public static Operation of(OpKind kind, SqlStatement statement, String target) {
    return new Operation(kind, statement, target, null, List.of(), Set.of(), null, null);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(kind.name().toLowerCase().replace('_', '-'));
    if (target != null) {
      sb.append(' ').append(target);
    }
    if (column != null) {
      sb.append('.').append(column);
    }
    if (!columns.isEmpty()) {
      sb.append(' ').append(columns);
    }
    if (!flags.isEmpty()) {
      sb.append(' ').append(flags);
    }
    return sb.toString();
  }
}
