package dev.prodguard.cli;

import dev.prodguard.ci.CiIdentity;
import dev.prodguard.ci.CiRefusal;
import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.CiConfig;
import dev.prodguard.config.ProdguardConfig;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code prodguard ci whoami}: runs the same G1 check that mutating commands run, and prints the
 * identity or the refusal. Never opens a database connection; never prints the token.
 */
@Command(
    name = "whoami",
    mixinStandardHelpOptions = true,
    description = {
      "Print the CI identity a protected change would use, or why it is refused.",
      "Runs the same G1 check as init-fingerprint, verify, backup, deploy and promote;",
      "exit 1 when it refuses. Touches no database and never prints the token."
    })
public final class CiWhoamiCommand implements Callable<Integer> {
  static final String ACTION = "ci whoami";

  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Mixin FormatOption format;

  @Override
  public Integer call() {
    ProdguardConfig config = common.load();
    String mode = config.ci().mode() == CiConfig.Mode.OIDC ? "oidc" : "env";
    PrintWriter out = spec.commandLine().getOut();
    CiIdentity id;
    try {
      id = CiVerifiers.forConfig(config).verify(common.context(), ACTION);
    } catch (CiRefusal r) {
      if (!format.json()) {
        throw r; // the one-screen refusal on stderr, exit 1
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("status", "refused");
      json.put("mode", mode);
      json.put("guarantee", r.guarantee().name());
      json.put("reason", r.reason().code());
      json.put("why", r.why());
      json.put("fix", r.fix());
      out.println(Json.write(json));
      return Main.REFUSED;
    }
    if (format.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("status", "ok");
      json.put("mode", id.mode());
      json.put("issuer", id.issuer());
      json.put("subject", id.subject());
      json.put("repository", id.repository().orElse(null));
      json.put("ref", id.ref().orElse(null));
      json.put("run_id", id.runId().orElse(null));
      json.put("token_id", id.tokenId().orElse(null));
      out.println(Json.write(json));
      return Main.OK;
    }
    out.println("ci.mode:    " + id.mode());
    out.println("issuer:     " + id.issuer());
    out.println("subject:    " + id.subject());
    out.println("repository: " + id.repository().orElse("-"));
    out.println("ref:        " + id.ref().orElse("-"));
    out.println("run id:     " + id.runId().orElse("-"));
    out.println("token id:   " + id.tokenId().orElse("-"));
    if (config.ci().mode() == CiConfig.Mode.ENV) {
      out.println(
          "note: ci.mode 'env' trusts CI=true, which any shell can set; configure ci.mode 'oidc'"
              + " to require a token signed by the CI provider (docs/ci-identity.md)");
    }
    return Main.OK;
  }
}
