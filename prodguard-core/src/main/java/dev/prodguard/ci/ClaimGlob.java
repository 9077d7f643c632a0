package dev.prodguard.ci;

import java.util.regex.Pattern;

/** A {@code ci.oidc.claim-patterns} value: {@code *} matches any run of characters, '/' too. */
final class ClaimGlob {
  private ClaimGlob() {}

  static boolean matches(String glob, String value) {
    StringBuilder regex = new StringBuilder();
    int start = 0;
    for (int i = glob.indexOf('*'); i >= 0; i = glob.indexOf('*', start)) {
      regex.append(Pattern.quote(glob.substring(start, i))).append(".*");
      start = i + 1;
    }
    regex.append(Pattern.quote(glob.substring(start)));
    return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(value).matches();
  }
}
