package dev.prodguard.ci;

import dev.prodguard.config.CiConfig;
import dev.prodguard.config.ConfigException;

/** The verifier that {@code ci.mode} selects. */
public final class CiVerifiers {
  private CiVerifiers() {}

  public static CiVerifier forConfig(CiConfig ci) {
    return switch (ci.mode()) {
      case ENV -> new EnvModeVerifier();
      case OIDC ->
          throw new ConfigException(
              "ci.mode 'oidc' is not available in this build; use ci.mode 'env' until it lands");
    };
  }
}
