package dev.prodguard.ci;

import static dev.prodguard.ci.OidcTokens.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import dev.prodguard.db.RunContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** G1: the JWKS the tokens are checked against: missing, broken, unreachable, cached, rotated. */
class G1JwksTest {
  static final OidcTokens CI = new OidcTokens();
  static final String URL = "https://jwks.example.test/.well-known/jwks";

  @TempDir Path dir;

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = NOW;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A fetcher that serves whatever the test puts in {@code body}, counting requests. */
  static final class FakeFetcher implements JwksFetcher {
    final AtomicReference<String> body = new AtomicReference<>(CI.jwksJson());
    volatile String cacheControl = "public, max-age=300";
    volatile int status = 200;
    final AtomicInteger requests = new AtomicInteger();

    @Override
    public Response fetch(URI uri) {
      requests.incrementAndGet();
      return new Response(status, body.get(), Optional.ofNullable(cacheControl));
    }
  }

  private static OidcVerifier verifier(String jwks, Path base, RemoteJwks remote) {
    return new OidcVerifier(OidcTokens.githubConfig(jwks), base, remote);
  }

  private static RunContext context(Clock clock, String token) {
    return new RunContext(
        Map.of(CiTokenSource.TOKEN_VARIABLE, token, "CI", "true"), clock, "runner", "host");
  }

  private static CiRefusal refusal(OidcVerifier v, RunContext c, CiRefusal.Reason reason) {
    CiRefusal r = catchThrowableOfType(() -> v.verify(c, "promote prod"), CiRefusal.class);
    assertThat(r).as("expected a refusal: " + reason).isNotNull();
    assertThat(r.reason()).as(r.render()).isEqualTo(reason);
    G1OidcTokenTest.assertNoTokenIn(r.render(), c.get(CiTokenSource.TOKEN_VARIABLE));
    return r;
  }

  /** A token minted at {@code at}, valid for an hour. */
  private static String token(Instant at, String kid) {
    var claims =
        OidcTokens.githubClaims(at)
            .issueTime(Date.from(at))
            .notBeforeTime(Date.from(at))
            .expirationTime(Date.from(at.plusSeconds(3600)))
            .build();
    return kid.equals("rsa-1")
        ? OidcTokens.sign(CI.rsa, JWSAlgorithm.RS256, claims)
        : OidcTokens.sign(CI.attacker, JWSAlgorithm.RS256, claims);
  }

  @Test
  @DisplayName("G1: a missing JWKS file refuses")
  void fileMissing() {
    CiRefusal r =
        refusal(
            verifier("file:ci/jwks.json", dir, new RemoteJwks(new FakeFetcher())),
            OidcTokens.context(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.rs256())),
            CiRefusal.Reason.JWKS_FILE_MISSING);
    assertThat(r.why()).contains(dir.resolve("ci/jwks.json").toString());
  }

  @Test
  @DisplayName("G1: a malformed JWKS file refuses")
  void fileMalformed() throws IOException {
    Files.createDirectories(dir.resolve("ci"));
    Files.writeString(dir.resolve("ci/jwks.json"), "{\"keys\": [ {\"kty\": \"RSA\", \"n\": 1 ");
    refusal(
        verifier("file:ci/jwks.json", dir, new RemoteJwks(new FakeFetcher())),
        OidcTokens.context(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.rs256())),
        CiRefusal.Reason.JWKS_MALFORMED);
  }

  @Test
  @DisplayName("G1: a JWKS file with only a symmetric key refuses")
  void fileOnlySymmetric() throws IOException {
    Files.createDirectories(dir.resolve("ci"));
    Files.writeString(
        dir.resolve("ci/jwks.json"),
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"rsa-1\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}");
    CiRefusal r =
        refusal(
            verifier("file:ci/jwks.json", dir, new RemoteJwks(new FakeFetcher())),
            OidcTokens.context(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.rs256())),
            CiRefusal.Reason.JWKS_MALFORMED);
    assertThat(r.why()).contains("no RSA, EC or Ed25519 public signing key");
  }

  @Test
  @DisplayName("G1: a file: JWKS is resolved against the folder of prodguard.yml")
  void fileRelativeToConfig() throws IOException {
    Path repo = dir.resolve("repo");
    CI.writeJwks(repo);
    CiIdentity id =
        verifier("file:ci/jwks.json", repo, new RemoteJwks(new FakeFetcher()))
            .verify(OidcTokens.context(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.rs256())), "x");
    assertThat(id.repository()).contains("acme/shop");
  }

  @Test
  @DisplayName("G1: an unreachable JWKS URL refuses, even with CI=true, never falling back to env")
  void urlUnreachable() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    OidcVerifier v =
        verifier(
            "https://127.0.0.1:" + closed + "/.well-known/jwks",
            dir,
            new RemoteJwks(new HttpsJwksFetcher()));
    CiRefusal r =
        refusal(
            v,
            OidcTokens.context(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.rs256(), "CI", "true")),
            CiRefusal.Reason.JWKS_UNREACHABLE);
    assertThat(r.fix()).contains("never falls back");
  }

  @Test
  @DisplayName("G1: a JWKS URL answering an error status refuses")
  void urlErrorStatus() {
    FakeFetcher f = new FakeFetcher();
    f.status = 503;
    CiRefusal r =
        refusal(
            verifier(URL, dir, new RemoteJwks(f)),
            context(Clock.fixed(NOW, ZoneOffset.UTC), token(NOW, "rsa-1")),
            CiRefusal.Reason.JWKS_UNREACHABLE);
    assertThat(r.why()).contains("HTTP 503");
  }

  @Test
  @DisplayName("G1: a malformed JWKS document at the URL refuses")
  void urlMalformed() {
    FakeFetcher f = new FakeFetcher();
    f.body.set("<html>login required</html>");
    refusal(
        verifier(URL, dir, new RemoteJwks(f)),
        context(Clock.fixed(NOW, ZoneOffset.UTC), token(NOW, "rsa-1")),
        CiRefusal.Reason.JWKS_MALFORMED);
  }

  @Test
  @DisplayName("G1: the JWKS is cached for its Cache-Control max-age, then fetched again")
  void cacheHonoursMaxAge() {
    FakeFetcher f = new FakeFetcher();
    RemoteJwks remote = new RemoteJwks(f);
    ManualClock clock = new ManualClock();
    OidcVerifier v = verifier(URL, dir, remote);
    v.verify(context(clock, token(clock.now, "rsa-1")), "x");
    clock.now = NOW.plusSeconds(299);
    v.verify(context(clock, token(clock.now, "rsa-1")), "x");
    assertThat(f.requests.get()).isEqualTo(1);
    clock.now = NOW.plusSeconds(301);
    v.verify(context(clock, token(clock.now, "rsa-1")), "x");
    assertThat(f.requests.get()).isEqualTo(2);
  }

  @Test
  @DisplayName("G1: a JWKS sent with no-store or without max-age is not cached")
  void noStoreNotCached() {
    FakeFetcher f = new FakeFetcher();
    f.cacheControl = "no-store";
    OidcVerifier v = verifier(URL, dir, new RemoteJwks(f));
    RunContext c = context(Clock.fixed(NOW, ZoneOffset.UTC), token(NOW, "rsa-1"));
    v.verify(c, "x");
    v.verify(c, "x");
    f.cacheControl = null;
    v.verify(c, "x");
    assertThat(f.requests.get()).isEqualTo(3);
    assertThat(RemoteJwks.maxAge(Optional.of("public, max-age=600"))).hasSeconds(600);
    assertThat(RemoteJwks.maxAge(Optional.of("max-age=600, no-cache"))).isZero();
    assertThat(RemoteJwks.maxAge(Optional.of("max-age=9999999"))).isEqualTo(Duration.ofHours(24));
    assertThat(RemoteJwks.maxAge(Optional.of("max-age=abc"))).isZero();
  }

  @Test
  @DisplayName("G1: an unknown kid refetches the JWKS once (key rotation), then refuses")
  void unknownKidRefetchesOnce() {
    FakeFetcher f = new FakeFetcher();
    f.body.set(CI.jwksJson(CI.ec)); // before rotation: rsa-1 not yet published
    OidcVerifier v = verifier(URL, dir, new RemoteJwks(f));
    RunContext ec = OidcTokens.context(Map.of(CiTokenSource.TOKEN_VARIABLE, CI.es256(b -> b)));
    v.verify(ec, "x");
    assertThat(f.requests.get()).isEqualTo(1);

    f.body.set(CI.jwksJson(CI.ec, CI.rsa)); // the provider rotates in rsa-1
    CiIdentity id = v.verify(context(Clock.fixed(NOW, ZoneOffset.UTC), token(NOW, "rsa-1")), "x");
    assertThat(id.subject()).isNotBlank();
    assertThat(f.requests.get()).isEqualTo(2);

    refusal(
        v,
        context(Clock.fixed(NOW, ZoneOffset.UTC), token(NOW, "attacker-1")),
        CiRefusal.Reason.KEY_NOT_IN_JWKS);
    assertThat(f.requests.get()).as("one refetch per unknown kid, not a loop").isEqualTo(3);
  }

  @Test
  @DisplayName("G1: the JWKS is fetched over real https, and cached by its Cache-Control")
  void realHttpsFetchAndCache() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    byte[] body = CI.jwksJson().getBytes(StandardCharsets.UTF_8);
    try (LocalHttpsServer server =
        new LocalHttpsServer(
            dir,
            "/.well-known/jwks",
            ex -> {
              requests.incrementAndGet();
              ex.getResponseHeaders().add("Content-Type", "application/json");
              ex.getResponseHeaders().add("Cache-Control", "public, max-age=120");
              ex.sendResponseHeaders(200, body.length);
              ex.getResponseBody().write(body);
              ex.close();
            })) {
      OidcVerifier v =
          verifier(
              server.url("/.well-known/jwks"),
              dir,
              new RemoteJwks(new HttpsJwksFetcher(server.clientContext())));
      RunContext c = context(Clock.fixed(NOW, ZoneOffset.UTC), token(NOW, "rsa-1"));
      assertThat(v.verify(c, "x").repository()).contains("acme/shop");
      assertThat(v.verify(c, "x").repository()).contains("acme/shop");
      assertThat(requests.get()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("G1: an https JWKS server with an untrusted certificate refuses")
  void untrustedCertificate() throws Exception {
    byte[] body = CI.jwksJson().getBytes(StandardCharsets.UTF_8);
    try (LocalHttpsServer server =
        new LocalHttpsServer(
            dir,
            "/jwks",
            ex -> {
              ex.sendResponseHeaders(200, body.length);
              ex.getResponseBody().write(body);
              ex.close();
            })) {
      OidcVerifier v = verifier(server.url("/jwks"), dir, new RemoteJwks(new HttpsJwksFetcher()));
      refusal(
          v,
          context(Clock.fixed(NOW, ZoneOffset.UTC), token(NOW, "rsa-1")),
          CiRefusal.Reason.JWKS_UNREACHABLE);
    }
  }
}
