package dev.prodguard.ci;

import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;

/** G1: proves that the current process runs in CI, before any connection is opened. */
public interface CiVerifier {

  /**
   * @param action what is being attempted, for the refusal message
   * @throws GuardRefusal when the process cannot prove it is CI
   */
  CiIdentity verify(RunContext context, String action);
}
