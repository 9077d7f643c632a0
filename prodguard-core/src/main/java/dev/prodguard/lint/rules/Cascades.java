package dev.prodguard.lint.rules;

import dev.prodguard.contract.Contract;
import dev.prodguard.sql.OpKind;
import dev.prodguard.support.ForeignKey;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which writes reach a protected table through foreign keys (G4): a DELETE or UPDATE of a parent
 * row whose foreign key says {@code ON DELETE/UPDATE CASCADE}, {@code SET NULL} or {@code SET
 * DEFAULT} writes the protected child rows, and a {@code TRUNCATE ... CASCADE} of any table a
 * protected table references (directly or through other tables) empties it. Built from the foreign
 * keys the target's catalog records ({@code verify}); without a database ({@code lint}) there are
 * none and nothing is reported here.
 */
public final class Cascades {
  /** No foreign keys known. */
  public static final Cascades NONE = new Cascades(List.of(), null);

  private final List<ForeignKey> keys;
  private final Contract contract;
  private Map<String, String> onDelete;
  private Map<String, String> onUpdate;
  private Map<String, String> onTruncate;

  private Cascades(List<ForeignKey> keys, Contract contract) {
    this.keys = List.copyOf(keys);
    this.contract = contract;
  }

  public static Cascades of(List<ForeignKey> keys, Contract contract) {
    return keys.isEmpty() ? NONE : new Cascades(keys, contract);
  }

  /**
   * How an operation of {@code kind} on {@code table} reaches a protected table ("cascades into
   * protected table public.orders (foreign key orders_customer_fk ON DELETE CASCADE)"), if it does.
   */
  public Optional<String> reach(OpKind kind, String table) {
    if (keys.isEmpty() || table == null) {
      return Optional.empty();
    }
    return switch (kind) {
      case DELETE -> find(deletes(), table);
      case UPDATE -> find(updates(), table);
      case MERGE -> find(deletes(), table).or(() -> find(updates(), table));
      case TRUNCATE -> find(truncates(), table);
      default -> Optional.empty();
    };
  }

  private Map<String, String> deletes() {
    if (onDelete == null) {
      onDelete =
          closure(k -> k.onDelete().changesChildRows(), k -> "ON DELETE " + k.onDelete().sql());
    }
    return onDelete;
  }

  private Map<String, String> updates() {
    if (onUpdate == null) {
      onUpdate =
          closure(k -> k.onUpdate().changesChildRows(), k -> "ON UPDATE " + k.onUpdate().sql());
    }
    return onUpdate;
  }

  private Map<String, String> truncates() {
    if (onTruncate == null) {
      onTruncate = closure(k -> true, k -> "TRUNCATE ... CASCADE");
    }
    return onTruncate;
  }

  /**
   * Parent tables (schema.table) whose rows reach a protected table through keys that {@code
   * follows}, with the path's description; transitive (a parent of a parent counts).
   */
  private Map<String, String> closure(
      Predicate<ForeignKey> follows, java.util.function.Function<ForeignKey, String> how) {
    Map<String, String> reached = new LinkedHashMap<>();
    Deque<String> todo = new ArrayDeque<>();
    for (ForeignKey k : keys) {
      String child = k.childSchema() + "." + k.child();
      if (contract.protectedTable(child).isPresent() && !reached.containsKey(child)) {
        reached.put(child, "protected table " + child);
        todo.add(child);
      }
    }
    while (!todo.isEmpty()) {
      String child = todo.poll();
      for (ForeignKey k : keys) {
        String c = k.childSchema() + "." + k.child();
        String p = k.parentSchema() + "." + k.parent();
        if (c.equals(child) && follows.test(k) && !reached.containsKey(p)) {
          reached.put(
              p,
              "cascades into "
                  + reached.get(child).replaceFirst("^cascades into ", "")
                  + " (foreign key "
                  + k.name()
                  + " of "
                  + c
                  + ", "
                  + how.apply(k)
                  + ")");
          todo.add(p);
        }
      }
    }
    // the protected tables themselves are judged by the contract, not here
    reached.entrySet().removeIf(e -> !e.getValue().startsWith("cascades into "));
    return reached;
  }

  /** An unqualified name matches the table in any schema (the search path decides: fail closed). */
  private static Optional<String> find(Map<String, String> reached, String table) {
    String t = unquote(table.toLowerCase(Locale.ROOT));
    String hit = reached.get(t);
    if (hit != null) {
      return Optional.of(hit);
    }
    if (t.indexOf('.') < 0) {
      for (Map.Entry<String, String> e : reached.entrySet()) {
        if (e.getKey().substring(e.getKey().lastIndexOf('.') + 1).equals(t)) {
          return Optional.of(e.getValue());
        }
      }
    }
    return Optional.empty();
  }

  private static String unquote(String name) {
    return name.replace("\"", "").replace("`", "");
  }
}
