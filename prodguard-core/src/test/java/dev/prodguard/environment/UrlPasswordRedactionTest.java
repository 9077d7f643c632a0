package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.ConnectionRecorder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords made of every URL-special character, in every URL form and every place a password can
 * stand, through every error path a URL can take (parser, configuration error, G3 refusal, driver
 * failure): no message, exception text or stack trace holds the password or any 3-character
 * fragment of it.
 */
@DisplayName("Database URL passwords are never printed, however badly they are encoded")
class UrlPasswordRedactionTest {
  @TempDir Path dir;

  static final String SPECIALS = "?/@#%:&=+[],; '\"\\!$*()~^{}|<>`";
  static final List<String> FORMS =
      List.of(
          "jdbc:postgresql://",
          "postgresql://",
          "postgres://",
          "jdbc:mariadb://",
          "jdbc:mysql://",
          "mysql://",
          "mariadb://");

  /** One password per special character (twice, once doubled), and one with all of them. */
  static List<String> passwords() {
    List<String> out = new ArrayList<>();
    for (char c : SPECIALS.toCharArray()) {
      out.add("Qz7" + c + "Wv4" + c + c + "Kp9");
    }
    StringBuilder all = new StringBuilder();
    char[] alnum = "AbCdEfGhJkLmNpQrStUvWxYzaBcDeFgHjK".toCharArray();
    for (int i = 0; i < SPECIALS.length(); i++) {
      all.append(alnum[i % alnum.length]).append(i % 10).append(SPECIALS.charAt(i));
    }
    out.add(all.toString());
    return out;
  }

  /** Every place a password stands, {PW} for the password, {PORT} for the port. */
  static final List<String> PLACES =
      List.of(
          "app:{PW}@127.0.0.1:{PORT}/shop",
          "127.0.0.1:{PORT}/shop?user=app&password={PW}",
          "app:{PW}@127.0.0.1:{PORT},localhost:{PORT}/shop",
          "127.0.0.1:{PORT},localhost:{PORT}/shop?password={PW}&user=app");

  /** The error each variant provokes on top of the password's own encoding trouble. */
  static final Map<String, java.util.function.UnaryOperator<String>> VARIANTS = variants();

  static Map<String, java.util.function.UnaryOperator<String>> variants() {
    Map<String, java.util.function.UnaryOperator<String>> v = new java.util.LinkedHashMap<>();
    v.put("as written (connects)", u -> u);
    v.put("port out of range", u -> u.replace("{PORT}", "99999"));
    v.put("no database", u -> u.replace("/shop", "/"));
    v.put("redirecting parameter", u -> u + (u.contains("?") ? "&" : "?") + "PGHOST=x");
    v.put("bad host", u -> u.replace("127.0.0.1", "bad!host"));
    v.put("duplicate parameter", u -> u + (u.contains("?") ? "&" : "?") + "ssl=a&ssl=b");
    v.put("bad percent-encoding", u -> u.replace("/shop", "/sh%zzop"));
    v.put("same database as prod (G3)", u -> u);
    return v;
  }

  @Test
  @DisplayName(
      "7 URL forms x 31 passwords x 4 places x 8 error paths: no password fragment in any output")
  void noFragmentInAnyOutput() throws Exception {
    int cases = 0;
    int refusals = 0;
    List<String> leaks = new ArrayList<>();
    try (ConnectionRecorder server = new ConnectionRecorder()) {
      ProdguardConfig cfg =
          Configs.load(
              dir,
              Configs.devProd(
                  "dev-00112233445566778899aabbccddeeff",
                  "prod-00112233445566778899aabbccddeeff",
                  null));
      for (String form : FORMS) {
        for (String pw : passwords()) {
          for (String place : PLACES) {
            for (var variant : VARIANTS.entrySet()) {
              String url =
                  form
                      + variant
                          .getValue()
                          .apply(place)
                          .replace("{PW}", pw)
                          .replace("{PORT}", Integer.toString(server.port()));
              StringBuilder out = new StringBuilder();
              try {
                out.append(DatabaseUrl.parse(url));
              } catch (RuntimeException e) {
                out.append(text(e));
              }
              Map<String, String> vars = new HashMap<>();
              vars.put("DEV_DATABASE_URL", url);
              if (variant.getKey().startsWith("same database")) {
                vars.put("CI", "true");
                vars.put("PROD_DATABASE_URL", url);
              }
              try (var c =
                  Target.prepare(cfg, "dev", RunContext.of(vars), Target.Access.READ, "t").open()) {
                out.append("connected?!");
              } catch (Exception e) {
                if (e instanceof ConfigException ce) {
                  out.append(ce.render());
                  refusals++;
                } else if (e instanceof GuardRefusal g) {
                  out.append(g.render());
                  refusals++;
                }
                out.append(text(e));
              }
              cases++;
              for (String fragment : fragments(pw)) {
                if (out.indexOf(fragment) >= 0) {
                  leaks.add(
                      form
                          + " / "
                          + variant.getKey()
                          + " / place "
                          + PLACES.indexOf(place)
                          + ": fragment '"
                          + fragment
                          + "' of password in:\n"
                          + out);
                  break;
                }
              }
            }
          }
        }
      }
    }
    assertThat(leaks).as("leaks").isEmpty();
    assertThat(cases).isEqualTo(7 * 31 * 4 * 8);
    assertThat(refusals).isGreaterThan(cases / 2);
  }

  @Test
  @DisplayName("the issue's own URL: postgresql://app:TopSecret?9@... is refused without an echo")
  void issueExample() {
    Throwable t =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> DatabaseUrl.parse("postgresql://app:TopSecret?9@127.0.0.1:5432/shop"));
    assertThat(t).isInstanceOf(IllegalArgumentException.class);
    assertThat(text(t)).doesNotContain("TopSecret").doesNotContain("Top").contains("%3F");
  }

  static String text(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  static Set<String> fragments(String pw) {
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i + 3 <= pw.length(); i++) {
      out.add(pw.substring(i, i + 3));
    }
    return out;
  }
}
