package dev.prodguard.pipeline;

import java.time.Instant;
import java.util.Optional;

/** One row of {@code prodguard_run}. Times are UTC. */
public record Run(
    String id,
    String environment,
    RunStatus status,
    String migrationSetSha256,
    int migrationCount,
    String migrations,
    Optional<String> contractSha256,
    Optional<String> commit,
    String ciSubject,
    String createdBy,
    Instant createdAt,
    Instant verifiedAt,
    Instant verificationExpiresAt,
    Optional<Backup> backup,
    Instant expiresAt,
    Optional<Instant> deployStartedAt,
    Optional<String> deploySession,
    Optional<String> deployHost,
    Optional<Instant> finishedAt,
    Optional<String> receipt,
    Optional<String> failure,
    Instant updatedAt) {

  /** The backup recorded on the run. */
  public record Backup(
      String path, long size, String sha256, long durationMillis, Instant at, Instant expiresAt) {}

  /** The backup to restore, for failure messages. */
  public String backupNote() {
    return backup
        .map(b -> "restore the backup " + b.path() + " (sha256 " + b.sha256() + ")")
        .orElse("no backup was recorded for this run");
  }
}
