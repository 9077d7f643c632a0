package dev.prodguard.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code ci:} in prodguard.yml: how a process proves that it runs in CI. */
public record CiConfig(Mode mode, Optional<Oidc> oidc) {

  public enum Mode {
    /** {@code CI=true}: parity with the original specification, proves little. */
    ENV,
    /** A CI-issued OIDC ID token verified against a JWKS with pinned claims. */
    OIDC
  }

  /**
   * OIDC settings. {@code claims} match exactly; {@code claimPatterns} allow {@code *} globs.
   * {@code tokenVariable} names the variable holding the token (GitLab {@code id_tokens}).
   */
  public record Oidc(
      String issuer,
      String audience,
      String jwks,
      Map<String, String> claims,
      Map<String, String> claimPatterns,
      Optional<String> tokenVariable,
      Duration clockSkew) {

    public Oidc {
      claims = Map.copyOf(claims);
      claimPatterns = Map.copyOf(claimPatterns);
    }
  }
}
