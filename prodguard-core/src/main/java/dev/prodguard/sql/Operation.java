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
 */
public record Operation(
    OpKind kind,
    SqlStatement statement,
    String target,
    String column,
    List<String> columns,
    Set<Flag> flags,
    String detail) {

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
    IN_BODY
  }

  public Operation {
    columns = columns == null ? List.of() : List.copyOf(columns);
    java.util.EnumSet<Flag> f = java.util.EnumSet.noneOf(Flag.class);
    if (flags != null) {
      f.addAll(flags);
    }
    flags = java.util.Collections.unmodifiableSet(f); // enum order: stable output
  }

  public boolean has(Flag flag) {
    return flags.contains(flag);
  }

  public static Operation of(OpKind kind, SqlStatement statement, String target) {
    return new Operation(kind, statement, target, null, List.of(), Set.of(), null);
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
