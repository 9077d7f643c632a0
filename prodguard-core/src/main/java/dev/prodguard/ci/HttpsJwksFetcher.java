package dev.prodguard.ci;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** The real fetcher: https only, bounded time and size, no downgrade on redirect. */
public final class HttpsJwksFetcher implements JwksFetcher {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  static final int MAX_BYTES = 1024 * 1024;

  private final SSLContext sslContext;
  private volatile HttpClient client;

  /** Trusts the JVM's default CA certificates. */
  public HttpsJwksFetcher() {
    this(null);
  }

  /** Trusts what {@code sslContext} trusts (tests with a self-signed local server). */
  public HttpsJwksFetcher(SSLContext sslContext) {
    this.sslContext = sslContext;
  }

  @Override
  public Response fetch(URI uri) throws IOException {
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IOException("not an https URL");
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json")
            .GET()
            .build();
    try {
      HttpResponse<InputStream> response =
          client().send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_BYTES + 1);
      }
      if (body.length > MAX_BYTES) {
        throw new IOException("the JWKS document is larger than " + MAX_BYTES + " bytes");
      }
      return new Response(
          response.statusCode(),
          new String(body, StandardCharsets.UTF_8),
          response.headers().firstValue("Cache-Control"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private HttpClient client() {
    HttpClient c = client;
    if (c == null) {
      HttpClient.Builder b =
          HttpClient.newBuilder()
              .connectTimeout(CONNECT_TIMEOUT)
              // NORMAL never follows https -> http
              .followRedirects(HttpClient.Redirect.NORMAL);
      if (sslContext != null) {
        b.sslContext(sslContext);
      }
      c = b.build();
      client = c;
    }
    return c;
  }
}
