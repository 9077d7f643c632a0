package dev.prodguard.pipeline;

import dev.prodguard.db.Redactor;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes {@code prodguard_run}. Every transition is a compare-and-set on the expected
 * status, so two processes can never both move the same run forward.
 */
public final class RunStore {
  private static final String COLUMNS =
      "id, environment, status, migration_set_sha256, migration_count, migrations,"
          + " contract_sha256, commit_sha, ci_subject, created_by, created_at, verified_at,"
          + " verification_expires_at, backup_path, backup_size, backup_sha256,"
          + " backup_duration_ms, backed_up_at, backup_expires_at, expires_at, deploy_started_at,"
          + " deploy_session, deploy_host, finished_at, receipt, failure, updated_at";

  private final Connection c;
  private final DatabaseSupport dialect;

  public RunStore(Connection c, DatabaseSupport dialect) {
    this.c = c;
    this.dialect = dialect;
  }

  /** True when prodguard_run exists (read-only commands do not create it). */
  public boolean exists() throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM prodguard_run WHERE 1 = 0");
        ResultSet rs = ps.executeQuery()) {
      return true;
    } catch (SQLException e) {
      if (dialect.isUndefinedTable(e)) {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
        return false;
      }
      throw e;
    }
  }

  public void insert(Run r) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO prodguard_run ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?)")) {
      int i = 1;
      ps.setString(i++, r.id());
      ps.setString(i++, r.environment());
      ps.setString(i++, r.status().db());
      ps.setString(i++, r.migrationSetSha256());
      ps.setInt(i++, r.migrationCount());
      ps.setString(i++, r.migrations());
      setString(ps, i++, r.contractSha256());
      setString(ps, i++, r.commit());
      ps.setString(i++, r.ciSubject());
      ps.setString(i++, r.createdBy());
      setTime(ps, i++, r.createdAt());
      setTime(ps, i++, r.verifiedAt());
      setTime(ps, i++, r.verificationExpiresAt());
      setString(ps, i++, r.backup().map(Run.Backup::path));
      setLong(ps, i++, r.backup().map(Run.Backup::size));
      setString(ps, i++, r.backup().map(Run.Backup::sha256));
      setLong(ps, i++, r.backup().map(Run.Backup::durationMillis));
      setTime(ps, i++, r.backup().map(Run.Backup::at).orElse(null));
      setTime(ps, i++, r.backup().map(Run.Backup::expiresAt).orElse(null));
      setTime(ps, i++, r.expiresAt());
      setTime(ps, i++, r.deployStartedAt().orElse(null));
      setString(ps, i++, r.deploySession());
      setString(ps, i++, r.deployHost());
      setTime(ps, i++, r.finishedAt().orElse(null));
      setString(ps, i++, r.receipt());
      setString(ps, i++, r.failure().map(Redactor::redact));
      setTime(ps, i, r.updatedAt());
      ps.executeUpdate();
    }
  }

  public Optional<Run> find(String id) throws SQLException {
    List<Run> runs = query("WHERE id = ?", id);
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
  }

  /** The most recent run of the environment, whatever its status. */
  public Optional<Run> latest(String environment) throws SQLException {
    List<Run> runs = recent(environment, 1);
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
  }

  public List<Run> recent(String environment, int limit) throws SQLException {
    return query(
        "WHERE environment = ? ORDER BY created_at DESC, id DESC LIMIT " + limit, environment);
  }

  /**
   * The runs of the environment whose deploy began migrating (deployed, failed, or still
   * deploying), oldest first: what prodguard itself applied to this target, with the migrations
   * each was verified for. A repair's run (expired when it ends) migrated nothing and is not one.
   */
  public List<Run> deployStarted(String environment) throws SQLException {
    return query(
        "WHERE environment = ? AND deploy_started_at IS NOT NULL AND status IN ('deploying',"
            + " 'deployed', 'failed') ORDER BY created_at, id",
        environment);
  }

  public List<Run> withStatus(RunStatus status) throws SQLException {
    return query("WHERE status = ? ORDER BY created_at", status.db());
  }

  /** Open runs (verified, backed up) of an environment, newest first. */
  public List<Run> open(String environment) throws SQLException {
    return query(
        "WHERE environment = ? AND status IN ('verified', 'backed_up') ORDER BY created_at DESC",
        environment);
  }

  /**
   * G8: records on an open run that {@code session} holds the deploy lock for it (a promote from
   * its verify on, a backup while it dumps), so that a step refused by the lock can name the run.
   */
  public boolean claim(String id, String session, String host, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET deploy_session = ?, deploy_host = ?, updated_at = ?"
                + " WHERE id = ? AND status IN ('verified', 'backed_up')")) {
      ps.setString(1, session);
      ps.setString(2, host);
      setTime(ps, 3, now);
      ps.setString(4, id);
      return ps.executeUpdate() == 1;
    }
  }

  /** The newest open run that {@link #claim} recorded for {@code session}. */
  public Optional<Run> openHeldBy(String session) throws SQLException {
    List<Run> runs =
        query(
            "WHERE deploy_session = ? AND status IN ('verified', 'backed_up')"
                + " ORDER BY created_at DESC LIMIT 1",
            session);
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
  }

  /** verified -> backed_up. */
  public boolean markBackedUp(String id, Run.Backup b, Instant expiresAt, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET status = 'backed_up', backup_path = ?, backup_size = ?,"
                + " backup_sha256 = ?, backup_duration_ms = ?, backed_up_at = ?,"
                + " backup_expires_at = ?, expires_at = ?, updated_at = ?"
                + " WHERE id = ? AND status = 'verified'")) {
      ps.setString(1, b.path());
      ps.setLong(2, b.size());
      ps.setString(3, b.sha256());
      ps.setLong(4, b.durationMillis());
      setTime(ps, 5, b.at());
      setTime(ps, 6, b.expiresAt());
      setTime(ps, 7, expiresAt);
      setTime(ps, 8, now);
      ps.setString(9, id);
      return ps.executeUpdate() == 1;
    }
  }

  /** backed_up -> deploying, owned by the session that holds the deploy lock. */
  public boolean markDeploying(
      String id, String session, String host, String tokenSha256, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET status = 'deploying', deploy_started_at = ?,"
                + " deploy_session = ?, deploy_host = ?, approval_token_sha256 = ?, updated_at = ?"
                + " WHERE id = ? AND status = 'backed_up'")) {
      setTime(ps, 1, now);
      ps.setString(2, session);
      ps.setString(3, host);
      ps.setString(4, tokenSha256);
      setTime(ps, 5, now);
      ps.setString(6, id);
      return ps.executeUpdate() == 1;
    }
  }

  /** Records the approval token hash on a run inserted directly as deploying (dev fast path). */
  public void setApprovalToken(String id, String tokenSha256) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET approval_token_sha256 = ? WHERE id = ? AND status ="
                + " 'deploying'")) {
      ps.setString(1, tokenSha256);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  /**
   * The receipt of a deploy that has just begun (what it started from, e.g. the index baseline of
   * G7's clean-up); the final receipt replaces it, and a killed deploy leaves it for the next one.
   */
  public void recordStart(String id, String receipt) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET receipt = ? WHERE id = ? AND status = 'deploying'")) {
      ps.setString(1, receipt);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  public boolean markDeployed(String id, String receipt, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET status = 'deployed', receipt = ?, finished_at = ?,"
                + " updated_at = ? WHERE id = ? AND status = 'deploying'")) {
      ps.setString(1, receipt);
      setTime(ps, 2, now);
      setTime(ps, 3, now);
      ps.setString(4, id);
      return ps.executeUpdate() == 1;
    }
  }

  /** deploying -> failed, only if still owned by {@code session} (empty: any owner). */
  public boolean markFailed(
      String id, Optional<String> session, String failure, Optional<String> receipt, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET status = 'failed', failure = ?, receipt = COALESCE(?,"
                + " receipt), finished_at = ?, updated_at = ? WHERE id = ? AND status ="
                + " 'deploying'"
                + (session.isPresent() ? " AND deploy_session = ?" : ""))) {
      ps.setString(1, Redactor.redact(failure));
      setString(ps, 2, receipt);
      setTime(ps, 3, now);
      setTime(ps, 4, now);
      ps.setString(5, id);
      if (session.isPresent()) {
        ps.setString(6, session.get());
      }
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * deploying -> failed when its deploy session no longer holds the deploy lock, through
   * prodguard's routine (guards version 3), which any account that may run prodguard reads with;
   * before that version is installed, directly (owned by {@code session}).
   */
  public boolean markStale(String id, Optional<String> session, String failure, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.markStaleCall())) {
      ps.setString(1, id);
      ps.setString(2, Redactor.redact(failure));
      setTime(ps, 3, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(1) == 1;
      }
    } catch (SQLException e) {
      if (!routineMissing(e)) {
        throw e;
      }
    }
    return markFailed(id, session, failure, Optional.empty(), now);
  }

  /** PostgreSQL undefined_function, MySQL/MariaDB ER_SP_DOES_NOT_EXIST. */
  private static boolean routineMissing(SQLException e) {
    return "42883".equals(e.getSQLState()) || e.getErrorCode() == 1305;
  }

  /**
   * G7: records on a failed run that {@code prodguard repair} settled it (its deploy died inside a
   * migration no transaction bounds): {@code receipt} is its start receipt with the settlement.
   */
  public boolean settle(String id, String receipt, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET receipt = ?, updated_at = ? WHERE id = ? AND status ="
                + " 'failed'")) {
      ps.setString(1, receipt);
      setTime(ps, 2, now);
      ps.setString(3, id);
      return ps.executeUpdate() == 1;
    }
  }

  /** An open run -> expired (timed out, or superseded by a newer verification). */
  public boolean markExpired(String id, RunStatus from, String reason, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE prodguard_run SET status = 'expired', failure = ?, updated_at = ?"
                + " WHERE id = ? AND status = ?")) {
      ps.setString(1, reason);
      setTime(ps, 2, now);
      ps.setString(3, id);
      ps.setString(4, from.db());
      return ps.executeUpdate() == 1;
    }
  }

  private List<Run> query(String where, String param) throws SQLException {
    List<Run> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM prodguard_run " + where)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
    }
    return out;
  }

  private static Run read(ResultSet rs) throws SQLException {
    Optional<Run.Backup> backup = Optional.empty();
    String backupPath = rs.getString("backup_path");
    if (backupPath != null) {
      backup =
          Optional.of(
              new Run.Backup(
                  backupPath,
                  rs.getLong("backup_size"),
                  rs.getString("backup_sha256"),
                  rs.getLong("backup_duration_ms"),
                  time(rs, "backed_up_at"),
                  time(rs, "backup_expires_at")));
    }
    return new Run(
        rs.getString("id"),
        rs.getString("environment"),
        RunStatus.fromDb(rs.getString("status")),
        rs.getString("migration_set_sha256"),
        rs.getInt("migration_count"),
        rs.getString("migrations"),
        Optional.ofNullable(rs.getString("contract_sha256")),
        Optional.ofNullable(rs.getString("commit_sha")),
        rs.getString("ci_subject"),
        rs.getString("created_by"),
        time(rs, "created_at"),
        time(rs, "verified_at"),
        time(rs, "verification_expires_at"),
        backup,
        time(rs, "expires_at"),
        Optional.ofNullable(time(rs, "deploy_started_at")),
        Optional.ofNullable(rs.getString("deploy_session")),
        Optional.ofNullable(rs.getString("deploy_host")),
        Optional.ofNullable(time(rs, "finished_at")),
        Optional.ofNullable(rs.getString("receipt")),
        Optional.ofNullable(rs.getString("failure")),
        time(rs, "updated_at"));
  }

  /** Columns hold UTC wall time without a zone, identically on both servers. */
  private static Instant time(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  private static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
    if (t == null) {
      ps.setNull(i, Types.TIMESTAMP);
    } else {
      ps.setObject(i, LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
    }
  }

  private static void setString(PreparedStatement ps, int i, Optional<String> v)
      throws SQLException {
    if (v.isPresent()) {
      ps.setString(i, v.get());
    } else {
      ps.setNull(i, Types.VARCHAR);
    }
  }

  private static void setLong(PreparedStatement ps, int i, Optional<Long> v) throws SQLException {
    if (v.isPresent()) {
      ps.setLong(i, v.get());
    } else {
      ps.setNull(i, Types.BIGINT);
    }
  }
}
