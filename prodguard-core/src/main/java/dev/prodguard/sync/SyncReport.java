package dev.prodguard.sync;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The plan and its outcome, for people (text) and for tools (a JSON-ready map). */
public final class SyncReport {
  private SyncReport() {}

  public static String text(SyncPlan plan, Optional<Sync.Applied> applied) {
    return text(plan, applied, false);
  }

  /** With {@code refused}, the plan of a refusal: it ends by saying nothing was written. */
  public static String text(SyncPlan plan, Optional<Sync.Applied> applied, boolean refused) {
    StringBuilder sb = new StringBuilder();
    sb.append("sync ")
        .append(plan.from())
        .append(" -> ")
        .append(plan.to())
        .append(applied.isPresent() ? "  (applied)" : "  (dry run: nothing written)")
        .append('\n');
    sb.append("  source: ").append(plan.from()).append("  ").append(plan.source().fingerprint());
    sb.append("\n  target: ").append(plan.to()).append("  ").append(plan.target().fingerprint());
    sb.append("\n  contract sha256: ").append(plan.contractSha256()).append('\n');
    for (TablePlan t : plan.tables()) {
      TableShape s = t.shape();
      sb.append('\n')
          .append(t.table())
          .append("  key (")
          .append(String.join(", ", s.keyNames()))
          .append(")  columns ")
          .append(String.join(", ", s.columnNames()))
          .append('\n');
      sb.append("  rows: ")
          .append(t.sourceRows())
          .append(" in ")
          .append(plan.from())
          .append(", ")
          .append(t.targetRows())
          .append(" in ")
          .append(plan.to())
          .append('\n');
      sb.append("  plan: ").append(counts(t.inserts(), t.updates(), t.deletes()));
      List<String> perColumn = new ArrayList<>();
      t.columnUpdates()
          .forEach(
              (c, n) -> {
                if (n > 0) {
                  perColumn.add(c + " " + n);
                }
              });
      if (!perColumn.isEmpty()) {
        sb.append("  (updated: ").append(String.join(", ", perColumn)).append(')');
      }
      sb.append('\n');
      for (Change c : t.sample()) {
        sb.append("  ").append(line(s, c)).append('\n');
      }
      if (t.truncated()) {
        sb.append("  ... and ")
            .append(t.changes() - t.sample().size())
            .append(" more (show more with --show N)\n");
      }
    }
    sb.append("\ntotal: ").append(counts(plan.inserts(), plan.updates(), plan.deletes()));
    sb.append('\n');
    if (applied.isPresent()) {
      Sync.Applied a = applied.get();
      sb.append("Applied as run ").append(a.runId()).append(" in one transaction.\n");
      sb.append("  backup: ")
          .append(a.backup().file())
          .append(" (sha256 ")
          .append(a.backup().sha256())
          .append(")\n");
      sb.append("  audit: row ")
          .append(a.audit().seq())
          .append(", ")
          .append(a.changes())
          .append(" before-images (sha256 ")
          .append(a.changesSha256())
          .append(")\n");
      sb.append("  undo with: prodguard sync --revert ")
          .append(a.runId())
          .append(" --to ")
          .append(plan.to())
          .append('\n');
    } else if (refused) {
      sb.append("Refused (see below): nothing was written.\n");
    } else {
      sb.append(
          plan.changes() == 0
              ? "Nothing to do: the target already holds the source's rows.\n"
              : "Dry run: nothing was written. Apply with --apply (from CI for a protected"
                  + " target).\n");
    }
    return sb.toString();
  }

  /** The outcome of {@code --revert}. */
  public static String revertText(String reverted, String environment, Sync.Applied a) {
    StringBuilder sb = new StringBuilder();
    sb.append("Reverted sync run ")
        .append(reverted)
        .append(" in ")
        .append(environment)
        .append(" as run ")
        .append(a.runId())
        .append('\n');
    a.counts()
        .forEach(
            (table, n) ->
                sb.append("  ")
                    .append(table)
                    .append(": ")
                    .append(counts(n[0], n[1], n[2]))
                    .append('\n'));
    sb.append("  backup: ")
        .append(a.backup().file())
        .append(" (sha256 ")
        .append(a.backup().sha256())
        .append(")\n");
    sb.append("  audit: row ").append(a.audit().seq()).append('\n');
    return sb.toString();
  }

  public static Map<String, Object> revertJson(
      String reverted, String environment, Sync.Applied a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reverted", reverted);
    m.put("environment", environment);
    m.put("run", run(a));
    return m;
  }

  public static Map<String, Object> json(SyncPlan plan, Optional<Sync.Applied> applied) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("from", plan.from());
    m.put("to", plan.to());
    m.put("dry_run", applied.isEmpty());
    m.put("source", Map.of("environment", plan.from(), "fingerprint", plan.source().fingerprint()));
    m.put("target", Map.of("environment", plan.to(), "fingerprint", plan.target().fingerprint()));
    m.put("contract_sha256", plan.contractSha256());
    List<Object> tables = new ArrayList<>();
    for (TablePlan t : plan.tables()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("table", t.table());
      tm.put("key", t.shape().keyNames());
      tm.put("columns", t.shape().columnNames());
      tm.put("source_rows", t.sourceRows());
      tm.put("target_rows", t.targetRows());
      tm.put("insert", t.inserts());
      tm.put("update", t.updates());
      tm.put("delete", t.deletes());
      tm.put("column_updates", t.columnUpdates());
      List<Object> changes = new ArrayList<>();
      for (Change c : t.sample()) {
        changes.add(change(t.shape(), c));
      }
      tm.put("changes", changes);
      tm.put("truncated", t.truncated());
      tables.add(tm);
    }
    m.put("tables", tables);
    m.put(
        "totals",
        Map.of("insert", plan.inserts(), "update", plan.updates(), "delete", plan.deletes()));
    applied.ifPresent(a -> m.put("run", run(a)));
    return m;
  }

  private static Map<String, Object> run(Sync.Applied a) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", a.runId());
    r.put("backup", a.backup().file().toString());
    r.put("backup_sha256", a.backup().sha256());
    r.put("changes", a.changes());
    r.put("changes_sha256", a.changesSha256());
    r.put("audit_seq", a.audit().seq());
    return r;
  }

  private static Map<String, Object> change(TableShape s, Change c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", c.op().label());
    Map<String, Object> key = new LinkedHashMap<>();
    for (int i = 0; i < c.key().length; i++) {
      key.put(s.keys().get(i).name(), c.key()[i]);
    }
    m.put("key", key);
    if (c.op() == Change.Op.UPDATE) {
      Map<String, Object> cols = new LinkedHashMap<>();
      for (int i = 0; i < s.columns().size(); i++) {
        if (c.changed(i)) {
          Map<String, Object> ba = new LinkedHashMap<>();
          ba.put("before", value(c.before()[i]));
          ba.put("after", value(c.after()[i]));
          cols.put(s.columns().get(i).name(), ba);
        }
      }
      m.put("columns", cols);
    } else {
      Object[] row = c.op() == Change.Op.INSERT ? c.after() : c.before();
      Map<String, Object> r = new LinkedHashMap<>();
      for (int i = 0; i < row.length; i++) {
        r.put(s.columns().get(i).name(), value(row[i]));
      }
      m.put("row", r);
    }
    return m;
  }

  private static Object value(Object v) {
    return v instanceof byte[] b ? Map.of("base64", Base64.getEncoder().encodeToString(b)) : v;
  }

  private static String line(TableShape s, Change c) {
    String key = Keys.show(s, c.key());
    List<String> parts = new ArrayList<>();
    switch (c.op()) {
      case UPDATE -> {
        for (int i = 0; i < s.columns().size(); i++) {
          if (c.changed(i)) {
            parts.add(
                s.columns().get(i).name()
                    + ": "
                    + Values.show(c.before()[i])
                    + " -> "
                    + Values.show(c.after()[i]));
          }
        }
        return "~ update " + key + "  " + String.join("; ", parts);
      }
      case INSERT, DELETE -> {
        Object[] row = c.op() == Change.Op.INSERT ? c.after() : c.before();
        for (int i = 0; i < row.length; i++) {
          parts.add(s.columns().get(i).name() + "=" + Values.show(row[i]));
        }
        return (c.op() == Change.Op.INSERT ? "+ insert " : "- delete ")
            + key
            + "  "
            + String.join(", ", parts);
      }
    }
    throw new IllegalStateException();
  }

  private static String counts(long i, long u, long d) {
    return i + " insert, " + u + " update, " + d + " delete";
  }
}
