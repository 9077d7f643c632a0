package dev.prodguard.pipeline;

import java.sql.SQLException;

/**
 * A promote could not open its first connection to the target (or read its fingerprint there):
 * nothing was verified, backed up or migrated, so the target is untouched. A fleet rollout reports
 * it as {@code unreachable}, not as a failed migration (docs/fleets.md).
 */
public final class TargetUnreachable extends SQLException {
  private static final long serialVersionUID = 1L;

  public TargetUnreachable(String environment, SQLException cause) {
    super(
        "cannot reach '" + environment + "' (nothing was changed): " + cause.getMessage(),
        cause.getSQLState(),
        cause.getErrorCode(),
        cause);
  }
}
