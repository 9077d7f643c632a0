package dev.prodguard.ci;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/** Fetches a JWKS document over https; an interface so that the cache can be tested offline. */
public interface JwksFetcher {

  /** The HTTP answer: status, body (bounded) and the Cache-Control header if present. */
  record Response(int status, String body, Optional<String> cacheControl) {}

  /**
   * @throws IOException when the server cannot be reached or the exchange fails
   */
  Response fetch(URI uri) throws IOException;
}
