package dev.prodguard.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.DatabaseSupport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G4 (attack17 finding 27): the trace's embedded server is private to the trace. No local user
 * connects without its random password (no trust), and the replay role can reach no file or program
 * of the host, even where the analyser missed a spelling.
 */
@DisplayName("G4: the embedded scratch server trusts no one and replays unprivileged")
class G4EmbeddedScratchServerIT {
  private static final int MAJOR = 15;

  @Test
  @DisplayName(
      "G4: without the password no role connects; the replay role is no superuser and reaches no"
          + " server file or program")
  void passwordAndUnprivilegedReplay() throws Exception {
    DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
    Path cache =
        PostgresBinaries.cacheDirectory(
            Map.of(
                "XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString()));
    Path binaries = PostgresBinaries.resolve(MAJOR, PostgresBinaries.MAVEN_CENTRAL, cache);
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      DatabaseUrl su = server.url();
      for (String user : new String[] {"postgres", EmbeddedScratchServer.REPLAY_ROLE}) {
        DatabaseUrl noPassword =
            DatabaseUrl.parse(
                "postgresql://" + user + "@127.0.0.1:" + su.hosts().get(0).port() + "/postgres");
        assertThatThrownBy(() -> ScratchDatabase.connect(noPassword, d).close())
            .as(user + " without the password")
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("password");
      }
      try (ScratchDatabase scratch =
              ScratchDatabase.create(su, d, java.util.Optional.of(server.replayer()));
          Connection c = scratch.connectReplay();
          Statement st = c.createStatement()) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT rolsuper, rolcreaterole, rolcreatedb,"
                    + " pg_has_role(current_user, 'pg_execute_server_program', 'USAGE'),"
                    + " pg_has_role(current_user, 'pg_write_server_files', 'USAGE'),"
                    + " pg_has_role(current_user, 'pg_read_server_files', 'USAGE')"
                    + " FROM pg_roles WHERE rolname = current_user")) {
          assertThat(rs.next()).isTrue();
          for (int i = 1; i <= 6; i++) {
            assertThat(rs.getBoolean(i)).as("privilege " + i).isFalse();
          }
        }
        st.execute("CREATE TABLE t (a int)"); // it owns the scratch database: DDL replays
        for (String sql :
            new String[] {
              "COPY (SELECT 1) TO PROGRAM 'id'",
              "SELECT lo_export(lo_from_bytea(0, 'x'), '/tmp/prodguard-g4-embedded')",
              "SELECT pg_read_file('/etc/passwd')",
              "CREATE TABLESPACE ts LOCATION '/tmp'"
            }) {
          assertThatThrownBy(() -> st.execute(sql))
              .as(sql)
              .isInstanceOfSatisfying(
                  SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
      }
    }
  }

  @Test
  @DisplayName(
      "G4: the embedded server lives in memory (/dev/shm, a tmpfs with room) in a private"
          + " directory (rwx------) and leaves nothing behind; without such a tmpfs, in the"
          + " temporary folder")
  void privateDirectoryInMemory() throws Exception {
    DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
    Path cache =
        PostgresBinaries.cacheDirectory(
            Map.of(
                "XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString()));
    Path binaries = PostgresBinaries.resolve(MAJOR, PostgresBinaries.MAVEN_CENTRAL, cache);
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    assertThat(EmbeddedScratchServer.scratchRoot(tmp.resolve("no-such-tmpfs"), 1)).isEqualTo(tmp);
    assertThat(
            EmbeddedScratchServer.scratchRoot(EmbeddedScratchServer.SHARED_MEMORY, Long.MAX_VALUE))
        .isEqualTo(tmp);
    Path root = EmbeddedScratchServer.scratchRoot();
    if (java.nio.file.Files.isDirectory(EmbeddedScratchServer.SHARED_MEMORY)
        && "tmpfs"
            .equals(java.nio.file.Files.getFileStore(EmbeddedScratchServer.SHARED_MEMORY).type())) {
      assertThat(root).isEqualTo(EmbeddedScratchServer.SHARED_MEMORY);
    }
    Path dir;
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      dir = server.directory();
      assertThat(dir.getParent()).isEqualTo(root);
      assertThat(java.nio.file.Files.getPosixFilePermissions(dir))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      try (Connection c = ScratchDatabase.connect(server.url(), d)) {
        assertThat(c.isValid(5)).isTrue();
      }
    }
    assertThat(java.nio.file.Files.exists(dir)).isFalse();
  }

  @Test
  @DisplayName(
      "G4: the cached cluster template is copied only while it is private and exactly what initdb"
          + " wrote; its password does not open a started server; a changed, added or exposed"
          + " template is never used (initdb runs) and is made again")
  void clusterTemplateOnlyWhenPrivateAndIntact(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
    Path cache =
        PostgresBinaries.cacheDirectory(
            Map.of(
                "XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString()));
    Path real = PostgresBinaries.resolve(MAJOR, PostgresBinaries.MAVEN_CENTRAL, cache);
    // the binaries through a link in a private folder: this test's template is its own
    Path binaries = java.nio.file.Files.createSymbolicLink(tmp.resolve("15"), real);
    Path template = ClusterTemplate.folder(binaries);
    String templatePassword;
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      assertThat(java.nio.file.Files.getPosixFilePermissions(template))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      assertThat(
              java.nio.file.Files.getPosixFilePermissions(template.resolve(ClusterTemplate.SECRET)))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      templatePassword =
          java.nio.file.Files.readString(template.resolve(ClusterTemplate.SECRET)).strip();
      assertThat(server.url().toString()).doesNotContain(templatePassword);
    }
    // a file added to the template: the copy refuses it, initdb runs, the marker goes
    java.nio.file.Files.writeString(
        template.resolve(ClusterTemplate.DATA).resolve("planted.conf"), "x");
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      assertThat(server.directory().resolve("data").resolve("planted.conf")).doesNotExist();
      assertCopyWorks(server, d, templatePassword);
    }
    assertThat(template.resolve(ClusterTemplate.MARKER)).doesNotExist();
    // made again by the next start, then copied: the new template's password is refused too
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      assertThat(template.resolve(ClusterTemplate.MARKER)).exists();
      assertThat(template.resolve(ClusterTemplate.DATA).resolve("planted.conf")).doesNotExist();
      assertCopyWorks(
          server,
          d,
          java.nio.file.Files.readString(template.resolve(ClusterTemplate.SECRET)).strip());
    }
    // a file changed in place (same size): not used
    Path version = template.resolve(ClusterTemplate.DATA).resolve("PG_VERSION");
    java.nio.file.Files.writeString(version, "99\n");
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      assertThat(
              java.nio.file.Files.readString(
                  server.directory().resolve("data").resolve("PG_VERSION")))
          .isEqualTo(MAJOR + "\n");
    }
    // readable by others: not used as it is (made again, private)
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      assertThat(template.resolve(ClusterTemplate.MARKER)).exists();
    }
    java.nio.file.Files.setPosixFilePermissions(
        template, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    java.nio.file.Files.writeString(
        template.resolve(ClusterTemplate.DATA).resolve("planted.conf"), "x");
    try (EmbeddedScratchServer server = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      assertThat(server.directory().resolve("data").resolve("planted.conf")).doesNotExist();
      assertThat(java.nio.file.Files.getPosixFilePermissions(template))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      assertThat(template.resolve(ClusterTemplate.DATA).resolve("planted.conf")).doesNotExist();
    }
  }

  /** The server answers its own password, not {@code templatePassword}. */
  private static void assertCopyWorks(
      EmbeddedScratchServer server, DatabaseSupport d, String templatePassword)
      throws SQLException {
    try (Connection c = ScratchDatabase.connect(server.url(), d)) {
      assertThat(c.isValid(5)).isTrue();
    }
    DatabaseUrl old =
        DatabaseUrl.parse(
            "postgresql://postgres:"
                + templatePassword
                + "@127.0.0.1:"
                + server.url().hosts().get(0).port()
                + "/postgres");
    assertThatThrownBy(() -> ScratchDatabase.connect(old, d).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password");
  }
}
