package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A connection that cannot be opened is one screen naming the fix, never "unexpected failure"
 * (newuser17 #17: a MariaDB URL without {@code sslMode=disable} against a server without TLS gave
 * exit 3 and "unexpected failure"). The URL's TLS setting or credential is configuration (exit 2);
 * a server that does not answer is a failure of the environment (exit 3), named as such.
 */
@DisplayName("CLI: a connection that cannot be opened is a clear error naming the fix")
class ConnectionFailureCliIT {
  @TempDir Path dir;

  private String[] run(String url) throws Exception {
    Files.writeString(
        dir.resolve("prodguard.yml"), "environments:\n  dev:\n    url: " + url + "\n");
    Files.createDirectories(dir.resolve("db/migration"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    int exit = cl.execute("init-fingerprint", "dev", "-c", dir.resolve("prodguard.yml").toString());
    return new String[] {String.valueOf(exit), out.toString() + err};
  }

  @Test
  @DisplayName("MariaDB without TLS and no sslMode=disable: exit 2, the fix named, no stack trace")
  void mariadbWithoutTls() throws Exception {
    String[] r = run("mariadb://root@127.0.0.1:3306/mysql");
    assertThat(r[1]).doesNotContain("unexpected failure").doesNotContain("\tat ");
    assertThat(r[1]).contains("the database connection failed", "?sslMode=disable");
    assertThat(r[0]).as(r[1]).isEqualTo("2");
  }

  @Test
  @DisplayName("PostgreSQL with sslmode=require against a server without TLS: exit 2, the fix")
  void postgresqlWithoutTls() throws Exception {
    String[] r = run("postgresql://postgres@127.0.0.1:5432/postgres?sslmode=require");
    assertThat(r[1]).doesNotContain("unexpected failure").doesNotContain("\tat ");
    assertThat(r[1]).contains("the database connection failed", "sslmode=disable");
    assertThat(r[0]).as(r[1]).isEqualTo("2");
  }

  @Test
  @DisplayName("nothing listens at the URL's port: exit 3, says to check the server, no trace")
  void nothingListens() throws Exception {
    String[] r = run("postgresql://postgres@127.0.0.1:1/postgres");
    assertThat(r[1]).doesNotContain("unexpected failure").doesNotContain("\tat ");
    assertThat(r[1]).contains("the database connection failed", "running and reachable");
    assertThat(r[0]).as(r[1]).isEqualTo("3");
  }
}
