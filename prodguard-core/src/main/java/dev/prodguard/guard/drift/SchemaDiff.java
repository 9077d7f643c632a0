package dev.prodguard.guard.drift;

import dev.prodguard.support.SchemaObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What differs between two schema descriptions, object by object: added, removed, or changed (same
 * name, another definition), sorted by object name.
 */
public record SchemaDiff(List<Change> changes) {
  public SchemaDiff {
    changes = List.copyOf(changes);
  }

  public enum Kind {
    ADDED("+", "added"),
    REMOVED("-", "removed"),
    CHANGED("~", "changed");

    public final String sign;
    public final String word;

    Kind(String sign, String word) {
      this.sign = sign;
      this.word = word;
    }
  }

  /**
   * One object that differs.
   *
   * @param before its definition in the reference schema, empty when added
   * @param after its definition now, empty when removed
   */
  public record Change(Kind kind, String object, String before, String after) {
    /** One line: {@code ~ table public.orders column note: text -> varchar(20)}. */
    public String line() {
      return switch (kind) {
        case ADDED -> kind.sign + " " + object + describe(after);
        case REMOVED -> kind.sign + " " + object + describe(before);
        case CHANGED -> kind.sign + " " + object + ": " + shorten(before) + " -> " + shorten(after);
      };
    }

    private static String describe(String definition) {
      return definition.isEmpty() ? "" : ": " + shorten(definition);
    }

    private static String shorten(String s) {
      String one = s.replace('\n', ' ');
      return one.length() > 160 ? one.substring(0, 157) + "..." : one;
    }
  }

  /** What changed from {@code reference} to {@code current}. */
  public static SchemaDiff between(SchemaDescription reference, SchemaDescription current) {
    Map<String, String> before = byName(reference);
    Map<String, String> after = byName(current);
    // a reference recorded by a prodguard that did not read rules, row security, policies or
    // storage (catalog version 1) lacks the version object: that object is no change; the objects
    // of those kinds are compared all the same (fail closed: whether a deploy or a person made them
    // cannot be told), and the refusal says so (DriftCheck)
    after.remove(SchemaObject.CATALOG_VERSION);
    before.remove(SchemaObject.CATALOG_VERSION);
    // kinds a newer catalog added that describe what a reviewed deploy may have made (a column
    // order, a view's owner): compared once a reference of that catalog is recorded, so that an
    // unchanged schema is no drift after the upgrade (SchemaObject#comparedAgainstOlderCatalog)
    int version = version(reference);
    after
        .entrySet()
        .removeIf(
            e -> {
              SchemaObject o = new SchemaObject(e.getKey(), e.getValue());
              return o.catalogVersion() > version
                  && !before.containsKey(e.getKey())
                  && !o.comparedAgainstOlderCatalog();
            });
    TreeSet<String> names = new TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    List<Change> out = new ArrayList<>();
    for (String n : names) {
      String b = before.get(n);
      String a = after.get(n);
      if (b == null) {
        out.add(new Change(Kind.ADDED, n, "", a));
      } else if (a == null) {
        out.add(new Change(Kind.REMOVED, n, b, ""));
      } else if (!a.equals(b)) {
        out.add(new Change(Kind.CHANGED, n, b, a));
      }
    }
    return new SchemaDiff(withoutEchoes(out));
  }

  /**
   * Leaves out what only repeats another change: an aspect (catalog 4, {@link
   * SchemaObject#subject()}) added or removed with the object it describes (a table added by hand
   * brings its column order), and a column order whose columns in common kept their order (a column
   * added at the end is listed as the column).
   */
  private static List<Change> withoutEchoes(List<Change> changes) {
    java.util.Set<String> addedOrRemoved = new java.util.HashSet<>();
    for (Change c : changes) {
      if (c.kind() != Kind.CHANGED) {
        addedOrRemoved.add(c.object());
      }
    }
    List<Change> out = new ArrayList<>();
    for (Change c : changes) {
      java.util.Optional<String> subject = new SchemaObject(c.object(), "").subject();
      if (c.kind() != Kind.CHANGED
          && subject.isPresent()
          && addedOrRemoved.contains(subject.get())) {
        continue;
      }
      if (c.kind() == Kind.CHANGED
          && c.object().startsWith("columns of ")
          && sameOrderInCommon(c.before(), c.after())) {
        continue;
      }
      out.add(c);
    }
    return out;
  }

  private static boolean sameOrderInCommon(String before, String after) {
    List<String> b = new ArrayList<>(List.of(before.split(", ", -1)));
    List<String> a = new ArrayList<>(List.of(after.split(", ", -1)));
    b.retainAll(a);
    a.retainAll(b);
    return a.equals(b);
  }

  private static Map<String, String> byName(SchemaDescription d) {
    Map<String, String> m = new TreeMap<>();
    for (SchemaObject o : d.objects()) {
      // a name the catalog lists twice (never expected) keeps both definitions, joined
      m.merge(o.name(), o.definition(), (x, y) -> x + " | " + y);
    }
    return m;
  }

  /**
   * Changes of object kinds that {@code reference} could not list because an earlier prodguard
   * recorded it ({@link SchemaObject#catalogVersion}); empty when it could.
   */
  public static List<Change> unlistedBy(SchemaDescription reference, SchemaDiff diff) {
    int version = version(reference);
    return diff.changes().stream()
        .filter(c -> new SchemaObject(c.object(), "").catalogVersion() > version)
        .toList();
  }

  /** The catalog version that described {@code reference}: 1 when it does not say. */
  public static int version(SchemaDescription reference) {
    return reference.objects().stream()
        .filter(o -> o.name().equals(SchemaObject.CATALOG_VERSION))
        .findFirst()
        .map(o -> parseVersion(o.definition()))
        .orElse(1);
  }

  private static int parseVersion(String v) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** At most {@code max} lines, then how many more there are. */
  public String render(int max) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (Change c : changes) {
      if (shown == max) {
        sb.append("  ... and ").append(changes.size() - max).append(" more\n");
        break;
      }
      sb.append("  ").append(c.line()).append('\n');
      shown++;
    }
    return sb.toString().stripTrailing();
  }
}
