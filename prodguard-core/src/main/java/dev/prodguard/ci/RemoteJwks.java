package dev.prodguard.ci;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JWKS documents fetched over https and kept in memory as long as their {@code Cache-Control:
 * max-age} allows. An unreachable or broken document refuses; a stale copy is never used.
 */
public final class RemoteJwks {
  /** Upper bound on any max-age, so a mistaken header cannot pin keys for days. */
  static final Duration MAX_CACHE = Duration.ofHours(24);

  private final JwksFetcher fetcher;
  private final Map<URI, Entry> cache = new ConcurrentHashMap<>();
  private final AtomicInteger fetches = new AtomicInteger();

  private record Entry(JWKSet keys, Instant expires) {}

  /** A JWKS and whether it came from the cache (then a refetch may find newer keys). */
  record Loaded(JWKSet keys, boolean fromCache) {}

  public RemoteJwks(JwksFetcher fetcher) {
    this.fetcher = fetcher;
  }

  /** How many times the network was asked: for tests of the cache. */
  public int fetches() {
    return fetches.get();
  }

  Loaded get(URI uri, Instant now) {
    Entry e = cache.get(uri);
    if (e != null && now.isBefore(e.expires())) {
      return new Loaded(e.keys(), true);
    }
    return new Loaded(refresh(uri, now), false);
  }

  JWKSet refresh(URI uri, Instant now) {
    cache.remove(uri);
    fetches.incrementAndGet();
    String fix =
        "make "
            + uri.getHost()
            + " reachable from the CI runner, or commit the JWKS and set ci.oidc.jwks to a"
            + " 'file:' path; prodguard never falls back to ci.mode 'env'";
    JwksFetcher.Response response;
    try {
      response = fetcher.fetch(uri);
    } catch (IOException | RuntimeException e) {
      throw new OidcFailure(
          CiRefusal.Reason.JWKS_UNREACHABLE,
          "the JWKS at "
              + uri
              + " could not be fetched ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "), so no token can be verified",
          fix);
    }
    if (response.status() != 200) {
      throw new OidcFailure(
          CiRefusal.Reason.JWKS_UNREACHABLE,
          "the JWKS at " + uri + " answered HTTP " + response.status() + ", not 200",
          fix);
    }
    JWKSet keys = Jwks.parse(response.body(), "the JWKS at " + uri);
    Duration maxAge = maxAge(response.cacheControl());
    if (!maxAge.isZero()) {
      cache.put(uri, new Entry(keys, now.plus(maxAge)));
    }
    return keys;
  }

  /** {@code max-age} from a Cache-Control header; zero for none, no-cache or no-store. */
  static Duration maxAge(Optional<String> cacheControl) {
    if (cacheControl.isEmpty()) {
      return Duration.ZERO;
    }
    Duration out = Duration.ZERO;
    for (String part : cacheControl.get().split(",")) {
      String d = part.strip().toLowerCase(Locale.ROOT);
      if (d.equals("no-store") || d.equals("no-cache")) {
        return Duration.ZERO;
      }
      if (d.startsWith("max-age=")) {
        try {
          long s = Long.parseLong(d.substring("max-age=".length()).replace("\"", ""));
          out = s <= 0 ? Duration.ZERO : Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
          return Duration.ZERO;
        }
      }
    }
    return out.compareTo(MAX_CACHE) > 0 ? MAX_CACHE : out;
  }
}
