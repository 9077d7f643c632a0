package dev.prodguard.lint.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G4: the name PostgreSQL makes of a long one (its first 63 bytes, never half a character), as
 * {@code identifier-too-long} names it and compares two names of one migration set by it.
 */
@DisplayName("G4 identifier-too-long: the truncated name, as PostgreSQL makes it")
class G4IdentifierTruncationTest {
  @Test
  @DisplayName("ASCII: the first 63 characters; quotes are not part of the name")
  void ascii() {
    String name = "a".repeat(60) + "bcdefg";
    assertThat(IdentifierTooLongRule.truncated(name)).isEqualTo("a".repeat(60) + "bcd");
    assertThat(IdentifierTooLongRule.truncated("\"" + name + "\""))
        .isEqualTo("a".repeat(60) + "bcd");
  }

  @Test
  @DisplayName("multibyte: cut before a character that would not fit whole")
  void multibyte() {
    String name = "a".repeat(62) + "é" + "x"; // é is 2 bytes: 62 + 2 > 63
    String t = IdentifierTooLongRule.truncated(name);
    assertThat(t).isEqualTo("a".repeat(62));
    assertThat(t.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(63);
  }
}
