package dev.prodguard.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo promised and what it got, one row per check: the table printed at the end and the
 * exit code (0 only when every promise held).
 */
public final class DemoSummary {
  public static final String OK = "ok";
  public static final String FAILED = "FAILED";

  /** One check: a command (or the database) behaved as promised, or did not. */
  public record Row(String step, String guarantee, String expected, String got, boolean ok) {
    public String result() {
      return ok ? OK : FAILED;
    }
  }

  private final List<Row> rows = new ArrayList<>();

  public synchronized void add(Row row) {
    rows.add(row);
  }

  public synchronized List<Row> rows() {
    return List.copyOf(rows);
  }

  /** Every promise held (and there was at least one). */
  public synchronized boolean allOk() {
    return !rows.isEmpty() && rows.stream().allMatch(Row::ok);
  }

  public int exitCode() {
    return allOk() ? 0 : 1;
  }

  public synchronized long failed() {
    return rows.stream().filter(r -> !r.ok()).count();
  }

  /** The table, columns aligned, a header line first. */
  public synchronized List<String> table() {
    String[] head = {"step", "guarantee", "expected", "got", "result"};
    int[] w = new int[head.length];
    for (int i = 0; i < head.length; i++) {
      w[i] = head[i].length();
    }
    for (Row r : rows) {
      String[] cells = cells(r);
      for (int i = 0; i < cells.length; i++) {
        w[i] = Math.max(w[i], cells[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(line(head, w));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < w.length; i++) {
      rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
    }
    lines.add(rule.toString());
    for (Row r : rows) {
      lines.add(line(cells(r), w));
    }
    return lines;
  }

  /** For {@code --format json}. */
  public synchronized Map<String, Object> toJson(double seconds) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("ok", allOk());
    j.put("seconds", Math.round(seconds * 10) / 10.0);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", r.step());
      m.put("guarantee", r.guarantee());
      m.put("expected", r.expected());
      m.put("got", r.got());
      m.put("result", r.result());
      list.add(m);
    }
    j.put("checks", list);
    return j;
  }

  /** Longest cell text in the table; the full text is in the narration and the JSON. */
  static final int MAX_CELL = 60;

  private static String[] cells(Row r) {
    return new String[] {
      cell(r.step()), cell(r.guarantee()), cell(r.expected()), cell(r.got()), r.result()
    };
  }

  static String cell(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > MAX_CELL ? one.substring(0, MAX_CELL - 3) + "..." : one;
  }

  private static String line(String[] cells, int[] w) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        b.append("  ");
      }
      b.append(cells[i]);
      if (i < cells.length - 1) {
        b.append(" ".repeat(w[i] - cells[i].length()));
      }
    }
    return b.toString();
  }
}
