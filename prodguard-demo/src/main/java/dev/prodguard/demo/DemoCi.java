package dev.prodguard.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * The demo's stand-in for a CI provider: a freshly generated RSA key whose public half goes into
 * the sample project's JWKS (as GitHub's keys would), and an OIDC ID token signed with it carrying
 * the claims {@code prodguard.yml} pins. The private key never leaves this process.
 */
final class DemoCi {
  static final String ISSUER = "https://token.actions.githubusercontent.com";
  static final String AUDIENCE = "prodguard";
  static final String REPOSITORY = "acme/shop";
  static final String REF = "refs/heads/main";
  static final String ENVIRONMENT = "production";

  /** Long enough to explore with --keep; a real CI token lives for minutes. */
  static final Duration TOKEN_LIFETIME = Duration.ofMinutes(60);

  private final RSAKey key;

  DemoCi() {
    try {
      key = new RSAKeyGenerator(2048).keyID("demo-ci-" + UUID.randomUUID()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the demo's CI key: " + e.getMessage(), e);
    }
  }

  /** The published public key set, as a CI provider serves it. */
  String jwksJson() {
    return new JWKSet(key.toPublicJWK()).toString();
  }

  /** An ID token for a job of the pinned repository, branch and environment. */
  String token(Instant now) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject("repo:" + REPOSITORY + ":environment:" + ENVIRONMENT)
            .claim("repository", REPOSITORY)
            .claim("repository_owner", "acme")
            .claim("ref", REF)
            .claim("environment", ENVIRONMENT)
            .claim("run_id", "1")
            .claim("actor", "demo-ci")
            .jwtID(UUID.randomUUID().toString())
            .issueTime(Date.from(now.minusSeconds(5)))
            .notBeforeTime(Date.from(now.minusSeconds(5)))
            .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
            .build();
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256)
                  .keyID(key.getKeyID())
                  .type(JOSEObjectType.JWT)
                  .build(),
              claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign the demo's CI token: " + e.getMessage(), e);
    }
  }
}
