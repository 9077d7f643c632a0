package dev.prodguard.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where a {@code ${VAR}} stands in a catalog row's url: only the whole url and the password may
 * read a CI variable (security review, finding 3); every other part is named.
 */
@DisplayName("G3: the part of a catalog row's url a ${VAR} stands in")
class G3CatalogUrlPartsTest {

  @ParameterizedTest(name = "G3: {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          postgresql://app:${P}@db.example:5432/shop | password
          postgresql://app:pre${P}@db.example/shop | password
          jdbc:postgresql://db.example/shop?user=app&password=${P} | password
          mariadb://app:x@db.example/shop?ssl=true&password=${P}&a=b | password
          postgresql://${P}@db.example/shop | user
          postgresql://${P}:x@db.example/shop | user
          postgresql://app:x@${P}.evil.example/shop | host
          postgresql://${P}.evil.example/shop | host
          postgresql://app:x@db.example:${P}/shop | host
          postgresql://app:x@db.example/${P} | path
          postgresql://app:x@db.example/shop?application_name=${P} | query
          postgresql://app:x@db.example/shop?options=-c%20x%3D${P} | query
          postgresql://app:x@db.example/shop?passwordx=${P} | query
          postgresql://app:x@db.example/shop#${P} | fragment
          ${P}://db.example/shop | scheme
          """)
  void part(String url, String expected) {
    int start = url.indexOf("${P}");
    assertThat(FleetTargets.partOf(url, start, start + 4)).isEqualTo(expected);
  }
}
