package dev.prodguard.pipeline;

import dev.prodguard.migration.MigrationSet;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of {@code prodguard_run}. Times are UTC. A new run comes from {@link #verified} (verify)
 * or {@link #deployingUnverified} (the dev fast path); {@link RunStore} reads stored rows whole.
 */
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

  /**
   * What a new run is bound to: the migration set it will deploy, the contract it was judged under
   * (empty: no contract file), the commit CI builds, and who started it.
   */
  public record Origin(
      MigrationSet set,
      Optional<String> contractSha256,
      Optional<String> commit,
      String ciSubject,
      String createdBy) {}

  /**
   * A run that {@code verify} records at {@code at}: {@link RunStatus#VERIFIED} until {@code
   * expires} (pipeline.verification-ttl), no backup yet.
   */
  public static Run verified(
      String id, String environment, Origin origin, Instant at, Instant expires) {
    return new Run(
        id,
        environment,
        RunStatus.VERIFIED,
        origin.set().sha256(),
        origin.set().pending().size(),
        origin.set().names(),
        origin.contractSha256(),
        origin.commit(),
        origin.ciSubject(),
        origin.createdBy(),
        at,
        at,
        expires,
        Optional.empty(),
        expires,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        at);
  }

  /**
   * A run of an unprotected environment's fast path ({@code deploy} without verify and backup):
   * {@link RunStatus#DEPLOYING} from {@code at} on the deploy lock's {@code session} on {@code
   * host}.
   */
  public static Run deployingUnverified(
      String id, String environment, Origin origin, Instant at, String session, String host) {
    return new Run(
        id,
        environment,
        RunStatus.DEPLOYING,
        origin.set().sha256(),
        origin.set().pending().size(),
        origin.set().names(),
        origin.contractSha256(),
        origin.commit(),
        origin.ciSubject(),
        origin.createdBy(),
        at,
        at,
        at,
        Optional.empty(),
        at,
        Optional.of(at),
        Optional.of(session),
        Optional.of(host),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        at);
  }

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
