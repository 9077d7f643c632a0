package dev.prodguard.ci;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.prodguard.config.CiConfig;
import dev.prodguard.db.RunContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Test fixture: a fake CI provider with freshly generated RSA, EC and Ed25519 keys, its JWKS, and
 * tokens minted with any claim changed. Shared with the CLI tests through the core test-jar.
 */
public final class OidcTokens {
  public static final String ISSUER = "https://token.actions.githubusercontent.com";
  public static final String AUDIENCE = "prodguard";
  public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  public static final String GITLAB_VARIABLE = "PRODGUARD_ID_TOKEN";

  public final RSAKey rsa;
  public final ECKey ec;
  public final KeyPair ed25519;
  public final OctetKeyPair ed25519Public;

  /** Not in the JWKS: the key a forger on a laptop holds. */
  public final RSAKey attacker;

  public OidcTokens() {
    try {
      rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
      ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
      attacker = new RSAKeyGenerator(2048).keyID("attacker-1").generate();
      ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] spki = ed25519.getPublic().getEncoded();
      ed25519Public =
          new OctetKeyPair.Builder(
                  Curve.Ed25519,
                  Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
              .keyID("ed-1")
              .build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The provider's published JWKS (public keys only). */
  public String jwksJson() {
    return jwks(rsa, ec).toString();
  }

  public String jwksJson(JWK... keys) {
    return jwks(keys).toString();
  }

  private JWKSet jwks(JWK... keys) {
    List<JWK> pub = new java.util.ArrayList<>();
    for (JWK k : keys) {
      pub.add(k.toPublicJWK());
    }
    pub.add(ed25519Public);
    return new JWKSet(pub);
  }

  /** Writes the JWKS to {@code dir/ci/jwks.json}, the path the default config names. */
  public Path writeJwks(Path dir) throws IOException {
    Path f = dir.resolve("ci/jwks.json");
    Files.createDirectories(f.getParent());
    Files.writeString(f, jwksJson());
    return f;
  }

  /** What prodguard.yml's ci.oidc says for a GitHub Actions pipeline. */
  public static CiConfig.Oidc githubConfig(String jwks) {
    return new CiConfig.Oidc(
        ISSUER,
        AUDIENCE,
        jwks,
        Map.of("repository", "acme/shop", "ref", "refs/heads/main", "environment", "production"),
        Map.of(),
        Optional.of(GITLAB_VARIABLE),
        Duration.ofSeconds(60));
  }

  /** The claims GitHub Actions puts in a token of the pinned job. */
  public static JWTClaimsSet.Builder githubClaims(Instant now) {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("repo:acme/shop:environment:production")
        .claim("repository", "acme/shop")
        .claim("repository_owner", "acme")
        .claim("ref", "refs/heads/main")
        .claim("environment", "production")
        .claim("run_id", "4242")
        .claim("actor", "octocat")
        .jwtID("jti-1")
        .issueTime(Date.from(now.minusSeconds(30)))
        .notBeforeTime(Date.from(now.minusSeconds(30)))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  public String rs256(UnaryOperator<JWTClaimsSet.Builder> change) {
    return sign(rsa, JWSAlgorithm.RS256, change.apply(githubClaims(NOW)).build());
  }

  public String rs256() {
    return rs256(b -> b);
  }

  public String es256(UnaryOperator<JWTClaimsSet.Builder> change) {
    return sign(ec, JWSAlgorithm.ES256, change.apply(githubClaims(NOW)).build());
  }

  public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
    try {
      JWSSigner signer =
          key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
              claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** EdDSA with the JDK (nimbus needs Tink to sign Ed25519). */
  public String eddsa(JWTClaimsSet claims) {
    try {
      String header =
          Base64URL.encode("{\"alg\":\"EdDSA\",\"kid\":\"ed-1\",\"typ\":\"JWT\"}").toString();
      String payload = Base64URL.encode(claims.toString()).toString();
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(ed25519.getPrivate());
      s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
      return header + "." + payload + "." + Base64URL.encode(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A run context with a fixed clock at {@link #NOW}. */
  public static RunContext context(Map<String, String> env) {
    return new RunContext(env, Clock.fixed(NOW, ZoneOffset.UTC), "runner", "runner-host");
  }
}
