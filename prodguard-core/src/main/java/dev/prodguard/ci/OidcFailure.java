package dev.prodguard.ci;

/**
 * Internal: a defect found while checking a token, turned into a {@link CiRefusal} by the caller.
 */
final class OidcFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final CiRefusal.Reason reason;
  final String why;
  final String fix;

  OidcFailure(CiRefusal.Reason reason, String why, String fix) {
    super(reason.code(), null, false, false);
    this.reason = reason;
    this.why = why;
    this.fix = fix;
  }
}
