package dev.prodguard.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The demo's two real PostgreSQL servers (embedded binaries from Maven Central), {@code dev} and
 * {@code prod}, each with a {@code shop} database. Each server logs to a file with {@code
 * log_connections} on, so the demo can show that a refused URL never reached prod.
 */
final class DemoServers implements AutoCloseable {
  static final String DATABASE = "shop";

  /** One running server. */
  static final class Server {
    final String name;
    final EmbeddedPostgres pg;
    final Path log;

    Server(String name, EmbeddedPostgres pg, Path log) {
      this.name = name;
      this.pg = pg;
      this.log = log;
    }

    int port() {
      return pg.getPort();
    }

    /** JDBC URL of the shop database on {@code host} (127.0.0.1 or localhost). */
    String jdbcUrl(String host) {
      return "jdbc:postgresql://" + host + ":" + port() + "/" + DATABASE + "?user=postgres";
    }

    /** How many client connections the server has accepted so far (from its log). */
    long connectionsReceived() {
      try {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains("connection received:"))
            .count();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  final Server dev;
  final Server prod;
  private boolean closed;

  private DemoServers(Server dev, Server prod) {
    this.dev = dev;
    this.prod = prod;
  }

  /** Starts both servers at once (each takes about a second) and creates the shop databases. */
  static DemoServers start(Path root) {
    CompletableFuture<Server> dev = CompletableFuture.supplyAsync(() -> startOne(root, "dev"));
    CompletableFuture<Server> prod = CompletableFuture.supplyAsync(() -> startOne(root, "prod"));
    try {
      return new DemoServers(dev.join(), prod.join());
    } catch (CompletionException e) {
      dev.thenAccept(DemoServers::stopQuietly);
      prod.thenAccept(DemoServers::stopQuietly);
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          "could not start the embedded PostgreSQL servers: " + cause.getMessage(), cause);
    }
  }

  private static Server startOne(Path root, String name) {
    try {
      Path log = root.resolve("logs").resolve(name + "-postgres.log");
      Files.createDirectories(log.getParent());
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(root.resolve("pg-" + name))
              .setCleanDataDirectory(true)
              // the demo stops the servers itself, in order, also on Ctrl-C
              .setRegisterShutdownHook(false)
              .setServerConfig("log_connections", "on")
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + DATABASE);
      }
      return new Server(name, pg, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void stopQuietly(Server s) {
    try {
      s.pg.close();
    } catch (IOException | RuntimeException e) {
      // best effort: the demo is ending anyway
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    CompletableFuture<Void> d = CompletableFuture.runAsync(() -> stopQuietly(dev));
    stopQuietly(prod);
    d.join();
  }
}
