package dev.prodguard.ci;

import dev.prodguard.db.RunContext;
import java.util.Optional;

/** {@code ci.mode: env}: parity with the original specification, {@code CI=true} exactly. */
public final class EnvModeVerifier implements CiVerifier {

  @Override
  public CiIdentity verify(RunContext context, String action) {
    if (!context.claimsCi()) {
      String ci = context.get("CI");
      throw new CiRefusal(
          CiRefusal.Reason.NOT_CI,
          action,
          "this process is not CI ("
              + (ci == null ? "CI is not set" : "CI=" + ci + ", not exactly 'true'")
              + "); on a protected environment '"
              + action
              + "' runs only from CI (docs/ci-identity.md lists why each such command does)."
              + " Note: ci.mode 'env'"
              + " trusts the CI=true claim, which any shell can make: configure ci.mode 'oidc'"
              + " to require a signed CI identity token",
          "run it as a step of the CI pipeline (push your change and let the pipeline run it)");
    }
    return new CiIdentity(
        "env",
        "env:CI",
        firstSet(context, "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER").orElse(context.osUser()),
        firstSet(context, "GITHUB_REPOSITORY", "CI_PROJECT_PATH"),
        firstSet(context, "GITHUB_REF", "CI_COMMIT_REF_NAME"),
        firstSet(context, "GITHUB_RUN_ID", "CI_PIPELINE_ID"),
        Optional.empty());
  }

  private static Optional<String> firstSet(RunContext c, String... names) {
    for (String n : names) {
      String v = c.get(n);
      if (v != null && !v.isBlank()) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
