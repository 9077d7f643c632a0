package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G6 through the real Flyway Maven plugin ({@code org.flywaydb:flyway-maven-plugin} 13.12.0, the
 * JDBC driver as plugin dependency): a generated sample project whose pom points the plugin at a
 * protected database with the environment's own credential and at the repository's migration
 * folder, run as a child {@code mvn} (the project's wrapper; offline once the plugin is in the
 * local repository), one child at a time. {@code flyway:migrate} with nothing pending succeeds;
 * with a migration pending, and {@code flyway:clean -Dflyway.cleanDisabled=false}, the build fails
 * inside the database and nothing changes.
 */
@DisplayName("G6 the Flyway Maven plugin against a protected database")
class G6FlywayMavenPluginIT {
  private static final String FLYWAY = "13.12.0";

  @TempDir Path dir;

  record Build(int exit, String out) {}

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: mvn flyway:migrate with a migration pending and mvn flyway:clean"
          + " -Dflyway.cleanDisabled=false fail inside the protected database and change nothing;"
          + " flyway:migrate with nothing pending succeeds")
  void mavenPlugin(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir.resolve("repo"))) {
      f.pipeline().promote("prod");
      Path project = sampleProject(f);
      String before = G6HandRunFlywayIT.state(f);

      Build upToDate = mvn(project, "flyway:migrate");
      f.migration(
          "V2__by_hand.sql",
          "CREATE TABLE by_hand (id INT PRIMARY KEY);\nDELETE FROM items WHERE id = 1;\n");
      Build migrate = mvn(project, "flyway:migrate");
      Build clean = mvn(project, "flyway:clean", "-Dflyway.cleanDisabled=false");

      assertThat(upToDate.exit()).as(upToDate.out()).isZero();
      assertThat(upToDate.out()).contains("BUILD SUCCESS");
      assertThat(migrate.exit()).as(migrate.out()).isNotZero();
      assertThat(migrate.out()).contains("BUILD FAILURE", G6DirectMigrationIT.BLOCKED);
      assertThat(clean.exit()).as(clean.out()).isNotZero();
      assertThat(clean.out())
          .contains("BUILD FAILURE")
          .contains(
              kind == DatabaseKind.POSTGRESQL
                  ? "prodguard: DDL (DROP TABLE) blocked on protected environment 'prod'"
                  : "command denied to user '" + f.appUser.orElseThrow() + "'");
      assertThat(G6HandRunFlywayIT.state(f)).isEqualTo(before);
      assertThat(f.tableExists("by_hand")).isFalse();
      assertThat(f.tableExists("prodguard_audit")).isTrue();
    }
  }

  /** A project that uses Flyway through its Maven plugin, as a team would have it. */
  private Path sampleProject(PipelineFixture f) throws IOException {
    Path project = dir.resolve("shop");
    Files.createDirectories(project);
    boolean pg = f.db.kind() == DatabaseKind.POSTGRESQL;
    String driver =
        pg
            ? dependency("org.postgresql", "postgresql", version("postgresql"))
                + dependency("org.flywaydb", "flyway-database-postgresql", FLYWAY)
            : dependency("org.mariadb.jdbc", "mariadb-java-client", version("mariadb"))
                + dependency("org.flywaydb", "flyway-mysql", FLYWAY);
    Files.writeString(
        project.resolve("pom.xml"),
        """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId>
          <artifactId>shop</artifactId>
          <version>1</version>
          <packaging>pom</packaging>
          <build>
            <plugins>
              <plugin>
                <groupId>org.flywaydb</groupId>
                <artifactId>flyway-maven-plugin</artifactId>
                <version>%s</version>
                <configuration>
                  <url>%s</url>
                  <locations><location>filesystem:%s</location></locations>
                </configuration>
                <dependencies>
        %s        </dependencies>
              </plugin>
            </plugins>
          </build>
        </project>
        """
            .formatted(FLYWAY, xml(f.appJdbcUrl()), xml(f.migrations.toString()), driver));
    return project;
  }

  private static String dependency(String group, String artifact, String version) {
    return ("          <dependency><groupId>%s</groupId><artifactId>%s</artifactId>"
            + "<version>%s</version></dependency>\n")
        .formatted(group, artifact, version);
  }

  /** The driver versions the project builds with (from the parent pom's properties). */
  private static String version(String property) throws IOException {
    String pom = Files.readString(root().resolve("pom.xml"));
    int at = pom.indexOf("<" + property + ".version>");
    int end = pom.indexOf("</" + property + ".version>", at);
    assertThat(at).as(property + ".version in the parent pom").isPositive();
    return pom.substring(at + property.length() + 10, end).strip();
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;");
  }

  private static Path root() {
    return Path.of(System.getProperty("prodguard.root", "..")).toAbsolutePath().normalize();
  }

  /** One child Maven build with the project's wrapper; offline once the plugin is local. */
  private static Build mvn(Path project, String... goals) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(root().resolve("mvnw").toString(), "-B"));
    Path plugin =
        Path.of(
            System.getProperty("user.home"),
            ".m2/repository/org/flywaydb/flyway-maven-plugin",
            FLYWAY,
            "flyway-maven-plugin-" + FLYWAY + ".jar");
    if (Files.exists(plugin)) {
      cmd.add("-o");
    }
    cmd.addAll(List.of(goals));
    Process p =
        new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child Maven build did not finish: " + out);
    }
    return new Build(p.exitValue(), out);
  }
}
