package dev.prodguard.ci;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import dev.prodguard.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;

/** Where {@code ci.oidc.jwks} points: a {@code file:} path or an https URL. */
final class Jwks {
  private static final int MAX_BYTES = 1024 * 1024;

  private final String spec;
  private final Path file;
  private final URI url;
  private final RemoteJwks remote;

  Jwks(String spec, Path baseDir, RemoteJwks remote) {
    this.spec = spec;
    this.remote = remote;
    try {
      if (spec.startsWith("file:")) {
        this.file = baseDir.resolve(spec.substring("file:".length())).normalize();
        this.url = null;
      } else {
        this.file = null;
        this.url = new URI(spec);
        if (url.getHost() == null) {
          throw new URISyntaxException(spec, "no host");
        }
      }
    } catch (URISyntaxException | InvalidPathException e) {
      throw new ConfigException(
          "ci.oidc.jwks '"
              + spec
              + "' is not a valid 'file:' path or https URL: "
              + e.getMessage());
    }
  }

  boolean isRemote() {
    return url != null;
  }

  RemoteJwks.Loaded load(Instant now) {
    return isRemote() ? remote.get(url, now) : new RemoteJwks.Loaded(readFile(), false);
  }

  /** A fresh copy, after a token named a key id the cached copy does not have. */
  JWKSet refresh(Instant now) {
    return isRemote() ? remote.refresh(url, now) : readFile();
  }

  private JWKSet readFile() {
    String fix =
        "commit the CI provider's JWKS at "
            + file
            + " (GitHub: https://token.actions.githubusercontent.com/.well-known/jwks; GitLab:"
            + " https://gitlab.com/oauth/discovery/keys) or set ci.oidc.jwks to that https URL";
    if (!Files.isRegularFile(file)) {
      throw new OidcFailure(
          CiRefusal.Reason.JWKS_FILE_MISSING,
          "the JWKS file " + file + " (ci.oidc.jwks '" + spec + "') does not exist",
          fix);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new OidcFailure(
          CiRefusal.Reason.JWKS_FILE_MISSING,
          "the JWKS file " + file + " cannot be read: " + e.getClass().getSimpleName(),
          fix);
    }
    if (bytes.length > MAX_BYTES) {
      throw new OidcFailure(
          CiRefusal.Reason.JWKS_MALFORMED,
          "the JWKS file " + file + " is larger than " + MAX_BYTES + " bytes",
          fix);
    }
    return parse(new String(bytes, StandardCharsets.UTF_8), "the JWKS file " + file);
  }

  /** Public signing keys only: private parts and symmetric keys are dropped, never used. */
  static JWKSet parse(String text, String what) {
    JWKSet all;
    try {
      all = JWKSet.parse(text);
    } catch (ParseException | RuntimeException e) {
      throw new OidcFailure(
          CiRefusal.Reason.JWKS_MALFORMED,
          what + " is not a valid JWK set (RFC 7517): " + e.getMessage(),
          "replace it with the JWKS your CI provider publishes, unmodified");
    }
    List<JWK> usable = all.getKeys().stream().filter(Jwks::usable).map(JWK::toPublicJWK).toList();
    if (usable.isEmpty()) {
      throw new OidcFailure(
          CiRefusal.Reason.JWKS_MALFORMED,
          what + " contains no RSA, EC or Ed25519 public signing key",
          "replace it with the JWKS your CI provider publishes, unmodified");
    }
    return new JWKSet(usable);
  }

  private static boolean usable(JWK k) {
    if (k.getKeyUse() != null && !"sig".equals(k.getKeyUse().identifier())) {
      return false;
    }
    return k instanceof RSAKey
        || k instanceof ECKey
        || (k instanceof OctetKeyPair o && Curve.Ed25519.equals(o.getCurve()));
  }
}
