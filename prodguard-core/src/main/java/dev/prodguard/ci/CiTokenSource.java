package dev.prodguard.ci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prodguard.config.CiConfig;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the CI's OIDC ID token, in this order: {@code PRODGUARD_CI_TOKEN}; the variable named by
 * {@code ci.oidc.token-variable} (GitLab {@code id_tokens}); a GitHub Actions token request. The
 * token is registered with the {@link Redactor} as soon as it is known.
 */
final class CiTokenSource {
  static final String TOKEN_VARIABLE = "PRODGUARD_CI_TOKEN";
  static final String GITHUB_URL = "ACTIONS_ID_TOKEN_REQUEST_URL";
  static final String GITHUB_REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_BYTES = 64 * 1024;

  /** A token and where it came from (a name, never the value). */
  record Token(String value, String source) {}

  private CiTokenSource() {}

  static Token find(RunContext context, CiConfig.Oidc oidc) {
    String direct = nonBlank(context.get(TOKEN_VARIABLE));
    if (direct != null) {
      return token(direct, TOKEN_VARIABLE);
    }
    if (oidc.tokenVariable().isPresent()) {
      String name = oidc.tokenVariable().get();
      String value = nonBlank(context.get(name));
      if (value != null) {
        return token(value, name + " (ci.oidc.token-variable)");
      }
    }
    String url = nonBlank(context.get(GITHUB_URL));
    String bearer = nonBlank(context.get(GITHUB_REQUEST_TOKEN));
    if (url != null && bearer != null) {
      Redactor.registerSecret(bearer);
      return token(requestGitHub(url, bearer, oidc.audience()), "the GitHub Actions token request");
    }
    throw missing(context, oidc, url != null || bearer != null);
  }

  private static Token token(String value, String source) {
    Redactor.registerSecret(value);
    return new Token(value, source);
  }

  private static OidcFailure missing(RunContext context, CiConfig.Oidc oidc, boolean halfGitHub) {
    List<String> looked = new ArrayList<>();
    looked.add(TOKEN_VARIABLE + " is not set");
    oidc.tokenVariable().ifPresent(v -> looked.add(v + " (ci.oidc.token-variable) is not set"));
    looked.add(
        halfGitHub
            ? "only one of " + GITHUB_URL + " and " + GITHUB_REQUEST_TOKEN + " is set"
            : "this is not a GitHub Actions job allowed to request an ID token");
    String why =
        "ci.mode is 'oidc' and there is no CI identity token: "
            + String.join("; ", looked)
            + (context.claimsCi()
                ? ". CI=true is set, but in 'oidc' mode only a token signed by the CI provider"
                    + " counts"
                : "");
    String fix =
        "run this from the CI pipeline. GitHub Actions: give the job 'permissions: id-token:"
            + " write'. GitLab: declare 'id_tokens: { "
            + oidc.tokenVariable().orElse("PRODGUARD_ID_TOKEN")
            + ": { aud: "
            + oidc.audience()
            + " } }' in the job"
            + (oidc.tokenVariable().isPresent()
                ? ""
                : " and set ci.oidc.token-variable to its name")
            + ". See docs/ci-identity.md";
    return new OidcFailure(CiRefusal.Reason.TOKEN_MISSING, why, fix);
  }

  /** GitHub Actions: GET the request URL with {@code &audience=}, bearer auth, JSON {value}. */
  static String requestGitHub(String requestUrl, String bearer, String audience) {
    String fix =
        "check that the job has 'permissions: id-token: write' and retry the job; GitHub's"
            + " token service may be briefly unavailable";
    URI uri;
    try {
      uri =
          URI.create(
              requestUrl
                  + (requestUrl.contains("?") ? "&" : "?")
                  + "audience="
                  + URLEncoder.encode(audience, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_REQUEST_FAILED, GITHUB_URL + " is not a valid URL", fix);
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) && !loopbackHttp(uri)) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_REQUEST_FAILED,
          GITHUB_URL + " is not an https URL; the request token is never sent in clear text",
          fix);
    }
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Authorization", "bearer " + bearer)
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<InputStream> response;
    byte[] body;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_BYTES + 1);
      }
    } catch (IOException e) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_REQUEST_FAILED,
          "the GitHub Actions ID token request to "
              + uri.getHost()
              + " failed: "
              + e.getClass().getSimpleName(),
          fix);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_REQUEST_FAILED,
          "interrupted while requesting the GitHub Actions ID token",
          fix);
    }
    if (response.statusCode() != 200) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_REQUEST_FAILED,
          "the GitHub Actions ID token request was answered with HTTP " + response.statusCode(),
          fix);
    }
    String value = null;
    if (body.length <= MAX_BYTES) {
      try {
        JsonNode json = new ObjectMapper().readTree(body);
        JsonNode v = json == null ? null : json.get("value");
        value = v != null && v.isTextual() ? nonBlank(v.asText()) : null;
      } catch (IOException e) {
        value = null;
      }
    }
    if (value == null) {
      throw new OidcFailure(
          CiRefusal.Reason.TOKEN_REQUEST_FAILED,
          "the GitHub Actions ID token response is not JSON with a 'value' string",
          fix);
    }
    return value;
  }

  /** Plain http only to this machine (a local runner emulation); never across a network. */
  private static boolean loopbackHttp(URI uri) {
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      return false;
    }
    String host = uri.getHost();
    if (host.equals("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")) {
      return false; // no DNS lookups to decide
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
