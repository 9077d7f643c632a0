package dev.prodguard.ci;

import dev.prodguard.config.CiConfig;
import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import java.nio.file.Path;

/** The verifier that {@code ci.mode} selects. */
public final class CiVerifiers {
  /** One JWKS cache per process: {@code promote} verifies several times in one run. */
  private static final RemoteJwks REMOTE_JWKS = new RemoteJwks(new HttpsJwksFetcher());

  private CiVerifiers() {}

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
