package dev.prodguard.contract;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What changed between two versions of the contract, entry by entry: loosening or tightening. */
public final class ContractDiff {
  public enum Direction {
    LOOSENED,
    TIGHTENED
  }

  /**
   * One change.
   *
   * @param section the contract key ({@code forbidden}, {@code protected-tables}, ...)
   * @param subject the rule id, table, path or exception it is about
   */
  public record Change(Direction direction, String section, String subject, String description) {}

  private ContractDiff() {}

  public static List<Change> between(Contract before, Contract after) {
    List<Change> out = new ArrayList<>();
    for (String r : before.forbidden()) {
      if (!after.isForbidden(r)) {
        out.add(
            new Change(
                Direction.LOOSENED, "forbidden", r, "rule '" + r + "' is no longer forbidden"));
      }
    }
    for (String r : after.forbidden()) {
      if (!before.isForbidden(r)) {
        out.add(new Change(Direction.TIGHTENED, "forbidden", r, "rule '" + r + "' is forbidden"));
      }
    }
    tables(before.protectedTables(), after.protectedTables(), out);
    Set<String> scriptsBefore = new HashSet<>();
    before.mutationScripts().forEach(m -> scriptsBefore.add(m.pattern()));
    Set<String> scriptsAfter = new HashSet<>();
    after.mutationScripts().forEach(m -> scriptsAfter.add(m.pattern()));
    for (String p : scriptsAfter) {
      if (!scriptsBefore.contains(p)) {
        out.add(
            new Change(
                Direction.LOOSENED,
                "mutation-scripts",
                p,
                "'" + p + "' may now mutate protected environments"));
      }
    }
    for (String p : scriptsBefore) {
      if (!scriptsAfter.contains(p)) {
        out.add(
            new Change(
                Direction.TIGHTENED, "mutation-scripts", p, "'" + p + "' is no longer allowed"));
      }
    }
    sync(before.sync(), after.sync(), out);
    Set<String> exBefore = new HashSet<>();
    before.exceptions().forEach(e -> exBefore.add(e.migration() + "/" + e.rule()));
    Set<String> exAfter = new HashSet<>();
    for (Contract.MigrationException e : after.exceptions()) {
      String key = e.migration() + "/" + e.rule();
      exAfter.add(key);
      if (!exBefore.contains(key)) {
        out.add(
            new Change(
                Direction.LOOSENED,
                "exceptions",
                e.rule(),
                "new exception: "
                    + e.migration()
                    + " may break '"
                    + e.rule()
                    + "' ("
                    + e.reason()
                    + ")"));
      }
    }
    for (Contract.MigrationException e : before.exceptions()) {
      if (!exAfter.contains(e.migration() + "/" + e.rule())) {
        out.add(
            new Change(
                Direction.TIGHTENED,
                "exceptions",
                e.rule(),
                "exception removed: " + e.migration() + " / " + e.rule()));
      }
    }
    Set<String> scanBefore = new HashSet<>();
    before.scanExceptions().forEach(e -> scanBefore.add(e.path() + "/" + e.rule()));
    for (Contract.ScanException e : after.scanExceptions()) {
      if (!scanBefore.contains(e.path() + "/" + e.rule())) {
        out.add(
            new Change(
                Direction.LOOSENED,
                "scan-exceptions",
                e.rule(),
                "new scan exception: "
                    + e.path()
                    + " may break '"
                    + e.rule()
                    + "' ("
                    + e.reason()
                    + ")"));
      }
    }
    return out;
  }

  private static void tables(
      Map<String, Contract.ProtectedTable> before,
      Map<String, Contract.ProtectedTable> after,
      List<Change> out) {
    for (Contract.ProtectedTable t : before.values()) {
      Contract.ProtectedTable a = after.get(t.name());
      if (a == null) {
        out.add(
            new Change(
                Direction.LOOSENED,
                "protected-tables",
                t.name(),
                "table " + t.name() + " is no longer protected"));
        continue;
      }
      for (String c : a.writableColumns()) {
        if (!t.writableColumns().contains(c)) {
          out.add(
              new Change(
                  Direction.LOOSENED,
                  "protected-tables",
                  t.name(),
                  "column " + t.name() + "." + c + " became writable"));
        }
      }
      for (String c : t.writableColumns()) {
        if (!a.writableColumns().contains(c)) {
          out.add(
              new Change(
                  Direction.TIGHTENED,
                  "protected-tables",
                  t.name(),
                  "column " + t.name() + "." + c + " is no longer writable"));
        }
      }
    }
    for (String name : after.keySet()) {
      if (!before.containsKey(name)) {
        out.add(
            new Change(
                Direction.TIGHTENED, "protected-tables", name, "table " + name + " is protected"));
      }
    }
  }

  private static void sync(
      Map<String, Contract.SyncTable> before,
      Map<String, Contract.SyncTable> after,
      List<Change> out) {
    for (Contract.SyncTable a : after.values()) {
      Contract.SyncTable b = before.get(a.name());
      if (b == null) {
        out.add(
            new Change(
                Direction.LOOSENED, "sync", a.name(), "sync may now write table " + a.name()));
        continue;
      }
      for (String c : a.columns()) {
        if (!b.columns().contains(c)) {
          out.add(
              new Change(
                  Direction.LOOSENED,
                  "sync",
                  a.name(),
                  "sync may now write column " + a.name() + "." + c));
        }
      }
      if (!a.key().equals(b.key())) {
        out.add(
            new Change(
                Direction.LOOSENED,
                "sync",
                a.name(),
                "key of " + a.name() + " changed from " + b.key() + " to " + a.key()));
      }
      if (a.delete() && !b.delete()) {
        out.add(
            new Change(
                Direction.LOOSENED, "sync", a.name(), "sync may now delete rows of " + a.name()));
      }
      if (a.maxRows() > b.maxRows()) {
        out.add(
            new Change(
                Direction.LOOSENED,
                "sync",
                a.name(),
                "max-rows of " + a.name() + " raised from " + b.maxRows() + " to " + a.maxRows()));
      } else if (a.maxRows() < b.maxRows()) {
        out.add(
            new Change(
                Direction.TIGHTENED,
                "sync",
                a.name(),
                "max-rows of " + a.name() + " lowered to " + a.maxRows()));
      }
    }
    for (String name : before.keySet()) {
      if (!after.containsKey(name)) {
        out.add(
            new Change(
                Direction.TIGHTENED, "sync", name, "sync may no longer write table " + name));
      }
    }
  }
}
