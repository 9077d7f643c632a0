package dev.prodguard.support.postgresql;

import dev.prodguard.support.SessionWaits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PostgreSQL: a statement waits when {@code pg_blocking_pids(pid)} is not empty. That covers lock
 * waits on tables and rows and the waits of {@code CREATE INDEX CONCURRENTLY}, {@code REINDEX
 * CONCURRENTLY}, {@code DROP INDEX CONCURRENTLY} and {@code DETACH PARTITION CONCURRENTLY} for
 * older transactions (a {@code virtualxid} lock held by each of them).
 */
final class PgSessionWaits implements SessionWaits {
  static final PgSessionWaits INSTANCE = new PgSessionWaits();

  /**
   * A pid is reused once its backend ends: only a backend whose start time is the one registered
   * for the deploy in {@code prodguard_session} is the deploy's connection.
   */
  private static final String STILL_OURS =
      " AND EXISTS (SELECT 1 FROM prodguard_session s WHERE s.session_id = a.pid"
          + " AND s.session_started = a.backend_start)";

  private static final String WAITS =
      "SELECT a.pid::text, a.query_start::text, left(a.query, 300),"
          + " (SELECT l.mode || ' on ' || CASE l.locktype"
          + "   WHEN 'relation' THEN 'table ' || l.relation::regclass::text"
          + "   WHEN 'virtualxid' THEN 'an older transaction (virtualxid ' || l.virtualxid || ')'"
          + "   WHEN 'transactionid' THEN 'transaction ' || l.transactionid::text"
          + "   WHEN 'tuple' THEN 'a row of ' || l.relation::regclass::text"
          + "   ELSE l.locktype END"
          + "  FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1),"
          + " coalesce(a.wait_event_type || ' ' || a.wait_event, ''),"
          + " bp.pid::text, coalesce(b.application_name, ''), coalesce(b.usename::text, ''),"
          + " CASE WHEN bp.pid = 0 THEN 'a prepared transaction'"
          + "  ELSE coalesce(b.state, b.backend_type, 'gone') END,"
          + " b.xact_start, extract(epoch FROM now() - b.state_change)::bigint"
          + " FROM pg_stat_activity a"
          + " CROSS JOIN LATERAL unnest(pg_blocking_pids(a.pid)) AS bp(pid)"
          + " LEFT JOIN pg_stat_activity b ON b.pid = bp.pid AND bp.pid <> 0"
          + " WHERE a.pid = ANY (string_to_array(?, ',')::int[])"
          + STILL_OURS
          + " ORDER BY a.pid, b.xact_start NULLS LAST, bp.pid";

  private PgSessionWaits() {}

  @Override
  public String sessionWord() {
    return "pid";
  }

  @Override
  public List<Wait> waits(Connection watcher, Collection<String> sessions) throws SQLException {
    if (sessions.isEmpty()) {
      return List.of();
    }
    Map<String, Wait> out = new LinkedHashMap<>();
    Map<String, List<Blocker>> blockers = new LinkedHashMap<>();
    try (PreparedStatement ps = watcher.prepareStatement(WAITS)) {
      ps.setString(1, String.join(",", SessionWaits.digitsOnly(sessions)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String pid = rs.getString(1);
          String lock = rs.getString(4);
          String waitingFor = lock != null ? lock : rs.getString(5);
          if (!out.containsKey(pid)) {
            out.put(
                pid,
                new Wait(
                    pid,
                    nz(rs, 2),
                    SessionWaits.oneLine(nz(rs, 3)),
                    nz(waitingFor),
                    List.of(),
                    true,
                    false));
          }
          OffsetDateTime since = rs.getObject(10, OffsetDateTime.class);
          blockers
              .computeIfAbsent(pid, p -> new ArrayList<>())
              .add(
                  new Blocker(
                      rs.getString(6),
                      rs.getString(7),
                      rs.getString(8),
                      rs.getString(9),
                      seconds(rs, 11),
                      Optional.ofNullable(since).map(OffsetDateTime::toInstant)));
        }
      }
    }
    List<Wait> waits = new ArrayList<>();
    for (Wait w : out.values()) {
      waits.add(
          new Wait(
              w.session(),
              w.statement(),
              w.query(),
              w.waitingFor(),
              blockers.get(w.session()),
              true,
              false));
    }
    return waits;
  }

  @Override
  public List<Blocker> readBlockers(Connection watcher) throws SQLException {
    List<Blocker> out = new ArrayList<>();
    try (PreparedStatement ps =
            watcher.prepareStatement(
                "SELECT b.pid::text, coalesce(b.application_name, ''), coalesce(b.usename::text,"
                    + " ''), coalesce(b.state, b.backend_type, ''), b.xact_start,"
                    + " extract(epoch FROM now() - b.state_change)::bigint,"
                    + " string_agg(DISTINCT l.relation::regclass::text, ', ')"
                    + " FROM pg_locks l JOIN pg_stat_activity b ON b.pid = l.pid"
                    + " WHERE l.granted AND l.locktype = 'relation'"
                    + " AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()"
                    + " AND l.database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database())"
                    + " GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY b.xact_start NULLS LAST LIMIT 5");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        OffsetDateTime since = rs.getObject(5, OffsetDateTime.class);
        out.add(
            new Blocker(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4) + ", holding an exclusive lock on " + rs.getString(7),
                seconds(rs, 6),
                Optional.ofNullable(since).map(OffsetDateTime::toInstant)));
      }
    }
    return out;
  }

  @Override
  public boolean cancel(Connection watcher, Wait wait) throws SQLException {
    try (PreparedStatement ps =
        watcher.prepareStatement(
            "SELECT pg_cancel_backend(a.pid) FROM pg_stat_activity a WHERE a.pid = ?::int"
                + " AND a.query_start::text = ? AND cardinality(pg_blocking_pids(a.pid)) > 0"
                + STILL_OURS)) {
      ps.setString(1, wait.session());
      ps.setString(2, wait.statement());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  @Override
  public String cancelSql(Wait wait) {
    return "SELECT pg_cancel_backend(" + wait.session() + ")";
  }

  @Override
  public Optional<String> terminateSql(Blocker blocker) {
    // pg_blocking_pids names a prepared transaction as pid 0: no backend to end
    return blocker.session().equals("0")
        ? Optional.empty()
        : Optional.of("SELECT pg_terminate_backend(" + blocker.session() + ")");
  }

  /** A whole number of seconds, or empty for SQL NULL (no such session, no state change time). */
  private static Optional<Duration> seconds(ResultSet rs, int i) throws SQLException {
    long s = rs.getLong(i);
    return rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofSeconds(s));
  }

  private static String nz(ResultSet rs, int i) throws SQLException {
    return nz(rs.getString(i));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
