package dev.prodguard.ci;

import java.util.Optional;

/**
 * Who a verified CI process is, recorded by the pipeline and the audit log. Never holds the token
 * itself.
 */
public record CiIdentity(
    String mode,
    String issuer,
    String subject,
    Optional<String> repository,
    Optional<String> ref,
    Optional<String> runId,
    Optional<String> tokenId) {

  /** One line for humans and the audit trail. */
  public String describe() {
    StringBuilder sb = new StringBuilder(subject);
    repository.ifPresent(r -> sb.append(" repo=").append(r));
    ref.ifPresent(r -> sb.append(" ref=").append(r));
    runId.ifPresent(r -> sb.append(" run=").append(r));
    return sb.append(" (").append(mode).append(')').toString();
  }
}
