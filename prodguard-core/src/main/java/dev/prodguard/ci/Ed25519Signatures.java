package dev.prodguard.ci;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/**
 * EdDSA (Ed25519) verification with the JDK's own provider: nimbus-jose-jwt needs Tink for it, and
 * core depends on nothing beyond the JWT library.
 */
final class Ed25519Signatures {
  /** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32-byte key follows. */
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private Ed25519Signatures() {}

  static boolean verify(OctetKeyPair key, byte[] signingInput, byte[] signature) {
    if (!Curve.Ed25519.equals(key.getCurve())) {
      return false;
    }
    byte[] x = key.getDecodedX();
    if (x.length != 32 || signature.length != 64) {
      return false;
    }
    byte[] spki = new byte[SPKI_PREFIX.length + 32];
    System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
    System.arraycopy(x, 0, spki, SPKI_PREFIX.length, 32);
    try {
      PublicKey pub =
          KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(pub);
      s.update(signingInput);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
