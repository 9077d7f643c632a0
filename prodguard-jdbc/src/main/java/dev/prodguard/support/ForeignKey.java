package dev.prodguard.support;

import java.util.Locale;

/**
 * A foreign key as the server's catalog records it (PostgreSQL {@code pg_constraint}, MySQL/MariaDB
 * {@code information_schema.REFERENTIAL_CONSTRAINTS}): the referencing ("child") table, the
 * referenced ("parent") table and what a DELETE or UPDATE of a parent row does to the child rows.
 * Names are the catalog's, in lower case.
 */
public record ForeignKey(
    String name,
    String childSchema,
    String child,
    String parentSchema,
    String parent,
    Action onDelete,
    Action onUpdate) {

  public ForeignKey {
    childSchema = lower(childSchema);
    child = lower(child);
    parentSchema = lower(parentSchema);
    parent = lower(parent);
  }

  /** The referential action, as SQL spells it. */
  public enum Action {
    NO_ACTION,
    RESTRICT,
    CASCADE,
    SET_NULL,
    SET_DEFAULT;

    /** Whether the action writes the child rows (rather than refusing or doing nothing). */
    public boolean changesChildRows() {
      return this == CASCADE || this == SET_NULL || this == SET_DEFAULT;
    }

    public String sql() {
      return name().replace('_', ' ');
    }

    /** From the SQL spelling ({@code CASCADE}, {@code SET NULL}, ...); unknown text is CASCADE. */
    public static Action ofSql(String text) {
      String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace(' ', '_');
      for (Action a : values()) {
        if (a.name().equals(t)) {
          return a;
        }
      }
      return CASCADE; // fail closed: an action prodguard does not know may write child rows
    }
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}
