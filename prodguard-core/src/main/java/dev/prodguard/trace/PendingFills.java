package dev.prodguard.trace;

import dev.prodguard.sql.SqlCode;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.support.StatementProbe;
import dev.prodguard.support.StatementProbe.Lock;
import dev.prodguard.support.StatementProbe.NamedRelation;
import dev.prodguard.support.StatementProbe.Relation;
import dev.prodguard.support.StatementProbe.State;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the pending migrations filled the tables they created with (G4, fail closed; docs/trace.md,
 * "Code that branches on data"). On the copy a table a pending migration creates holds what the
 * replay put in it; on the target it holds what the deploy puts in it. The two are the same only
 * when what it was filled from is held by the copy as by the target: constants, and tables created
 * by the pending migrations from constants. A table filled from a table of the target ({@code
 * CREATE TABLE t2 AS SELECT ... FROM orders}, {@code INSERT INTO t2 SELECT ... FROM orders}, {@code
 * SELECT ... INTO t2 FROM orders}) holds the target's rows there and none on the copy; one filled
 * from a view, a routine, the session, the clock or a catalog relation that is not faithful holds
 * what is not known. Code that later branches on such a table takes the copy's branch, not the
 * deploy's: {@link DataBranches} judges it as it judges a read of the target's table (by the
 * target's sizes of the tables it was filled from) or as unknown.
 *
 * <p>A table counts as filled by a statement when the statement created it, names it where rows are
 * written ({@code INSERT INTO}, {@code UPDATE}, {@code DELETE FROM}, {@code MERGE INTO}, {@code
 * COPY}, {@code SELECT ... INTO}, {@code CREATE}/{@code ALTER TABLE}), in its own text or in the
 * bodies of the user routines it calls, or took ROW EXCLUSIVE on it (a write through a trigger).
 * What it was filled from is everything the statement reads ({@link BranchCode}: the relations it
 * names, resolved by the server; the functions it calls, a user routine or a server function that
 * {@link BranchCode#FAITHFUL_FUNCTIONS} does not hold counting as unknown); a fill from another
 * pending table adds that table's own sources. Over-approximated on purpose: a statement that names
 * a pending table after {@code TABLE} only to read it adds what it reads to the table's sources.
 */
final class PendingFills {
  /** Where rows are written: the name after it is a table the statement may fill. */
  static final Pattern WRITTEN =
      Pattern.compile(
          "\\b(?:INTO|UPDATE|DELETE\\s+FROM|COPY|TABLE(?:\\s+IF\\s+(?:NOT\\s+)?EXISTS)?"
              + "|VIEW(?:\\s+IF\\s+NOT\\s+EXISTS)?)\\s+(?:ONLY\\s+)?"
              + "((?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*)(?:\\s*\\.\\s*(?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*))?)",
          Pattern.CASE_INSENSITIVE);

  /** Dynamic SQL: its strings are code too. */
  private static final Pattern DYNAMIC = Pattern.compile("\\bEXECUTE\\b", Pattern.CASE_INSENSITIVE);

  /**
   * What one pending table was filled from.
   *
   * @param fromTarget the target's names of the tables of the target it was filled from (their rows
   *     decide what it holds: judged against their sizes)
   * @param unknown phrases naming what it was filled from that the copy does not hold as the target
   *     (a view, a routine, the session, ...)
   */
  record Fill(Set<String> fromTarget, Set<String> unknown) {
    boolean faithful() {
      return fromTarget.isEmpty() && unknown.isEmpty();
    }
  }

  private final Map<Long, Fill> fills = new HashMap<>();

  /** What the pending table {@code oid} was filled from; null when nothing filled it. */
  Fill of(long oid) {
    return fills.get(oid);
  }

  /**
   * Records what {@code sql}, just replayed, filled the pending tables it wrote with. {@code
   * copied}: the relations of the copy as copied from the target, by oid (every other relation was
   * created by a pending migration).
   */
  void observe(
      StatementProbe probe,
      Connection c,
      String sql,
      State before,
      State after,
      Map<Long, String> copied,
      Map<String, NamedRelation> resolvedBefore)
      throws SQLException {
    Map<String, Relation> pending = new HashMap<>();
    Set<String> bare = new HashSet<>();
    for (Relation r : after.relations().values()) {
      if (!r.isIndex() && !copied.containsKey(r.oid())) {
        pending.put(r.name(), r);
        bare.add(bare(r.name()));
      }
    }
    if (pending.isEmpty()) {
      return; // the pending migrations created no table yet
    }
    Set<Long> written = new LinkedHashSet<>();
    for (Relation r : pending.values()) {
      if (!before.relations().containsKey(r.oid())) {
        written.add(r.oid()); // created by this statement: CREATE TABLE ... AS, SELECT ... INTO
      }
    }
    Set<String> heldBefore = new HashSet<>();
    for (Lock l : before.locks()) {
      heldBefore.add(l.relation() + " " + l.mode());
    }
    for (Lock l : after.locks()) {
      Relation r = pending.get(l.relation());
      if (r != null
          && "RowExclusiveLock".equals(l.mode())
          && !heldBefore.contains(l.relation() + " " + l.mode())) {
        written.add(r.oid()); // written by the statement or a trigger it fired
      }
    }
    String first = SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL);
    String code = "DO".equals(first) ? BranchCode.doBody(sql) : sql;
    boolean dynamic = DYNAMIC.matcher(code).find();
    BranchCode read = BranchCode.of(code, dynamic);
    if (!read.maybeCalls.isEmpty()) {
      // filter(), key(), ...: a call when the copy holds a user routine so named (finding 05)
      read = BranchCode.of(code, dynamic, probe.routineBodies(c).keySet());
    }
    String bodies = read.anyCalls.isEmpty() ? "" : DataBranches.calledBodies(probe, c, sql);
    Set<String> targets = new LinkedHashSet<>();
    Matcher m = WRITTEN.matcher(code + "\n" + bodies);
    while (m.find()) {
      String name = m.group(1).replaceAll("\\s+", "");
      if (bare.contains(bare(name))) {
        targets.add(name);
      }
    }
    Map<String, NamedRelation> resolved = new HashMap<>();
    Set<String> ask = new LinkedHashSet<>(targets);
    ask.addAll(read.relations);
    for (String f : read.calls) {
      if (!BranchCode.FAITHFUL_FUNCTIONS.contains(f)) {
        ask.add(f); // a relation with a column list reads as a call: INSERT INTO t2 (a, b)
      }
    }
    for (NamedRelation r : probe.relationsNamed(c, ask)) {
      resolved.put(r.name(), r);
    }
    for (String t : targets) {
      NamedRelation r = resolved.get(t);
      if (r != null && pending.containsKey(qualified(r))) {
        written.add(r.oid());
      }
    }
    if (written.isEmpty()) {
      return;
    }
    Set<String> fromTarget = new LinkedHashSet<>();
    Set<String> unknown = new LinkedHashSet<>(read.unknown);
    Set<Long> fromPending = new LinkedHashSet<>();
    for (String f : read.calls) {
      NamedRelation r = resolved.get(f);
      if (r != null) {
        if (!targets.contains(f) && !read.relations.contains(f)) {
          read.relations.add(f);
        }
      } else if (!BranchCode.FAITHFUL_FUNCTIONS.contains(f)) {
        unknown.add(f + "() (its answer on the copy is not known to be the target's)");
      }
    }
    List<NamedRelation> sources = new ArrayList<>();
    for (String name : read.relations) {
      // as the statement saw it when it started (DataBranches#namesBefore), and as it resolves now
      NamedRelation then = resolvedBefore.get(name);
      NamedRelation now = resolved.get(name);
      if (then != null) {
        sources.add(then);
      }
      if (now != null && (then == null || then.oid() != now.oid())) {
        sources.add(now);
      }
      // neither: no relation (a column, a variable, a common table expression)
    }
    for (NamedRelation r : sources) {
      String q = r.schema() + "." + r.relation();
      boolean catalog = "pg_catalog".equals(r.schema()) || "information_schema".equals(r.schema());
      if (catalog) {
        if (!DataBranches.FAITHFUL_CATALOG.contains(q)) {
          unknown.add(q + " (it describes the copy's server, sessions, statistics or settings)");
        }
      } else if (copied.containsKey(r.oid())) {
        if ("rpm".indexOf(r.kind()) >= 0) {
          fromTarget.add(copied.get(r.oid()));
        } else {
          unknown.add(q + " (a view, sequence or foreign table of the target)");
        }
      } else if (after.relations().containsKey(r.oid())
          || before.relations().containsKey(r.oid())) {
        fromPending.add(r.oid());
      } else if ("rpm".indexOf(r.kind()) < 0) {
        unknown.add(q + " (a view, sequence or foreign table)");
      }
    }
    for (long p : fromPending) {
      Fill f = fills.get(p);
      if (f != null && !written.contains(p)) {
        fromTarget.addAll(f.fromTarget());
        unknown.addAll(f.unknown());
      }
    }
    for (long w : written) {
      Fill old = fills.get(w);
      Set<String> t = new LinkedHashSet<>(fromTarget);
      Set<String> u = new LinkedHashSet<>(unknown);
      if (old != null) {
        t.addAll(old.fromTarget());
        u.addAll(old.unknown());
      }
      fills.put(w, new Fill(Set.copyOf(t), Set.copyOf(u)));
    }
  }

  static String qualified(NamedRelation r) {
    return quote(r.schema()) + "." + quote(r.relation());
  }

  /** As {@code quote_ident} writes a plain lower-case name: unquoted. */
  private static String quote(String name) {
    return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static String bare(String name) {
    String last = name.substring(name.lastIndexOf('.') + 1);
    return last.startsWith("\"")
        ? last.substring(1, last.length() - 1)
        : last.toLowerCase(Locale.ROOT);
  }
}
