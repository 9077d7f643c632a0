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
    adoption(before.adoption(), after.adoption(), out);
    history(before.history(), after.history(), out);
    trace(before.trace(), after.trace(), out);
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

  /**
   * {@code baseline:} moved up or added (more of the history is not judged) and {@code severity:}
   * lowered are loosenings. A rule without a level has its default, ranked between {@code warning}
   * and {@code error}: any explicit {@code warning} or {@code off} where there was none is reported
   * as a loosening for review, whatever the rule's default.
   */
  private static void adoption(Adoption before, Adoption after, List<Change> out) {
    java.util.Optional<Adoption.Baseline> b = before.baselineIfAny();
    java.util.Optional<Adoption.Baseline> a = after.baselineIfAny();
    if (a.isPresent()
        && (b.isEmpty()
            || MigrationId.compareVersions(a.get().version().version(), b.get().version().version())
                > 0)) {
      out.add(
          new Change(
              Direction.LOOSENED,
              Adoption.BASELINE_KEY,
              a.get().version().toString(),
              "migrations up to "
                  + a.get().version()
                  + " are history, no longer judged"
                  + b.map(x -> " (was up to " + x.version() + ")").orElse("")
                  + " ("
                  + a.get().reason()
                  + ")"));
    } else if (a.isPresent()
        && b.isPresent()
        && a.get().sha256IfAny().isPresent()
        && !a.get().sha256IfAny().equals(b.get().sha256IfAny())
        && MigrationId.compareVersions(a.get().version().version(), b.get().version().version())
            == 0) {
      // the same baseline pinned to other history files: what is exempt from judging changed
      out.add(
          new Change(
              Direction.LOOSENED,
              Adoption.BASELINE_KEY + "." + Adoption.SHA256_KEY,
              a.get().version().toString(),
              "the history up to "
                  + a.get().version()
                  + " is pinned to other files (sha256 "
                  + a.get().sha256()
                  + b.get().sha256IfAny().map(x -> ", was " + x).orElse(", was not pinned")
                  + "): review what changed in them"));
    } else if (b.isPresent()
        && (a.isEmpty()
            || MigrationId.compareVersions(a.get().version().version(), b.get().version().version())
                < 0)) {
      out.add(
          new Change(
              Direction.TIGHTENED,
              Adoption.BASELINE_KEY,
              b.get().version().toString(),
              a.map(x -> "the baseline moved down to " + x.version())
                  .orElse("no baseline: every migration is judged")));
    }
    Set<String> rules = new java.util.TreeSet<>(before.severity().keySet());
    rules.addAll(after.severity().keySet());
    for (String r : rules) {
      double was = rank(before.level(r));
      double now = rank(after.level(r));
      String word = after.level(r).map(Adoption.Level::id).orElse("its default");
      if (now < was) {
        out.add(
            new Change(
                Direction.LOOSENED,
                Adoption.SEVERITY_KEY,
                r,
                "rule '"
                    + r
                    + "' lowered to "
                    + word
                    + " (was "
                    + before.level(r).map(Adoption.Level::id).orElse("its default")
                    + ")"));
      } else if (now > was) {
        out.add(
            new Change(
                Direction.TIGHTENED,
                Adoption.SEVERITY_KEY,
                r,
                "rule '" + r + "' raised to " + word));
      }
    }
  }

  private static double rank(java.util.Optional<Adoption.Level> level) {
    return level.map(l -> (double) l.ordinal()).orElse(1.5);
  }

  /** A new reviewed {@code history:} entry lets an irregular history through validation. */
  private static void history(
      List<Contract.HistoryEntry> before, List<Contract.HistoryEntry> after, List<Change> out) {
    Set<String> was = new HashSet<>();
    before.forEach(h -> was.add(h.label()));
    Set<String> now = new HashSet<>();
    for (Contract.HistoryEntry h : after) {
      now.add(h.label());
      if (!was.contains(h.label())) {
        out.add(
            new Change(
                Direction.LOOSENED,
                "history",
                h.label(),
                "history entry " + h.label() + " is accepted (" + h.reason() + ")"));
      }
    }
    for (Contract.HistoryEntry h : before) {
      if (!now.contains(h.label())) {
        out.add(
            new Change(
                Direction.TIGHTENED,
                "history",
                h.label(),
                "history entry " + h.label() + " removed"));
      }
    }
  }

  /** {@code trace:} limits raised or dropped are loosenings. */
  private static void trace(
      Contract.TraceLimits before, Contract.TraceLimits after, List<Change> out) {
    if (after.maxRewriteBytes() != before.maxRewriteBytes()) {
      boolean up = after.maxRewriteBytes() > before.maxRewriteBytes();
      out.add(
          new Change(
              up ? Direction.LOOSENED : Direction.TIGHTENED,
              "trace",
              "max-rewrite-size",
              "a rewrite may now touch tables up to "
                  + after.maxRewriteBytes()
                  + " bytes (was "
                  + before.maxRewriteBytes()
                  + ")"));
    }
    java.util.OptionalLong b = before.maxAccessExclusiveBytes();
    java.util.OptionalLong a = after.maxAccessExclusiveBytes();
    if (!a.equals(b)) {
      boolean loosened = a.isEmpty() || (b.isPresent() && a.getAsLong() > b.getAsLong());
      out.add(
          new Change(
              loosened ? Direction.LOOSENED : Direction.TIGHTENED,
              "trace",
              "max-access-exclusive-size",
              "ACCESS EXCLUSIVE limit "
                  + (a.isEmpty() ? "removed" : "now " + a.getAsLong() + " bytes")
                  + (b.isEmpty() ? " (was none)" : " (was " + b.getAsLong() + " bytes)")));
    }
    if (before.accessExclusiveOnProtected() != after.accessExclusiveOnProtected()) {
      out.add(
          new Change(
              after.accessExclusiveOnProtected() ? Direction.TIGHTENED : Direction.LOOSENED,
              "trace",
              "access-exclusive-on-protected",
              "ACCESS EXCLUSIVE on protected tables is "
                  + (after.accessExclusiveOnProtected() ? "an error" : "no longer an error")));
    }
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
