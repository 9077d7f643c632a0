package dev.prodguard.ci;

import static dev.prodguard.ci.OidcTokens.AUDIENCE;
import static dev.prodguard.ci.OidcTokens.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.prodguard.config.CiConfig;
import dev.prodguard.db.Guarantee;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** G1 in ci.mode oidc: forged, stolen, stale and misdirected tokens, one attack per test. */
class G1OidcTokenTest {
  static final OidcTokens CI = new OidcTokens();

  @TempDir Path dir;
  OidcVerifier verifier;

  @BeforeEach
  void setUp() throws Exception {
    CI.writeJwks(dir);
    verifier = verifier(OidcTokens.githubConfig("file:ci/jwks.json"));
  }

  private OidcVerifier verifier(CiConfig.Oidc oidc) {
    return new OidcVerifier(
        oidc,
        dir,
        new RemoteJwks(
            uri -> {
              throw new AssertionError("a file: JWKS never goes to the network");
            }));
  }

  private CiIdentity accepted(Map<String, String> env) {
    return verifier.verify(OidcTokens.context(env), "promote prod");
  }

  /** Refused with its own reason, as G1, and without a trace of the token. */
  private CiRefusal refused(String token, CiRefusal.Reason reason) {
    return refused(Map.of(CiTokenSource.TOKEN_VARIABLE, token), reason, token);
  }

  private CiRefusal refused(Map<String, String> env, CiRefusal.Reason reason, String token) {
    CiRefusal r =
        catchThrowableOfType(
            () -> verifier.verify(OidcTokens.context(env), "promote prod"), CiRefusal.class);
    assertThat(r).as("expected a refusal: " + reason).isNotNull();
    assertThat(r.reason()).as(r.render()).isEqualTo(reason);
    assertThat(r.guarantee()).isEqualTo(Guarantee.G1);
    assertThat(r.what()).isEqualTo("promote prod");
    if (token != null) {
      assertNoTokenIn(r.render(), token);
    }
    return r;
  }

  static void assertNoTokenIn(String text, String token) {
    assertThat(text).doesNotContain(token);
    for (String part : token.split("\\.")) {
      if (part.length() >= 8) {
        assertThat(text).doesNotContain(part);
      }
    }
  }

  private static String withPayload(String token, JWTClaimsSet claims) {
    String[] p = token.split("\\.");
    return p[0] + "." + Base64URL.encode(claims.toString()) + "." + p[2];
  }

  // ---- valid tokens ----

  @Test
  @DisplayName("G1: a valid RS256 token from the pinned pipeline is accepted")
  void validRs256() {
    CiIdentity id = accepted(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.rs256()));
    assertThat(id.mode()).isEqualTo("oidc");
    assertThat(id.issuer()).isEqualTo(OidcTokens.ISSUER);
    assertThat(id.subject()).isEqualTo("repo:acme/shop:environment:production");
    assertThat(id.repository()).contains("acme/shop");
    assertThat(id.ref()).contains("refs/heads/main");
    assertThat(id.runId()).contains("4242");
    assertThat(id.tokenId()).contains("jti-1");
  }

  @Test
  @DisplayName("G1: a valid ES256 token is accepted")
  void validEs256() {
    CiIdentity id = accepted(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.es256(b -> b)));
    assertThat(id.subject()).isEqualTo("repo:acme/shop:environment:production");
  }

  @Test
  @DisplayName("G1: a valid EdDSA (Ed25519) token is accepted")
  void validEdDsa() {
    String token = CI.eddsa(OidcTokens.githubClaims(NOW).build());
    assertThat(accepted(Map.of(CiTokenSource.TOKEN_VARIABLE, token)).runId()).contains("4242");
  }

  @Test
  @DisplayName("G1: a GitLab id_tokens variable is read and its claims map to the identity")
  void gitlabVariable() {
    verifier =
        verifier(
            new CiConfig.Oidc(
                "https://gitlab.com",
                AUDIENCE,
                "file:ci/jwks.json",
                Map.of("project_path", "acme/shop", "ref", "main", "ref_protected", "true"),
                Map.of(),
                Optional.of(OidcTokens.GITLAB_VARIABLE),
                Duration.ofSeconds(60)));
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("https://gitlab.com")
            .audience(AUDIENCE)
            .subject("project_path:acme/shop:ref_type:branch:ref:main")
            .claim("project_path", "acme/shop")
            .claim("ref", "main")
            .claim("ref_protected", "true")
            .claim("pipeline_id", "777")
            .jwtID("gl-jti")
            .issueTime(Date.from(NOW.minusSeconds(5)))
            .notBeforeTime(Date.from(NOW.minusSeconds(5)))
            .expirationTime(Date.from(NOW.plusSeconds(3600)))
            .build();
    String token = OidcTokens.sign(CI.rsa, JWSAlgorithm.RS256, claims);
    CiIdentity id = accepted(Map.of(OidcTokens.GITLAB_VARIABLE, token, "CI", "true"));
    assertThat(id.repository()).contains("acme/shop");
    assertThat(id.ref()).contains("main");
    assertThat(id.runId()).contains("777");
    assertThat(id.tokenId()).contains("gl-jti");
  }

  @Test
  @DisplayName("G1: PRODGUARD_CI_TOKEN is used before the token-variable")
  void tokenOrder() {
    Map<String, String> env = new HashMap<>();
    env.put(CiTokenSource.TOKEN_VARIABLE, CI.rs256());
    env.put(OidcTokens.GITLAB_VARIABLE, "garbage");
    assertThat(accepted(env).subject()).startsWith("repo:acme/shop");
  }

  @Test
  @DisplayName("G1: a GitHub Actions token is requested with the audience and bearer auth")
  void githubRequest() throws Exception {
    String token = CI.rs256();
    AtomicReference<String> query = new AtomicReference<>();
    AtomicReference<String> auth = new AtomicReference<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/token",
        ex -> {
          query.set(ex.getRequestURI().getRawQuery());
          auth.set(ex.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              ("{\"count\":1,\"value\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      Map<String, String> env =
          Map.of(
              CiTokenSource.GITHUB_URL,
              "http://127.0.0.1:" + server.getAddress().getPort() + "/token?api-version=2.0",
              CiTokenSource.GITHUB_REQUEST_TOKEN,
              "request-bearer-secret",
              "CI",
              "true");
      CiIdentity id = accepted(env);
      assertThat(id.runId()).contains("4242");
      assertThat(query.get()).isEqualTo("api-version=2.0&audience=prodguard");
      assertThat(auth.get()).isEqualTo("bearer request-bearer-secret");
    } finally {
      server.stop(0);
    }
  }

  @Test
  @DisplayName("G1: a failed GitHub Actions token request is refused")
  void githubRequestFails() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/token",
        ex -> {
          ex.sendResponseHeaders(403, -1);
          ex.close();
        });
    server.start();
    try {
      Map<String, String> env =
          Map.of(
              CiTokenSource.GITHUB_URL,
              "http://127.0.0.1:" + server.getAddress().getPort() + "/token?api-version=2.0",
              CiTokenSource.GITHUB_REQUEST_TOKEN,
              "request-bearer-secret");
      CiRefusal r = refused(env, CiRefusal.Reason.TOKEN_REQUEST_FAILED, "request-bearer-secret");
      assertThat(r.why()).contains("HTTP 403");
    } finally {
      server.stop(0);
    }
  }

  @Test
  @DisplayName("G1: a claim pattern accepts a matching ref and refuses another")
  void claimPattern() {
    verifier =
        verifier(
            new CiConfig.Oidc(
                OidcTokens.ISSUER,
                AUDIENCE,
                "file:ci/jwks.json",
                Map.of("repository", "acme/shop"),
                Map.of("ref", "refs/heads/release/*"),
                Optional.empty(),
                Duration.ofSeconds(60)));
    String release = CI.rs256(b -> b.claim("ref", "refs/heads/release/2025.06"));
    assertThat(accepted(Map.of(CiTokenSource.TOKEN_VARIABLE, release)).ref())
        .contains("refs/heads/release/2025.06");
    CiRefusal r = refused(CI.rs256(), CiRefusal.Reason.CLAIM_MISMATCH);
    assertThat(r.why()).contains("ref 'refs/heads/main'").contains("refs/heads/release/*");
  }

  // ---- attacks ----

  @Test
  @DisplayName("G1: CI=true set by hand does not satisfy ci.mode oidc")
  void ciTrueByHand() {
    CiRefusal r = refused(Map.of("CI", "true"), CiRefusal.Reason.TOKEN_MISSING, null);
    assertThat(r.why()).contains("CI=true is set");
  }

  @Test
  @DisplayName("G1: a missing token is refused")
  void missingToken() {
    CiRefusal r = refused(Map.of(), CiRefusal.Reason.TOKEN_MISSING, null);
    assertThat(r.why()).contains("PRODGUARD_CI_TOKEN").contains(OidcTokens.GITLAB_VARIABLE);
    assertThat(r.fix()).contains("id-token: write").contains("id_tokens");
  }

  @Test
  @DisplayName("G1: a malformed JWT is refused")
  void malformed() {
    for (String bad :
        List.of("not-a-jwt", "eyJhbGciOiJSUzI1NiJ9.%%%.abc", "a.b.c", "eyJmb28iOiJiYXIifQ.e30.x")) {
      refused(bad, CiRefusal.Reason.TOKEN_MALFORMED);
    }
  }

  @Test
  @DisplayName("G1: a token with an altered payload (bad signature) is refused")
  void badSignature() {
    String token =
        withPayload(
            CI.rs256(), OidcTokens.githubClaims(NOW).claim("repository", "acme/shop2").build());
    CiRefusal r = refused(token, CiRefusal.Reason.SIGNATURE_INVALID);
    assertThat(r.why()).contains("key 'rsa-1'");
  }

  @Test
  @DisplayName("G1: a token signed by a key not in the JWKS is refused")
  void keyNotInJwks() {
    String token =
        OidcTokens.sign(CI.attacker, JWSAlgorithm.RS256, OidcTokens.githubClaims(NOW).build());
    CiRefusal r = refused(token, CiRefusal.Reason.KEY_NOT_IN_JWKS);
    assertThat(r.why()).contains("'attacker-1'");
  }

  @Test
  @DisplayName("G1: a token signed by a foreign key that borrows a trusted kid is refused")
  void borrowedKid() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
            OidcTokens.githubClaims(NOW).build());
    jwt.sign(new RSASSASigner(CI.attacker));
    refused(jwt.serialize(), CiRefusal.Reason.SIGNATURE_INVALID);
  }

  @Test
  @DisplayName("G1: a token that carries its own key in the jwk header is refused")
  void embeddedJwk() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(CI.attacker.toPublicJWK()).build(),
            OidcTokens.githubClaims(NOW).build());
    jwt.sign(new RSASSASigner(CI.attacker));
    refused(jwt.serialize(), CiRefusal.Reason.SIGNATURE_INVALID);
  }

  @Test
  @DisplayName("G1: an unsigned token (alg none) is refused")
  void algNone() {
    String token = new PlainJWT(OidcTokens.githubClaims(NOW).build()).serialize();
    CiRefusal r = refused(token, CiRefusal.Reason.ALG_NONE);
    assertThat(r.why()).contains("unsigned");
  }

  @Test
  @DisplayName("G1: alg 'None' in another case is refused as unsigned")
  void algNoneOtherCase() {
    String header = Base64URL.encode("{\"alg\":\"None\",\"kid\":\"rsa-1\"}").toString();
    String payload = Base64URL.encode(OidcTokens.githubClaims(NOW).build().toString()).toString();
    refused(header + "." + payload + ".", CiRefusal.Reason.ALG_NONE);
  }

  @Test
  @DisplayName("G1: HS256 signed with the public key (algorithm confusion) is refused")
  void algorithmConfusion() throws Exception {
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.encode(CI.rsa.toRSAPublicKey().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .keyID("rsa-1")
                .type(JOSEObjectType.JWT)
                .build(),
            OidcTokens.githubClaims(NOW).build());
    jwt.sign(new MACSigner(pem.getBytes(StandardCharsets.US_ASCII)));
    CiRefusal r = refused(jwt.serialize(), CiRefusal.Reason.ALG_HMAC);
    assertThat(r.why()).contains("HS256").contains("algorithm-confusion");
  }

  @Test
  @DisplayName("G1: HS512 with a shared secret is refused")
  void otherHmac() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS512).build(),
            OidcTokens.githubClaims(NOW).build());
    jwt.sign(new MACSigner(new byte[64]));
    refused(jwt.serialize(), CiRefusal.Reason.ALG_HMAC);
  }

  @Test
  @DisplayName("G1: an algorithm outside the accepted list (ES256K) is refused")
  void unsupportedAlgorithm() {
    String header = Base64URL.encode("{\"alg\":\"ES256K\",\"kid\":\"ec-1\"}").toString();
    String payload = Base64URL.encode(OidcTokens.githubClaims(NOW).build().toString()).toString();
    refused(
        header + "." + payload + "." + Base64URL.encode(new byte[64]),
        CiRefusal.Reason.ALG_UNSUPPORTED);
  }

  @Test
  @DisplayName("G1: an expired token is refused")
  void expired() {
    String token =
        CI.rs256(
            b ->
                b.issueTime(Date.from(NOW.minusSeconds(900)))
                    .notBeforeTime(Date.from(NOW.minusSeconds(900)))
                    .expirationTime(Date.from(NOW.minusSeconds(600))));
    CiRefusal r = refused(token, CiRefusal.Reason.EXPIRED);
    assertThat(r.why()).contains("expired at 2025-06-01T11:50:00Z").contains("60s");
  }

  @Test
  @DisplayName("G1: a token expired less than the clock skew ago is still accepted")
  void expiredWithinSkew() {
    String token = CI.rs256(b -> b.expirationTime(Date.from(NOW.minusSeconds(30))));
    assertThat(accepted(Map.of(CiTokenSource.TOKEN_VARIABLE, token)).subject()).isNotBlank();
  }

  @Test
  @DisplayName("G1: a token that is not yet valid (nbf) is refused")
  void notYetValid() {
    String token =
        CI.rs256(
            b ->
                b.notBeforeTime(Date.from(NOW.plusSeconds(600)))
                    .expirationTime(Date.from(NOW.plusSeconds(900))));
    refused(token, CiRefusal.Reason.NOT_YET_VALID);
  }

  @Test
  @DisplayName("G1: a token issued in the future (iat) is refused")
  void issuedInFuture() {
    String token =
        CI.rs256(
            b ->
                b.issueTime(Date.from(NOW.plusSeconds(600)))
                    .notBeforeTime(null)
                    .expirationTime(Date.from(NOW.plusSeconds(900))));
    refused(token, CiRefusal.Reason.ISSUED_IN_FUTURE);
  }

  @Test
  @DisplayName("G1: a token without exp is refused")
  void noExpiry() {
    refused(CI.rs256(b -> b.expirationTime(null)), CiRefusal.Reason.CLAIM_MISSING);
  }

  @Test
  @DisplayName("G1: a token from another issuer is refused")
  void wrongIssuer() {
    CiRefusal r =
        refused(CI.rs256(b -> b.issuer("https://gitlab.com")), CiRefusal.Reason.ISSUER_MISMATCH);
    assertThat(r.why()).contains("'https://gitlab.com'").contains(OidcTokens.ISSUER);
  }

  @Test
  @DisplayName("G1: a token for another audience is refused")
  void wrongAudience() {
    CiRefusal r =
        refused(CI.rs256(b -> b.audience("sts.amazonaws.com")), CiRefusal.Reason.AUDIENCE_MISMATCH);
    assertThat(r.why()).contains("sts.amazonaws.com").contains("'prodguard'");
  }

  @Test
  @DisplayName("G1: a token from another repository is refused")
  void wrongRepository() {
    CiRefusal r =
        refused(
            CI.rs256(b -> b.claim("repository", "mallory/shop")), CiRefusal.Reason.CLAIM_MISMATCH);
    assertThat(r.why()).contains("repository 'mallory/shop'").contains("'acme/shop'");
  }

  @Test
  @DisplayName("G1: a token from another ref (branch) is refused")
  void wrongRef() {
    CiRefusal r =
        refused(
            CI.rs256(b -> b.claim("ref", "refs/heads/feature-x")), CiRefusal.Reason.CLAIM_MISMATCH);
    assertThat(r.why()).contains("ref 'refs/heads/feature-x'").contains("'refs/heads/main'");
  }

  @Test
  @DisplayName("G1: a token from another deployment environment is refused")
  void wrongEnvironment() {
    CiRefusal r =
        refused(CI.rs256(b -> b.claim("environment", "staging")), CiRefusal.Reason.CLAIM_MISMATCH);
    assertThat(r.why()).contains("environment 'staging'").contains("'production'");
  }

  @Test
  @DisplayName("G1: a token of a job without the pinned environment is refused")
  void missingEnvironment() {
    CiRefusal r =
        refused(CI.rs256(b -> b.claim("environment", null)), CiRefusal.Reason.CLAIM_MISSING);
    assertThat(r.fix()).contains("environment: production");
  }

  @Test
  @DisplayName("G1: a token whose pinned claim is a list, not a value, is refused")
  void claimNotText() {
    refused(
        CI.rs256(b -> b.claim("repository", List.of("acme/shop", "x"))),
        CiRefusal.Reason.CLAIM_MISMATCH);
  }
}
