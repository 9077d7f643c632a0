package dev.prodguard.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.prodguard.ci.CiIdentity;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.support.DatabaseSupport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * G10: the append-only, hash-chained {@code prodguard_audit} table in the target database. Each row
 * stores the SHA-256 of its content and of the row before it, so an edited, deleted or reordered
 * row breaks the chain at a point {@link #verify} names.
 */
public final class AuditLog {
  public static final String GENESIS = "0".repeat(64);
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final String COLUMNS =
      "seq, at, os_user, host, ci_subject, command, environment, run_id, migration_set, outcome,"
          + " details, prev_hash, hash";
  private static final int MAX_RACES = 50;

  /** The newest row this process appended, per environment: the head to print for CI logs. */
  private AuditLog() {}

  /** What happened, as the caller knows it. */
  public record Event(
      String command,
      String environment,
      Optional<String> runId,
      Optional<String> migrationSet,
      String outcome,
      Map<String, ?> details) {

    public static Event of(String command, String environment, String outcome, Map<String, ?> d) {
      return new Event(command, environment, Optional.empty(), Optional.empty(), outcome, d);
    }
  }

  /** One stored row. */
  public record Entry(
      long seq,
      String at,
      String osUser,
      String host,
      String ciSubject,
      String command,
      String environment,
      String runId,
      String migrationSet,
      String outcome,
      String details,
      String prevHash,
      String hash) {

    /** The hash this row's content and predecessor call for. */
    public String expectedHash() {
      ArrayNode a = JSON.createArrayNode();
      a.add(seq)
          .add(at)
          .add(osUser)
          .add(host)
          .add(ciSubject)
          .add(command)
          .add(environment)
          .add(runId)
          .add(migrationSet)
          .add(outcome)
          .add(details)
          .add(prevHash);
      return sha256(a.toString());
    }
  }

  /**
   * Creates the table and its append-only triggers, with every other prodguard object, versioned
   * (component {@code audit}); safe to run again, and no DDL at all once current.
   */
  public static void install(Connection c, DatabaseSupport d) throws SQLException {
    PipelineSchema.ensure(c, d);
  }

  /** Appends an event at the head of the chain, retrying when another writer won the race. */
  public static Entry append(
      Connection c, DatabaseSupport d, RunContext context, Optional<CiIdentity> ci, Event event)
      throws SQLException {
    String details = canonicalDetails(event.details());
    String at =
        DateTimeFormatter.ISO_INSTANT.format(
            context.clock().instant().truncatedTo(ChronoUnit.MICROS));
    for (int attempt = 0; attempt < MAX_RACES; attempt++) {
      long seq = 1;
      String prev = GENESIS;
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT seq, hash FROM prodguard_audit ORDER BY seq DESC LIMIT 1")) {
        if (rs.next()) {
          seq = rs.getLong(1) + 1;
          prev = rs.getString(2);
        }
      }
      Entry e =
          new Entry(
              seq,
              at,
              context.osUser(),
              context.hostName(),
              ci.map(CiIdentity::describe).orElse(null),
              event.command(),
              event.environment(),
              event.runId().orElse(null),
              event.migrationSet().orElse(null),
              event.outcome(),
              details,
              prev,
              null);
      Entry stored =
          new Entry(
              e.seq,
              e.at,
              e.osUser,
              e.host,
              e.ciSubject,
              e.command,
              e.environment,
              e.runId,
              e.migrationSet,
              e.outcome,
              e.details,
              e.prevHash,
              e.expectedHash());
      Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO prodguard_audit (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
        ps.setLong(1, stored.seq);
        ps.setString(2, stored.at);
        ps.setString(3, stored.osUser);
        ps.setString(4, stored.host);
        ps.setString(5, stored.ciSubject);
        ps.setString(6, stored.command);
        ps.setString(7, stored.environment);
        ps.setString(8, stored.runId);
        ps.setString(9, stored.migrationSet);
        ps.setString(10, stored.outcome);
        ps.setString(11, stored.details);
        ps.setString(12, stored.prevHash);
        ps.setString(13, stored.hash);
        ps.executeUpdate();
        if (sp != null) {
          c.releaseSavepoint(sp);
        }
        if (event.environment() != null) {
          AuditHeads.appended(event.environment(), stored);
        }
        return stored;
      } catch (SQLException ex) {
        if (sp != null) {
          c.rollback(sp);
        }
        if (!d.isUniqueViolation(ex)) {
          throw ex;
        }
      }
    }
    throw new SQLException("prodguard_audit: lost " + MAX_RACES + " append races in a row");
  }

  /**
   * The newest audit row this process appended, per environment, since {@link #forgetHeads()}: a
   * command prints it so that CI logs keep every head, and {@code audit verify --expect-head} can
   * later catch deletion of the newest rows that nothing else in the database accounts for.
   */
  public static Map<String, Entry> appendedHeads() {
    return AuditHeads.appended();
  }

  /** Starts a new command's record of appended heads. */
  public static void forgetHeads() {
    AuditHeads.forget();
  }

  /** The line a command prints for a head it appended. */
  public static String headLine(String environment, Entry head) {
    return AuditHeads.line(environment, head);
  }

  /** All rows in chain order (or the newest {@code limit} when positive). */
  public static List<Entry> read(Connection c, int limit) throws SQLException {
    String sql =
        limit > 0
            ? "SELECT " + COLUMNS + " FROM prodguard_audit ORDER BY seq DESC LIMIT " + limit
            : "SELECT " + COLUMNS + " FROM prodguard_audit ORDER BY seq";
    List<Entry> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(
            new Entry(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                rs.getString(12),
                rs.getString(13)));
      }
    }
    if (limit > 0) {
      java.util.Collections.reverse(out);
    }
    return out;
  }

  /** The outcome of walking the chain. */
  public record Verification(long rows, Optional<Entry> head, Optional<Break> firstBreak) {
    public boolean intact() {
      return firstBreak.isEmpty();
    }
  }

  /** The first broken link: at which sequence number, and what is wrong there. */
  public record Break(long seq, String problem) {}

  /**
   * Walks the whole chain. Detects edited rows (hash), deleted rows (a gap in seq or a predecessor
   * hash that matches nothing), and reordered rows (a predecessor hash that is not the previous
   * row's). Then checks the chain against {@code prodguard_run} ({@link #crossCheckRuns}), which
   * catches a chain emptied or cut short at the newest rows while runs remain. {@code expectedHead}
   * ({@code seq:hash}, recorded elsewhere: every command that appends prints it) also catches
   * deletion of the newest rows that no run accounts for.
   */
  public static Verification verify(Connection c, Optional<String> expectedHead)
      throws SQLException {
    List<Entry> rows = read(c, 0);
    long expectedSeq = 1;
    String prevHash = GENESIS;
    for (Entry e : rows) {
      if (e.seq() != expectedSeq) {
        return broken(
            rows,
            e.seq(),
            e.seq() > expectedSeq
                ? "row"
                    + (e.seq() - expectedSeq > 1
                        ? "s " + expectedSeq + ".." + (e.seq() - 1)
                        : " " + expectedSeq)
                    + " missing before row "
                    + e.seq()
                    + " (deleted)"
                : "sequence goes backwards at row " + e.seq());
      }
      if (!prevHash.equals(e.prevHash())) {
        return broken(
            rows,
            e.seq(),
            "row "
                + e.seq()
                + " does not follow row "
                + (e.seq() - 1)
                + ": its predecessor hash does not match (rows reordered, replaced or edited)");
      }
      if (!e.expectedHash().equals(e.hash())) {
        return broken(
            rows,
            e.seq(),
            "row " + e.seq() + " was edited: its content no longer matches its hash");
      }
      prevHash = e.hash();
      expectedSeq++;
    }
    Optional<Entry> head =
        rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(rows.size() - 1));
    if (expectedHead.isPresent()) {
      String[] parts = expectedHead.get().split(":", 2);
      long seq;
      try {
        seq = Long.parseLong(parts[0]);
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("--expect-head takes SEQ:HASH, e.g. 42:3fa9...");
      }
      Optional<Entry> anchor = rows.stream().filter(r -> r.seq() == seq).findFirst();
      if (anchor.isEmpty()) {
        return new Verification(
            rows.size(),
            head,
            Optional.of(
                new Break(
                    seq, "row " + seq + " of the recorded head is gone (newest rows deleted)")));
      }
      if (parts.length < 2 || !anchor.get().hash().equals(parts[1])) {
        return new Verification(
            rows.size(),
            head,
            Optional.of(
                new Break(
                    seq, "row " + seq + " differs from the recorded head (chain rewritten)")));
      }
    }
    Optional<String> missing = crossCheckRuns(c, rows);
    if (missing.isPresent()) {
      long where = head.map(h -> h.seq() + 1).orElse(1L);
      return new Verification(rows.size(), head, Optional.of(new Break(where, missing.get())));
    }
    return new Verification(rows.size(), head, Optional.empty());
  }

  /**
   * What the rest of the database records must be in the chain too: every {@code prodguard_run} row
   * has audit rows with its id, a run with a backup has its backup's row, a deployed run its
   * deploy's row. A chain emptied or cut short at the newest rows looks intact on its own; against
   * the runs it does not. Empty when everything is accounted for (or no run was ever recorded).
   */
  static Optional<String> crossCheckRuns(Connection c, List<Entry> rows) throws SQLException {
    if (!tableExists(c, "prodguard_run")) {
      return Optional.empty();
    }
    Map<String, List<Entry>> byRun = new java.util.HashMap<>();
    for (Entry e : rows) {
      if (e.runId() != null) {
        byRun.computeIfAbsent(e.runId(), k -> new ArrayList<>()).add(e);
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT id, environment, status, backup_path, created_at FROM prodguard_run"
                    + " ORDER BY created_at, id")) {
      while (rs.next()) {
        String id = rs.getString(1);
        String env = rs.getString(2);
        String status = rs.getString(3);
        boolean backedUp = rs.getString(4) != null;
        String created = String.valueOf(rs.getTimestamp(5));
        List<Entry> entries = byRun.getOrDefault(id, List.of());
        String run = "run " + id + " of '" + env + "' (created " + created + ", " + status + ")";
        String why =
            " (audit rows deleted, or prodguard was killed between recording the run and its audit"
                + " row)";
        if (entries.isEmpty()) {
          return Optional.of(
              run + " is recorded in prodguard_run but has no audit row at all" + why);
        }
        if (backedUp && entries.stream().noneMatch(e -> step(e, "backup"))) {
          return Optional.of(run + " has a backup but no audit row for it" + why);
        }
        if (status.equals("deployed") && entries.stream().noneMatch(e -> step(e, "deploy"))) {
          return Optional.of(run + " is deployed but has no audit row for its deploy" + why);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean step(Entry e, String command) {
    return e.command() != null
        && (e.command().equals(command) || e.command().startsWith(command + " "));
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    java.sql.DatabaseMetaData md = c.getMetaData();
    for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT))) {
      try (ResultSet rs = md.getTables(c.getCatalog(), null, name, new String[] {"TABLE"})) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  private static Verification broken(List<Entry> rows, long seq, String problem) {
    Optional<Entry> head =
        rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(rows.size() - 1));
    return new Verification(rows.size(), head, Optional.of(new Break(seq, problem)));
  }

  static String canonicalDetails(Map<String, ?> details) {
    Map<String, Object> sorted = new TreeMap<>();
    details.forEach((k, v) -> sorted.put(k, v instanceof String s ? Redactor.redact(s) : v));
    try {
      return JSON.writeValueAsString(sorted);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit details are not serialisable", e);
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
