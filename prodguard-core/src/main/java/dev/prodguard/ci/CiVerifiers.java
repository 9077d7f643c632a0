package dev.prodguard.ci;

import dev.prodguard.config.CiConfig;
import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import java.nio.file.Path;
import java.util.Optional;

/** The verifier that {@code ci.mode} selects. */
public final class CiVerifiers {
  /** One JWKS cache per process: {@code promote} verifies several times in one run. */
  private static final RemoteJwks REMOTE_JWKS = new RemoteJwks(new HttpsJwksFetcher());

  private CiVerifiers() {}

  /**
   * Whether this process is CI as G3 asks it, the same notion as G1's: the identity G1 verified
   * (with {@code ci.mode: oidc}, a verified token is CI whether or not {@code CI=true} is set);
   * without one (a read), {@code CI=true}, or with {@code ci.mode: oidc} a CI token that verifies.
   */
  public static boolean inCi(
      ProdguardConfig config, RunContext context, Optional<CiIdentity> verified, String action) {
    if (verified.isPresent() || context.claimsCi()) {
      return true;
    }
    if (config.ci().mode() != CiConfig.Mode.OIDC) {
      return false;
    }
    try {
      forConfig(config).verify(context, action);
      return true;
    } catch (GuardRefusal | ConfigException e) {
      return false;
    }
  }

  public static CiVerifier forConfig(ProdguardConfig config) {
    return forConfig(config.ci(), config.baseDir());
  }

  /**
   * @param baseDir folder of prodguard.yml: a {@code file:} JWKS is resolved against it
   */
  public static CiVerifier forConfig(CiConfig ci, Path baseDir) {
    return switch (ci.mode()) {
      case ENV -> new EnvModeVerifier();
      case OIDC ->
          new OidcVerifier(
              ci.oidc()
                  .orElseThrow(
                      () -> new ConfigException("ci.mode is 'oidc' but there is no 'ci.oidc'")),
              baseDir,
              REMOTE_JWKS);
    };
  }
}
