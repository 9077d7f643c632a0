package dev.prodguard.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.HostPattern;
import dev.prodguard.db.Redactor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Database URLs: JDBC and libpq forms, credentials kept out of every printable form")
class DatabaseUrlTest {

  @Test
  void jdbcPostgres() {
    DatabaseUrl u = DatabaseUrl.parse("jdbc:postgresql://db.example:6543/shop?sslmode=require");
    assertThat(u.kind()).isEqualTo(DatabaseKind.POSTGRESQL);
    assertThat(u.hosts()).containsExactly(new DatabaseUrl.HostPort("db.example", 6543));
    assertThat(u.database()).isEqualTo("shop");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/shop");
    assertThat(u.connectionProperties().getProperty("sslmode")).isEqualTo("require");
    assertThat(u.toString()).isEqualTo("jdbc:postgresql://db.example:6543/shop?sslmode=require");
  }

  @Test
  void libpqWithCredentials() {
    DatabaseUrl u = DatabaseUrl.parse("postgresql://app:p%40ss-word@DB.Prod.Internal/shop");
    assertThat(u.hosts()).containsExactly(new DatabaseUrl.HostPort("db.prod.internal", 5432));
    assertThat(u.user()).contains("app");
    assertThat(u.connectionProperties().getProperty("password")).isEqualTo("p@ss-word");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.prod.internal:5432/shop");
    assertThat(u.toString()).doesNotContain("p@ss-word").doesNotContain("p%40ss");
  }

  @Test
  void postgresSchemeAlias() {
    assertThat(DatabaseUrl.parse("postgres://u@h/db").kind()).isEqualTo(DatabaseKind.POSTGRESQL);
  }

  @Test
  void mysqlAndMariadb() {
    DatabaseUrl m = DatabaseUrl.parse("mysql://root:pw-123@127.0.0.1:3307/app?sslMode=disable");
    assertThat(m.kind()).isEqualTo(DatabaseKind.MARIADB);
    assertThat(m.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:3307/app");
    assertThat(m.connectionProperties().getProperty("sslMode")).isEqualTo("disable");
    assertThat(DatabaseUrl.parse("jdbc:mariadb://h/app").hosts().get(0).port()).isEqualTo(3306);
    assertThat(DatabaseUrl.parse("mariadb://h/app").kind()).isEqualTo(DatabaseKind.MARIADB);
  }

  @Test
  void passwordAsJdbcParameterIsMovedToProperties() {
    DatabaseUrl u = DatabaseUrl.parse("jdbc:postgresql://h/db?user=app&password=s3cr3t-x&ssl=true");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db");
    assertThat(u.toString())
        .isEqualTo("jdbc:postgresql://h:5432/db?(parameters not shown) (user app)");
    assertThat(u.connectionProperties().getProperty("ssl")).isEqualTo("true");
    assertThat(u.connectionProperties().getProperty("password")).isEqualTo("s3cr3t-x");
  }

  @Test
  void ipv6AndMultipleHosts() {
    assertThat(DatabaseUrl.parse("postgresql://[::1]:5433/db").hosts())
        .containsExactly(new DatabaseUrl.HostPort("::1", 5433));
    assertThat(DatabaseUrl.parse("jdbc:postgresql://a:1,b:2/db").hosts()).hasSize(2);
  }

  @Test
  void rejectsWhatItCannotCheck() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db")).hasMessageContaining("no host");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://h/")).hasMessageContaining("database");
    assertThatThrownBy(() -> DatabaseUrl.parse("sqlserver://h/db"))
        .hasMessageContaining("unsupported scheme");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://h:99999/db"))
        .hasMessageContaining("out of range");
  }

  @Test
  @DisplayName("the redactor hides a parsed password anywhere it appears")
  void redactorHidesRegisteredPassword() {
    DatabaseUrl.parse("postgresql://u:very-secret-42@h/db");
    assertThat(Redactor.redact("login failed for very-secret-42")).doesNotContain("very-secret-42");
    assertThat(Redactor.redact("mysql://a:b-c-d@h/x")).isEqualTo("mysql://a:***@h/x");
    assertThat(Redactor.redact("jdbc:x://h/d?password=abc&y=1")).contains("password=***");
  }

  @Test
  @DisplayName(
      "G3: parameters that redirect the driver elsewhere are refused (PGHOST, socketFactory, localSocket)")
  void redirectingParametersRefused() {
    assertThatThrownBy(
            () -> DatabaseUrl.parse("jdbc:postgresql://dev.local/db?PGHOST=db.prod.internal"))
        .hasMessageContaining("'PGHOST' can redirect");
    assertThatThrownBy(
            () ->
                DatabaseUrl.parse("postgresql://dev.local/db?socketFactory=x.Y&socketFactoryArg=z"))
        .hasMessageContaining("socketFactory");
    assertThatThrownBy(() -> DatabaseUrl.parse("mariadb://dev.local/db?localSocket=/run/prod.sock"))
        .hasMessageContaining("localSocket");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://dev.local/db?service=prod"))
        .hasMessageContaining("service");
  }

  @Test
  void hostPatterns() {
    HostPattern p = new HostPattern("*.prod.internal");
    assertThat(p.matches("db1.prod.internal")).isTrue();
    assertThat(p.matches("DB1.PROD.internal")).isTrue();
    assertThat(p.matches("prod.internal.evil")).isFalse();
    assertThat(new HostPattern("db-prod-?").matches("db-prod-7")).isTrue();
    assertThat(HostPattern.isValid("a b")).isFalse();
  }

  @Test
  @DisplayName("IPv6 hosts are kept in one canonical form; names lose case and a trailing dot")
  void canonicalHosts() {
    assertThat(DatabaseUrl.parse("postgresql://[0:0:0:0:0:0:0:1]:5433/db").hosts())
        .containsExactly(new DatabaseUrl.HostPort("::1", 5433));
    assertThat(DatabaseUrl.parse("postgresql://DB.Example.:5433/db").hosts())
        .containsExactly(new DatabaseUrl.HostPort("db.example", 5433));
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://::1:5432/db"))
        .hasMessageContaining("brackets");
  }

  @Test
  @DisplayName("a database name is decoded once and encoded again for the driver")
  void databaseNameRoundTrip() {
    DatabaseUrl u = DatabaseUrl.parse("postgresql://h/my%20db%2Bx");
    assertThat(u.database()).isEqualTo("my db+x");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/my%20db%2Bx");
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/my%3Fdb"))
        .hasMessageContaining("MariaDB database name");
  }

  @Test
  @DisplayName(
      "what could be read two ways is refused: user or password twice, '#', spaces, '='-less parameters")
  void ambiguousUrlsRefused() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a@h/db?user=b"))
        .hasMessageContaining("user twice");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:pw1@h/db?password=pw2"))
        .hasMessageContaining("password twice");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a@h/db#frag"))
        .hasMessageContaining("'#'");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a@h/d b"))
        .hasMessageContaining("space");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a@h/db?ssl"))
        .hasMessageContaining("without '=value'");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a@h/db?x=%e9"))
        .hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a@h/db?x=%4"))
        .hasMessageContaining("two hex digits");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a@h/db?x=a%0Ab"))
        .hasMessageContaining("control character");
  }

  @Test
  @DisplayName("host patterns and same-database checks treat loopback names as one host")
  void loopbackEquivalence() {
    assertThat(new HostPattern("localhost").matches("127.0.0.1")).isTrue();
    assertThat(new HostPattern("127.0.0.*").matches("localhost")).isTrue();
    assertThat(new HostPattern("::1").matches("localhost.")).isTrue();
    assertThat(new HostPattern("db.prod.internal.").matches("DB.prod.internal")).isTrue();
    assertThat(new HostPattern("localhost").matches("10.0.0.1")).isFalse();
    assertThat(
            DatabaseUrl.parse("postgresql://localhost/shop")
                .sameDatabaseAs(DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5432/SHOP")))
        .isTrue();
    assertThat(
            DatabaseUrl.parse("postgresql://localhost/shop")
                .sameDatabaseAs(DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5433/shop")))
        .isFalse();
  }
}
