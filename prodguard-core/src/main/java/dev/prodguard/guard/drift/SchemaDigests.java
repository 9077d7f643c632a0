package dev.prodguard.guard.drift;

import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * {@code prodguard_schema_digest} in the target (docs/drift.md): the schema each deploy left and
 * each accepted drift, newest last. Written by deploy and by {@code drift accept}, read by verify.
 */
public final class SchemaDigests {
  static final String TABLE = "prodguard_schema_digest";

  /** Why a schema was recorded. */
  public enum Origin {
    /** A deploy (succeeded or failed) left it. */
    DEPLOY("deploy"),
    /** A reviewer accepted drift ({@code prodguard drift accept}, CI only, audited). */
    ACCEPTED("accepted");

    public final String id;

    Origin(String id) {
      this.id = id;
    }

    static Origin of(String id) {
      for (Origin o : values()) {
        if (o.id.equals(id)) {
          return o;
        }
      }
      throw new IllegalStateException("unknown origin in " + TABLE + ": " + id);
    }
  }

  /**
   * One recorded schema.
   *
   * @param runId the deploy's run, empty for an accepted drift
   * @param reason why drift was accepted, empty for a deploy
   * @param recordedBy the CI subject (or, off CI on an unprotected environment, user@host)
   */
  public record Recorded(
      long id,
      String environment,
      Origin origin,
      Optional<String> runId,
      SchemaDescription schema,
      Optional<String> reason,
      String recordedBy,
      Instant recordedAt) {
    /** {@code deploy of run run-ab12 at 2026-...} or {@code drift accepted at ... by ...}. */
    public String describe() {
      return origin == Origin.DEPLOY
          ? "the deploy of " + runId.map(r -> "run " + r).orElse("a run") + " at " + recordedAt
          : "the drift accepted at " + recordedAt + " by " + recordedBy;
    }
  }

  private SchemaDigests() {}

  /** Appends a recorded schema; the table exists ({@link PipelineSchema#ensure}). */
  public static void record(
      Connection c,
      String environment,
      Origin origin,
      Optional<String> runId,
      SchemaDescription schema,
      Optional<String> reason,
      String recordedBy,
      Instant at)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " (environment, origin, run_id, schema_sha256, object_count, description,"
                + " reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, environment);
      ps.setString(2, origin.id);
      ps.setString(3, runId.orElse(null));
      ps.setString(4, schema.sha256());
      ps.setInt(5, schema.objects().size());
      ps.setString(6, schema.text());
      ps.setString(7, reason.orElse(null));
      ps.setString(8, recordedBy.length() > 512 ? recordedBy.substring(0, 512) : recordedBy);
      ps.setObject(9, LocalDateTime.ofInstant(at.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  /**
   * The newest recorded schema of {@code environment}; empty when none was (no deploy since
   * prodguard recorded schemas, or the table is not there yet).
   *
   * @throws IllegalStateException when the stored description does not hash to its stored digest
   *     (the row was edited)
   */
  public static Optional<Recorded> latest(Connection c, DatabaseSupport d, String environment)
      throws SQLException {
    if (!PipelineSchema.tableExists(c, d, TABLE)) {
      return Optional.empty();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, environment, origin, run_id, schema_sha256, description, reason,"
                + " recorded_by, recorded_at FROM "
                + TABLE
                + " WHERE environment = ? ORDER BY id DESC")) {
      ps.setMaxRows(1);
      ps.setString(1, environment);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        SchemaDescription schema = SchemaDescription.parse(rs.getString("description"));
        String sha = rs.getString("schema_sha256").trim();
        if (!schema.sha256().equals(sha)) {
          throw new IllegalStateException(
              TABLE
                  + " row "
                  + rs.getLong("id")
                  + " was edited: its description hashes to "
                  + schema.sha256()
                  + ", its recorded digest is "
                  + sha);
        }
        LocalDateTime at = rs.getObject("recorded_at", LocalDateTime.class);
        return Optional.of(
            new Recorded(
                rs.getLong("id"),
                rs.getString("environment"),
                Origin.of(rs.getString("origin")),
                Optional.ofNullable(rs.getString("run_id")),
                schema,
                Optional.ofNullable(rs.getString("reason")),
                rs.getString("recorded_by"),
                at.toInstant(ZoneOffset.UTC)));
      }
    }
  }
}
