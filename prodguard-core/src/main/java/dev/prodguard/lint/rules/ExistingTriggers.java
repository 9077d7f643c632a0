package dev.prodguard.lint.rules;

import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The triggers a table already has on the target ({@code verify} reads them from its catalog), each
 * with what its body does as the analyser classified it: a statement that writes the table runs
 * them, so their writes are the statement's (G4). Empty for {@code lint}, which has no database.
 */
public final class ExistingTriggers {
  /** No triggers known. */
  public static final ExistingTriggers NONE = new ExistingTriggers(List.of());

  /**
   * One trigger.
   *
   * @param table {@code schema.table}, lower case
   * @param events {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code TRUNCATE}
   * @param body the operations of its body; null when the body cannot be read (fail closed)
   */
  public record Trigger(String name, String table, Set<String> events, List<Operation> body) {
    public Trigger {
      events = Set.copyOf(events);
      body = body == null ? null : List.copyOf(body);
    }
  }

  /** The event a PostgreSQL event trigger is recorded with: it fires on DDL, not on writes. */
  public static final String DDL = dev.prodguard.support.TableTrigger.DDL;

  private final Map<String, List<Trigger>> byTable = new HashMap<>();
  private final List<Trigger> eventTriggers = new ArrayList<>();

  public ExistingTriggers(List<Trigger> triggers) {
    for (Trigger t : triggers) {
      if (t.events().contains(DDL)) {
        eventTriggers.add(t);
      } else {
        byTable.computeIfAbsent(bare(t.table()), k -> new ArrayList<>()).add(t);
      }
    }
  }

  public boolean isEmpty() {
    return byTable.isEmpty() && eventTriggers.isEmpty();
  }

  /** The event triggers a DDL statement fires (all of them: their tag filters are not read). */
  List<Trigger> eventTriggers() {
    return List.copyOf(eventTriggers);
  }

  /**
   * The triggers an operation of {@code kind} on {@code table} fires: an unqualified name matches
   * the table in any schema (the search path decides: fail closed). An INSERT may fire UPDATE
   * (upsert) and DELETE (MariaDB's REPLACE) triggers too.
   */
  List<Trigger> fired(OpKind kind, String table) {
    if (table == null || byTable.isEmpty()) {
      return List.of();
    }
    String t = unquote(table.toLowerCase(Locale.ROOT));
    List<Trigger> out = new ArrayList<>();
    for (Trigger tr : byTable.getOrDefault(bare(t), List.of())) {
      boolean sameTable = t.indexOf('.') < 0 || t.equals(tr.table());
      if (sameTable && fires(kind, tr.events())) {
        out.add(tr);
      }
    }
    return out;
  }

  /**
   * What PostgreSQL evaluates for {@code table} (null: every table) on {@code event}: {@link
   * dev.prodguard.support.TableTrigger#SELECT} and {@code REFRESH} by the events recorded; {@code
   * REINDEX} (also CLUSTER) every index expression; {@code MAINTENANCE} (ANALYZE, VACUUM) every
   * index and statistics expression. An unqualified name matches the table in any schema.
   */
  List<Trigger> evaluatedBy(String event, String table) {
    String t = table == null ? null : unquote(table.toLowerCase(Locale.ROOT));
    List<Trigger> out = new ArrayList<>();
    for (List<Trigger> ofTable :
        t == null ? byTable.values() : List.of(byTable.getOrDefault(bare(t), List.of()))) {
      for (Trigger tr : ofTable) {
        boolean sameTable = t == null || t.indexOf('.') < 0 || t.equals(tr.table());
        boolean evaluated =
            switch (event) {
              case "REINDEX" -> tr.name().startsWith("index ");
              case "MAINTENANCE" ->
                  tr.name().startsWith("index ") || tr.name().startsWith("statistics ");
              default -> tr.events().contains(event);
            };
        if (sameTable && evaluated) {
          out.add(tr);
        }
      }
    }
    return out;
  }

  /**
   * Whether an operation of {@code kind} fires a trigger on {@code events}; no events known (not
   * read) fires on every write (fail closed).
   */
  static boolean fires(OpKind kind, Set<String> events) {
    if (events.isEmpty()) {
      return switch (kind) {
        case INSERT, MERGE, COPY_IN, UPDATE, DELETE, TRUNCATE -> true;
        default -> false;
      };
    }
    return switch (kind) {
      case INSERT, MERGE, COPY_IN ->
          events.contains("INSERT") || events.contains("UPDATE") || events.contains("DELETE");
      case UPDATE -> events.contains("UPDATE");
      case DELETE -> events.contains("DELETE");
      case TRUNCATE -> events.contains("TRUNCATE");
      default -> false;
    };
  }

  private static String bare(String table) {
    String t = unquote(table.toLowerCase(Locale.ROOT));
    return t.substring(t.lastIndexOf('.') + 1);
  }

  private static String unquote(String name) {
    return name.replace("\"", "").replace("`", "");
  }
}
