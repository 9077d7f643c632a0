package dev.prodguard.pipeline;

/**
 * A deploy started and the migration tool failed: the run is {@code failed} and the message names
 * the backup to restore. Not a refusal: the guards let it through and the migration broke.
 */
public final class DeployFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String runId;

  public DeployFailure(String runId, String message, Throwable cause) {
    super(message, cause);
    this.runId = runId;
  }

  public String runId() {
    return runId;
  }
}
