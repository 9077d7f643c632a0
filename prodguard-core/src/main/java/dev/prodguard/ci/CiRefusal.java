package dev.prodguard.ci;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;

/**
 * A G1 refusal with a stable reason code, so that scripts (and tests) can tell one defect from
 * another without parsing prose. Never carries the token.
 */
public final class CiRefusal extends GuardRefusal {
  private static final long serialVersionUID = 1L;

  /** Why a process could not prove that it runs in CI. */
  public enum Reason {
    NOT_CI("not-ci"),
    TOKEN_MISSING("token-missing"),
    TOKEN_REQUEST_FAILED("token-request-failed"),
    TOKEN_MALFORMED("token-malformed"),
    ALG_NONE("alg-none"),
    ALG_HMAC("alg-hmac"),
    ALG_UNSUPPORTED("alg-unsupported"),
    KEY_NOT_IN_JWKS("key-not-in-jwks"),
    SIGNATURE_INVALID("signature-invalid"),
    JWKS_FILE_MISSING("jwks-file-missing"),
    JWKS_MALFORMED("jwks-malformed"),
    JWKS_UNREACHABLE("jwks-unreachable"),
    ISSUER_MISMATCH("issuer-mismatch"),
    AUDIENCE_MISMATCH("audience-mismatch"),
    EXPIRED("expired"),
    NOT_YET_VALID("not-yet-valid"),
    ISSUED_IN_FUTURE("issued-in-future"),
    CLAIM_MISSING("claim-missing"),
    CLAIM_MISMATCH("claim-mismatch");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** Stable, kebab-case: part of the JSON output of {@code prodguard ci whoami}. */
    public String code() {
      return code;
    }
  }

  private final Reason reason;

  public CiRefusal(Reason reason, String what, String why, String fix) {
    super(Guarantee.G1, what, why, fix);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
