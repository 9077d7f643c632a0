package dev.prodguard.lint.rules;

import dev.prodguard.contract.Contract;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.support.TableParent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which tables are partitions or inheritance children of which (G4): the rows of a partition are
 * rows of its partitioned table, so a partition (or child) of a protected table is protected too,
 * at any depth. Known from the target's catalog ({@code verify}, {@code pg_inherits}) and from the
 * migrations themselves, in order ({@code CREATE TABLE ... PARTITION OF t}, {@code INHERITS (t)},
 * {@code ALTER TABLE t ATTACH PARTITION x}, {@code ALTER TABLE x INHERIT t}), those already applied
 * included: {@code lint} without a database knows the partitions the files make. A link is never
 * forgotten ({@code DETACH PARTITION}, {@code NO INHERIT}): still protected (fail closed). Names
 * compare as the contract compares them: an unqualified name matches that table in any schema.
 */
public final class TableParents {
  /** The contract's protected table a table is a partition or child of. */
  public record Protected(String parent, Contract.ProtectedTable entry, String relation) {
    public Protected(String parent, Contract.ProtectedTable entry) {
      this(parent, entry, "a partition (or inheritance child)");
    }
  }

  /**
   * New name (lower case, unquoted) to the names it had: a table renamed ({@code RENAME TO}) or
   * moved ({@code SET SCHEMA}) by the migrations is the same table, its rows the protected table's
   * when it was one (G4). The old name keeps its protection too (more, never less).
   */
  private final Map<String, Set<String>> renamedFrom = new LinkedHashMap<>();

  /** Child (lower case, unquoted; qualified or not) to its direct parents. */
  private final Map<String, Set<String>> up = new LinkedHashMap<>();

  /** Starts from the target's catalog (empty: lint without a database). */
  public static TableParents of(List<TableParent> catalog) {
    TableParents p = new TableParents();
    for (TableParent t : catalog) {
      p.add(qualified(t.schema(), t.table()), qualified(t.parentSchema(), t.parent()));
    }
    return p;
  }

  private static String qualified(String schema, String table) {
    return schema.isEmpty() ? table : schema + "." + table;
  }

  public boolean isEmpty() {
    return up.isEmpty() && renamedFrom.isEmpty();
  }

  void add(String child, String parent) {
    if (child == null || parent == null) {
      return;
    }
    up.computeIfAbsent(normal(child), k -> new LinkedHashSet<>()).add(normal(parent));
  }

  /**
   * For each table name the migrations created (its last part), the schemas it was created in as
   * written ({@code ""}: unqualified): a later relation of that name in another schema may shadow
   * it on a search path ({@link #shadow}).
   */
  private final Map<String, Set<String>> created = new LinkedHashMap<>();

  /** Learns a link from an operation of the classifier (its detail names the other table). */
  public void learn(Operation op) {
    if (op.kind() == OpKind.CREATE_TABLE
        && op.target() != null
        && !op.has(Operation.Flag.TEMPORARY)
        && !op.has(Operation.Flag.DEFERRED)) {
      String t = normal(op.target());
      int dot = t.lastIndexOf('.');
      created
          .computeIfAbsent(bare(t), k -> new LinkedHashSet<>())
          .add(dot < 0 ? "" : t.substring(0, dot));
    }
    if (op.kind() == OpKind.RENAME_TABLE && op.detail() != null && op.target() != null) {
      String from = normal(op.target());
      int dot = from.lastIndexOf('.');
      String to = null;
      if (op.detail().startsWith("to ")) {
        // RENAME TO keeps the schema (PostgreSQL takes a bare name); MariaDB may name another
        String n = normal(op.detail().substring(3).strip());
        to = n.indexOf('.') >= 0 || dot < 0 ? n : from.substring(0, dot) + "." + n;
      } else if (op.detail().startsWith("SET SCHEMA ")) {
        to = normal(op.detail().substring("SET SCHEMA ".length()).strip()) + "." + bare(from);
      }
      if (to != null && !to.equals(from)) {
        renamedFrom.computeIfAbsent(to, k -> new LinkedHashSet<>()).add(from);
      }
      return;
    }
    if (op.kind() != OpKind.ALTER_TABLE_OTHER || op.detail() == null || op.target() == null) {
      return;
    }
    String d = op.detail();
    if (d.startsWith("PARTITION OF: ")) {
      add(d.substring("PARTITION OF: ".length()), op.target());
    } else if (d.startsWith("INHERITS: ")) {
      add(d.substring("INHERITS: ".length()), op.target());
    } else if (d.startsWith("ATTACH PARTITION of ")) {
      add(op.target(), d.substring("ATTACH PARTITION of ".length()));
    } else if (d.startsWith("INHERIT by ")) {
      add(d.substring("INHERIT by ".length()), op.target());
    }
  }

  /**
   * The nearest protected table {@code table} is a partition or inheritance child of, at any depth;
   * empty when it is none (or is itself protected: the contract says so directly).
   */
  public Optional<Protected> protectedAncestor(String table, Contract contract) {
    if ((up.isEmpty() && renamedFrom.isEmpty()) || table == null || contract == null) {
      return Optional.empty();
    }
    // each name to follow, with whether a rename led there (the wording of the finding)
    Deque<String[]> todo = new ArrayDeque<>();
    String start = normal(table);
    for (String p : parents(start)) {
      todo.add(new String[] {p, ""});
    }
    for (String p : earlierNames(start)) {
      todo.add(new String[] {p, "r"});
    }
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      String[] next = todo.poll();
      String p = next[0];
      if (!seen.add(p)) {
        continue;
      }
      Optional<Contract.ProtectedTable> entry = contract.protectedTable(p);
      if (entry.isPresent()) {
        return Optional.of(
            next[1].isEmpty()
                ? new Protected(p, entry.get())
                : new Protected(p, entry.get(), "a new name (RENAME TO, SET SCHEMA)"));
      }
      for (String q : parents(p)) {
        todo.add(new String[] {q, next[1]});
      }
      for (String q : earlierNames(p)) {
        todo.add(new String[] {q, "r"});
      }
    }
    return Optional.empty();
  }

  /**
   * The names the table {@code table} had before the migrations renamed or moved it: an unqualified
   * name matches a qualified one of the same last part, and the reverse (the search path decides:
   * fail closed).
   */
  private Set<String> earlierNames(String table) {
    if (renamedFrom.isEmpty()) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    boolean qualified = table.indexOf('.') >= 0;
    for (Map.Entry<String, Set<String>> e : renamedFrom.entrySet()) {
      String k = e.getKey();
      boolean match =
          k.equals(table)
              || (!qualified && bare(k).equals(table))
              || (qualified && k.indexOf('.') < 0 && k.equals(bare(table)));
      if (match) {
        out.addAll(e.getValue());
      }
    }
    return out;
  }

  /**
   * PostgreSQL: how {@code op} puts a relation or function with a protected table's name into a
   * schema other than the protected table's (created there, renamed to it, moved there): on a
   * search path that lists that schema first (a schema named like a role is {@code "$user"} on the
   * default one) the name resolves to the new object, not to the protected table, and the
   * application's reads and writes go to it. The protected table's schema is the contract's, else
   * the schemas the migrations created a table of that name in; unknown (no such creation seen), a
   * qualified name is not judged. Empty when it does not.
   */
  public Optional<String> shadow(Operation op, Contract contract) {
    if (op.target() == null || contract == null || contract.protectedTables().isEmpty()) {
      return Optional.empty();
    }
    String t = normal(op.target());
    String schema = t.lastIndexOf('.') < 0 ? "" : t.substring(0, t.lastIndexOf('.'));
    String name = bare(t);
    String how;
    switch (op.kind()) {
      case CREATE_TABLE, CREATE_VIEW, CREATE_FUNCTION -> {
        if (op.has(Operation.Flag.TEMPORARY) || op.has(Operation.Flag.DEFERRED)) {
          return Optional.empty();
        }
        how = "creates " + t;
      }
      case RENAME_TABLE -> {
        String d = op.detail() == null ? "" : normal(op.detail());
        if (d.startsWith("set schema ")) {
          schema = d.substring("set schema ".length()).strip();
          how = "moves " + t + " into schema " + schema;
        } else if (d.startsWith("to ")) {
          name = bare(d.substring(3).strip());
          how = "renames " + t + " to " + name;
        } else {
          return Optional.empty();
        }
      }
      default -> {
        return Optional.empty();
      }
    }
    if (schema.isEmpty()) {
      return Optional.empty();
    }
    for (Contract.ProtectedTable p : contract.protectedTables().values()) {
      String n = normal(p.name());
      if (!bare(n).equals(name)) {
        continue;
      }
      Set<String> homes = new LinkedHashSet<>();
      if (n.indexOf('.') >= 0) {
        homes.add(n.substring(0, n.lastIndexOf('.')));
      } else {
        homes.addAll(created.getOrDefault(name, Set.of()));
        if (homes.isEmpty()) {
          continue;
        }
        if (homes.remove("")) {
          homes.add("public"); // unqualified: the default schema, public unless configured
        }
      }
      if (!homes.contains(schema)) {
        return Optional.of(
            how
                + " with the name of protected table "
                + p.name()
                + " in schema "
                + schema
                + ", not the protected table's ("
                + String.join(", ", homes)
                + "): on a search path that lists "
                + schema
                + " first (a schema named like a role is \"$user\" on PostgreSQL's default"
                + " search_path) the name resolves to it, and the application's reads and writes of"
                + " "
                + name
                + " go there instead of the protected table");
      }
    }
    return Optional.empty();
  }

  /** Direct parents of {@code t}: by its name, and by its bare name where one side is bare. */
  private Set<String> parents(String t) {
    Set<String> out = new LinkedHashSet<>(up.getOrDefault(t, Set.of()));
    String bare = bare(t);
    boolean qualified = !bare.equals(t);
    for (Map.Entry<String, Set<String>> e : up.entrySet()) {
      String k = e.getKey();
      boolean kQualified = k.indexOf('.') >= 0;
      if (!k.equals(t) && (qualified ? !kQualified && k.equals(bare) : bare(k).equals(t))) {
        out.addAll(e.getValue());
      }
    }
    return out;
  }

  private static String bare(String t) {
    return t.substring(t.lastIndexOf('.') + 1);
  }

  private static String normal(String name) {
    return name.strip().replace("\"", "").replace("`", "").toLowerCase(Locale.ROOT);
  }
}
