package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Excerpts are short, show the finding's column, and never carry a secret. */
@DisplayName("scan excerpts are redacted and show the finding")
class ExcerptsTest {
  @Test
  @DisplayName("passwords in URLs, key=value, key: value, XML and builder calls are masked")
  void redacts() {
    assertThat(Excerpts.of("url: postgresql://app:pw1@db/app"))
        .isEqualTo("url: postgresql://app:***@db/app");
    assertThat(Excerpts.of("DB_PASSWORD=pw2")).isEqualTo("DB_PASSWORD=***");
    assertThat(Excerpts.of("  password: \"pw3\"")).isEqualTo("password: \"***\"");
    assertThat(Excerpts.of("<db.password>pw4</db.password>"))
        .isEqualTo("<db.password>***</db.password>");
    assertThat(Excerpts.of(".password(\"pw5\")")).isEqualTo(".password(\"***\")");
    assertThat(Excerpts.of("jdbc:mysql://h/db?user=a&password=pw6")).doesNotContain("pw6");
    assertThat(Excerpts.of("API_TOKEN: pw7")).doesNotContain("pw7");
  }

  @Test
  @DisplayName("a long line is cut to a window around the column, redacted before it is cut")
  void window() {
    String line = "x".repeat(300) + " flyway migrate " + "y".repeat(300);
    String e = Excerpts.of(line, 302);
    assertThat(e).contains("flyway migrate").startsWith("...").endsWith("...");
    assertThat(e.length()).isLessThanOrEqualTo(Excerpts.MAX);

    String secret = "a".repeat(200) + " DB_PASSWORD=" + "s".repeat(80) + "pw8 tail";
    assertThat(Excerpts.of(secret, 260)).doesNotContain("pw8").doesNotContain("sss");
  }
}
