package dev.prodguard.ci;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.prodguard.config.CiConfig;
import dev.prodguard.db.RunContext;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code ci.mode: oidc}: the process proves it is a CI job with an OIDC ID token that the CI
 * provider signed. Checks, in order: token present and well-formed, asymmetric algorithm, signature
 * by a key of the configured JWKS, issuer, audience, exp/nbf/iat within the clock skew, subject,
 * every pinned claim and claim pattern. Each defect refuses with its own {@link CiRefusal.Reason};
 * the token is never part of a message.
 */
public final class OidcVerifier implements CiVerifier {
  /** Asymmetric algorithms the JDK verifies without extra providers. */
  static final Set<JWSAlgorithm> ACCEPTED =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512,
          JWSAlgorithm.EdDSA,
          JWSAlgorithm.Ed25519);

  private static final int MAX_TOKEN_CHARS = 16 * 1024;

  private final CiConfig.Oidc oidc;
  private final Jwks jwks;

  /**
   * @param baseDir folder of prodguard.yml, against which a {@code file:} JWKS is resolved
   * @param remote cache and fetcher for an https JWKS
   */
  public OidcVerifier(CiConfig.Oidc oidc, Path baseDir, RemoteJwks remote) {
    this.oidc = oidc;
    this.jwks = new Jwks(oidc.jwks(), baseDir, remote);
  }

  @Override
  public CiIdentity verify(RunContext context, String action) {
    try {
      return check(context);
    } catch (OidcFailure f) {
      throw new CiRefusal(f.reason, action, f.why, f.fix);
    }
  }

  private CiIdentity check(RunContext context) {
    CiTokenSource.Token token = CiTokenSource.find(context, oidc);
    String src = "the token from " + token.source();
    // the declared algorithm first: 'none' and HMAC get their own reason however they are dressed
    String declared = declaredAlgorithm(token.value());
    if (declared != null) {
      checkAlgorithm(JWSAlgorithm.parse(declared), src);
    }
    SignedJWT jwt = parse(token, src);
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    checkAlgorithm(alg, src);
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet(); // read now, trusted only after the signature check
    } catch (ParseException e) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_MALFORMED,
          src + " has a payload that is not a JSON claims set",
          "pass the CI provider's ID token unmodified");
    }
    Instant now = context.clock().instant();
    checkSignature(jwt, alg, src, now);
    checkIssuer(claims, src);
    checkAudience(claims, src);
    checkTimes(claims, src, now);
    String subject = text(claims, "sub", src);
    if (subject == null || subject.isBlank()) {
      throw new OidcFailure(
          CiRefusal.Reason.CLAIM_MISSING,
          src + " has no 'sub' (subject) claim, so it names no CI job",
          "use the ID token your CI provider issues for the job");
    }
    checkPinned(claims, src);
    return new CiIdentity(
        "oidc",
        claims.getIssuer(),
        subject,
        first(claims, "repository", "project_path"),
        first(claims, "ref"),
        first(claims, "run_id", "pipeline_id"),
        Optional.ofNullable(claims.getJWTID()));
  }

  private static SignedJWT parse(CiTokenSource.Token token, String src) {
    String fix =
        "pass the CI provider's ID token unmodified: three base64url parts separated by dots";
    if (token.value().length() > MAX_TOKEN_CHARS) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_MALFORMED,
          src + " is longer than " + MAX_TOKEN_CHARS + " characters; it is not an ID token",
          fix);
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token.value());
    } catch (ParseException | RuntimeException e) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_MALFORMED,
          src + " is not a well-formed JWT" + safeDetail(e.getMessage(), token.value()),
          fix);
    }
    if (jwt instanceof PlainJWT) {
      throw new OidcFailure(
          CiRefusal.Reason.ALG_NONE,
          src + " is unsigned (alg 'none'): anyone can write such a token",
          "unsigned tokens are never accepted; use the ID token your CI provider signs");
    }
    if (jwt instanceof EncryptedJWT) {
      throw new OidcFailure(
          CiRefusal.Reason.ALG_UNSUPPORTED,
          src + " is an encrypted JWT (JWE); only signed ID tokens (JWS) are accepted",
          "use the ID token your CI provider signs");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new OidcFailure(CiRefusal.Reason.TOKEN_MALFORMED, src + " is not a signed JWT", fix);
    }
    return signed;
  }

  /** The header's "alg", read without trusting anything else in the token; null if unreadable. */
  private static String declaredAlgorithm(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.length() > MAX_TOKEN_CHARS) {
      return null;
    }
    try {
      Object alg =
          JSONObjectUtils.parse(new Base64URL(token.substring(0, dot)).decodeToString()).get("alg");
      return alg instanceof String a ? a : null;
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }

  private static void checkAlgorithm(JWSAlgorithm alg, String src) {
    String name = alg == null ? "" : alg.getName();
    if (name.equalsIgnoreCase("none")) {
      throw new OidcFailure(
          CiRefusal.Reason.ALG_NONE,
          src + " declares alg '" + name + "' (unsigned): anyone can write such a token",
          "unsigned tokens are never accepted; use the ID token your CI provider signs");
    }
    if (JWSAlgorithm.Family.HMAC_SHA.contains(alg) || name.toUpperCase().startsWith("HS")) {
      throw new OidcFailure(
          CiRefusal.Reason.ALG_HMAC,
          src
              + " is signed with "
              + name
              + ", a shared-secret (HMAC) algorithm: it cannot prove that the CI provider issued"
              + " it, and checking it against a public key is the algorithm-confusion forgery",
          "only asymmetric signatures (RS*, PS*, ES*, EdDSA) are accepted; use the ID token"
              + " your CI provider signs");
    }
    if (!ACCEPTED.contains(alg)) {
      throw new OidcFailure(
          CiRefusal.Reason.ALG_UNSUPPORTED,
          src + " is signed with '" + name + "', which prodguard does not accept",
          "accepted: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA (Ed25519)");
    }
  }

  private void checkSignature(SignedJWT jwt, JWSAlgorithm alg, String src, Instant now) {
    JWSHeader header = jwt.getHeader();
    String kid = header.getKeyID();
    RemoteJwks.Loaded loaded = jwks.load(now);
    List<JWK> named = named(loaded.keys(), kid, alg);
    if (named.isEmpty() && loaded.fromCache()) {
      named = named(jwks.refresh(now), kid, alg); // the provider may have rotated its keys
    }
    String keysAt = "the JWKS " + oidc.jwks();
    if (named.isEmpty()) {
      throw new OidcFailure(
          CiRefusal.Reason.KEY_NOT_IN_JWKS,
          kid != null
              ? src + " is signed with key '" + kid + "', which is not in " + keysAt
              : src + " names no key id and no key in " + keysAt + " can verify " + alg,
          jwks.isRemote()
              ? "only tokens signed by " + oidc.issuer() + " are accepted"
              : "if "
                  + oidc.issuer()
                  + " rotated its keys, refresh the committed JWKS from the"
                  + " provider; otherwise this token was not issued by it");
    }
    List<JWK> fitting = named.stream().filter(k -> fits(k, alg)).toList();
    if (fitting.isEmpty()) {
      throw new OidcFailure(
          CiRefusal.Reason.SIGNATURE_INVALID,
          src + " claims " + alg + " but key '" + kid + "' in " + keysAt + " cannot verify " + alg,
          "use the ID token your CI provider issues, unmodified");
    }
    for (JWK key : fitting) {
      if (verifies(jwt, key)) {
        return;
      }
    }
    throw new OidcFailure(
        CiRefusal.Reason.SIGNATURE_INVALID,
        src
            + " has a signature that does not verify with "
            + (kid == null ? "any key" : "key '" + kid + "'")
            + " of "
            + keysAt
            + ": it was altered or forged",
        "use the ID token your CI provider issues, unmodified");
  }

  /** Keys the header names: by kid when there is one, else every key. */
  private static List<JWK> named(JWKSet keys, String kid, JWSAlgorithm alg) {
    if (kid != null) {
      return keys.getKeys().stream().filter(k -> kid.equals(k.getKeyID())).toList();
    }
    return keys.getKeys().stream().filter(k -> fits(k, alg)).toList();
  }

  private static boolean fits(JWK key, JWSAlgorithm alg) {
    if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
      return false;
    }
    if (JWSAlgorithm.Family.RSA.contains(alg)) {
      return key instanceof RSAKey;
    }
    if (JWSAlgorithm.Family.EC.contains(alg)) {
      return key instanceof ECKey ec && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
    }
    return key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve());
  }

  private static boolean verifies(SignedJWT jwt, JWK key) {
    try {
      if (key instanceof RSAKey rsa) {
        return jwt.verify(new RSASSAVerifier(rsa));
      }
      if (key instanceof ECKey ec) {
        return jwt.verify(new ECDSAVerifier(ec));
      }
      if (key instanceof OctetKeyPair okp) {
        Set<String> crit = jwt.getHeader().getCriticalParams();
        return (crit == null || crit.isEmpty())
            && Ed25519Signatures.verify(okp, jwt.getSigningInput(), jwt.getSignature().decode());
      }
      return false;
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }

  private void checkIssuer(JWTClaimsSet claims, String src) {
    String iss = claims.getIssuer();
    if (!oidc.issuer().equals(iss)) {
      throw new OidcFailure(
          CiRefusal.Reason.ISSUER_MISMATCH,
          (iss == null
                  ? src + " has no 'iss' (issuer) claim"
                  : src + " was issued by '" + iss + "'")
              + "; prodguard.yml trusts only '"
              + oidc.issuer()
              + "' (ci.oidc.issuer)",
          "run this from the CI provider named in ci.oidc.issuer");
    }
  }

  private void checkAudience(JWTClaimsSet claims, String src) {
    List<String> aud = claims.getAudience();
    if (aud == null || !aud.contains(oidc.audience())) {
      throw new OidcFailure(
          CiRefusal.Reason.AUDIENCE_MISMATCH,
          (aud == null || aud.isEmpty()
                  ? src + " has no 'aud' (audience) claim"
                  : src + " is meant for audience " + aud)
              + ", not for '"
              + oidc.audience()
              + "' (ci.oidc.audience)",
          "GitHub Actions: prodguard requests audience '"
              + oidc.audience()
              + "' itself; GitLab: declare 'aud: "
              + oidc.audience()
              + "' in the job's id_tokens");
    }
  }

  private void checkTimes(JWTClaimsSet claims, String src, Instant now) {
    Duration skew = oidc.clockSkew();
    String skewNote = " (now " + now + ", clock skew allowed " + skew.toSeconds() + "s)";
    Date exp = claims.getExpirationTime();
    Date iat = claims.getIssueTime();
    if (exp == null || iat == null) {
      throw new OidcFailure(
          CiRefusal.Reason.CLAIM_MISSING,
          src
              + " has no '"
              + (exp == null ? "exp" : "iat")
              + "' claim; a token without a lifetime is never accepted",
          "use the ID token your CI provider issues for this job");
    }
    String fresh =
        "tokens live for minutes: mint a fresh one in the same CI job and use it at once";
    if (now.isAfter(exp.toInstant().plus(skew))) {
      throw new OidcFailure(
          CiRefusal.Reason.EXPIRED, src + " expired at " + exp.toInstant() + skewNote, fresh);
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant().minus(skew))) {
      throw new OidcFailure(
          CiRefusal.Reason.NOT_YET_VALID,
          src + " is not valid before " + nbf.toInstant() + skewNote,
          "check the clock of this machine; " + fresh);
    }
    if (now.isBefore(iat.toInstant().minus(skew))) {
      throw new OidcFailure(
          CiRefusal.Reason.ISSUED_IN_FUTURE,
          src + " claims to be issued in the future, at " + iat.toInstant() + skewNote,
          "check the clock of this machine; " + fresh);
    }
  }

  private void checkPinned(JWTClaimsSet claims, String src) {
    String fix =
        "run this from the repository, branch and environment that prodguard.yml pins; the"
            + " pins change only through a reviewed change of ci.oidc in prodguard.yml";
    for (Map.Entry<String, String> pin : new TreeMap<>(oidc.claims()).entrySet()) {
      String actual = pinnedClaim(claims, src, pin.getKey(), pin.getValue(), fix);
      if (!actual.equals(pin.getValue())) {
        throw new OidcFailure(
            CiRefusal.Reason.CLAIM_MISMATCH,
            src
                + " has "
                + pin.getKey()
                + " '"
                + actual
                + "', but prodguard.yml pins "
                + pin.getKey()
                + " to '"
                + pin.getValue()
                + "' (ci.oidc.claims)",
            fix);
      }
    }
    for (Map.Entry<String, String> pin : new TreeMap<>(oidc.claimPatterns()).entrySet()) {
      String actual = pinnedClaim(claims, src, pin.getKey(), pin.getValue(), fix);
      if (!ClaimGlob.matches(pin.getValue(), actual)) {
        throw new OidcFailure(
            CiRefusal.Reason.CLAIM_MISMATCH,
            src
                + " has "
                + pin.getKey()
                + " '"
                + actual
                + "', which does not match the pattern '"
                + pin.getValue()
                + "' that prodguard.yml pins (ci.oidc.claim-patterns)",
            fix);
      }
    }
  }

  private static String pinnedClaim(
      JWTClaimsSet claims, String src, String name, String expected, String fix) {
    String actual = text(claims, name, src);
    if (actual == null) {
      throw new OidcFailure(
          CiRefusal.Reason.CLAIM_MISSING,
          src
              + " has no '"
              + name
              + "' claim, and prodguard.yml pins it to '"
              + expected
              + "'"
              + ("environment".equals(name)
                  ? " (GitHub Actions and GitLab set it only for jobs that declare an"
                      + " environment)"
                  : ""),
          "environment".equals(name)
              ? "declare 'environment: " + expected + "' on the CI job; " + fix
              : fix);
    }
    return actual;
  }

  /** A claim as text; numbers and booleans as written; lists and objects are refused. */
  private static String text(JWTClaimsSet claims, String name, String src) {
    Object v = claims.getClaim(name);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    throw new OidcFailure(
        CiRefusal.Reason.CLAIM_MISMATCH,
        src + " has a '" + name + "' claim that is not a single value",
        "use the ID token your CI provider issues for the job");
  }

  private static Optional<String> first(JWTClaimsSet claims, String... names) {
    for (String n : names) {
      Object v = claims.getClaim(n);
      if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        return Optional.of(v.toString());
      }
    }
    return Optional.empty();
  }

  /** A parser's message, unless it quotes any part of the token. */
  private static String safeDetail(String message, String token) {
    if (message == null || message.isBlank()) {
      return "";
    }
    for (String part : token.split("\\.")) {
      if (part.length() >= 4 && message.contains(part)) {
        return "";
      }
    }
    String m = message.length() > 120 ? message.substring(0, 120) + "..." : message;
    return " (" + m + ")";
  }
}
