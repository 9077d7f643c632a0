package dev.prodguard.trace;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.DatabaseSupport;
import java.nio.file.Path;
import java.util.Map;

/**
 * A second PostgreSQL server for the tests of a configured scratch server ({@code --scratch-url}):
 * the test machine's only server is the target's own, which trace refuses as scratch. It is trace's
 * embedded server from the cached binaries, used through its superuser's URL.
 */
public final class ScratchServers {
  private ScratchServers() {}

  /** A running server; {@link #close()} stops it and deletes its directory. */
  public static final class Running implements AutoCloseable {
    private final EmbeddedScratchServer server;

    private Running(EmbeddedScratchServer server) {
      this.server = server;
    }

    /** Its superuser {@code postgres}, with the password, database {@code postgres}. */
    public DatabaseUrl superuser() {
      return server.url();
    }

    public int port() {
      return server.url().hosts().get(0).port();
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }

  public static Running start(int major) throws Exception {
    Path cache =
        PostgresBinaries.cacheDirectory(
            Map.of(
                "XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString()));
    Path binaries = PostgresBinaries.resolve(major, PostgresBinaries.MAVEN_CENTRAL, cache);
    return new Running(
        EmbeddedScratchServer.start(binaries, major, DatabaseSupport.of(DatabaseKind.POSTGRESQL)));
  }
}
