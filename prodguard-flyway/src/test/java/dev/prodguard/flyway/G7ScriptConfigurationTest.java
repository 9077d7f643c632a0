package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.migration.ScriptText;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.internal.sqlscript.SqlScriptMetadata;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14: script configurations ({@code V2__x.sql.conf}) are read as Flyway reads them, checked
 * against Flyway's own {@code SqlScriptMetadata}, refused where Flyway refuses them (with file and
 * line, in lint too), honoured in what lint analyses and bound into the migration set.
 */
@DisplayName("G7: script configurations are honoured exactly as Flyway honours them")
class G7ScriptConfigurationTest {
  static final FlywayMigrationEngine ENGINE = new FlywayMigrationEngine();

  static MigrationFile conf(String text) {
    return new MigrationFile(
        "V2__x.sql.conf", "db/migration", text.getBytes(StandardCharsets.UTF_8));
  }

  static MigrationFile script(byte[] bytes) {
    return new MigrationFile("V2__x.sql", "db/migration", bytes);
  }

  /** Flyway's own reading of the same file. */
  static SqlScriptMetadata flyway(MigrationFile conf) {
    return SqlScriptMetadata.fromResource(
        new SnapshotResources.Resource(conf, StandardCharsets.UTF_8), null, Flyway.configure());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "executeInTransaction=false\n",
        "executeInTransaction = TRUE\n# a comment\n",
        "! comment\nplaceholderReplacement:false\nencoding ISO-8859-1\n",
        "encoding=UTF-8\r\nexecuteInTransaction=false\r\n",
        ""
      })
  @DisplayName("G7: prodguard reads each key as Flyway's SqlScriptMetadata does")
  void agreesWithFlyway(String text) {
    ScriptConfiguration ours = ScriptConfiguration.read(conf(text));
    SqlScriptMetadata theirs = flyway(conf(text));
    assertThat(ours.executeInTransaction())
        .isEqualTo(Optional.ofNullable(theirs.executeInTransaction()));
    assertThat(ours.placeholderReplacement())
        .isEqualTo(Optional.ofNullable(theirs.placeholderReplacement()));
    assertThat(ours.encoding().map(c -> c.name()))
        .isEqualTo(
            Optional.ofNullable(theirs.encoding())
                .map(e -> java.nio.charset.Charset.forName(e).name()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "executeInTransaction=false\nexecuteInTransactoin=false\n",
        "executeInTransaction=false\nexecuteInTransaction=maybe\n",
        "executeInTransaction=false\nshouldExecute=false\n"
      })
  @DisplayName(
      "G7: an unknown key, a malformed value or shouldExecute (open-source Flyway refuses it) is"
          + " refused with file and line, where Flyway refuses the migration")
  void refusedWhereFlywayRefuses(String text) {
    assertThatThrownBy(() -> ScriptConfiguration.read(conf(text)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.file()).isEqualTo("db/migration/V2__x.sql.conf");
              assertThat(e.line()).isEqualTo(2);
            });
    assertThatThrownBy(() -> flyway(conf(text))).isInstanceOf(FlywayException.class);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "executeInTransaction=true\n# reviewed: ${nl}\n",
        "executeInTransaction=true\n! ${flyway:timestamp}\n",
        "executeInTransaction=true\nencoding=${enc}\n"
      })
  @DisplayName(
      "G4: a placeholder anywhere in a script configuration, comments included, is refused:"
          + " Flyway replaces placeholders in the whole file first, so a value holding a line"
          + " break could add 'placeholderReplacement=false' that only Flyway sees (attack)")
  void placeholderInConfRefused(String text) {
    assertThatThrownBy(() -> ScriptConfiguration.read(conf(text)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.file()).isEqualTo("db/migration/V2__x.sql.conf");
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.getMessage()).contains("comments included");
            });
  }

  @Test
  @DisplayName(
      "G7: lint refuses what verify refuses about a script configuration: discovery reads it")
  void discoveryRefuses() {
    MigrationFiles files =
        MigrationFiles.of(
            List.of(script("SELECT 1;".getBytes()), conf("executeInTransactoin=false\n")));
    assertThatThrownBy(() -> ENGINE.discover(files, DatabaseKind.POSTGRESQL))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.line()).isEqualTo(1);
              assertThat(e.key()).isEqualTo("executeInTransactoin");
              assertThat(e.getMessage()).contains("Unknown configuration property");
            });
    MigrationFiles orphan =
        MigrationFiles.of(
            List.of(
                script("SELECT 1;".getBytes()),
                new MigrationFile(
                    "V3__y.sql.conf", "db/migration", "executeInTransaction=false\n".getBytes())));
    assertThatThrownBy(() -> ENGINE.discover(orphan, DatabaseKind.POSTGRESQL))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  @DisplayName(
      "G7: encoding is honoured: a Latin-1 migration is read (and sent) as Latin-1, not refused as"
          + " bad UTF-8")
  void encoding() {
    MigrationFile sql =
        script("INSERT INTO t VALUES ('café');\n".getBytes(StandardCharsets.ISO_8859_1));
    MigrationFiles files = MigrationFiles.of(List.of(sql, conf("encoding=ISO-8859-1\n")));
    ScriptText text = ENGINE.text(files, sql);
    assertThat(text.text()).contains("INSERT INTO t VALUES ('café');\n");
    EngineStatements split = ENGINE.statements(files, sql, DatabaseKind.POSTGRESQL);
    assertThat(split.statements())
        .singleElement()
        .satisfies(s -> assertThat(s.sql()).contains("'café'"));
    assertThat(ENGINE.text(MigrationFiles.of(List.of(sql)), sql).text()).isEmpty();
  }

  @Test
  @DisplayName(
      "G7: placeholderReplacement=false keeps ${...} as text, for prodguard as for Flyway, and"
          + " executeInTransaction reaches the analysis")
  void placeholderReplacementAndTransaction() {
    MigrationFile sql = script("INSERT INTO t VALUES ('${not_a_placeholder}');\n".getBytes());
    MigrationFiles files =
        MigrationFiles.of(
            List.of(sql, conf("placeholderReplacement=false\nexecuteInTransaction=false\n")));
    ScriptText text = ENGINE.text(files, sql);
    assertThat(text.refusals()).isEmpty();
    assertThat(text.text()).contains("INSERT INTO t VALUES ('${not_a_placeholder}');\n");
    EngineStatements split = ENGINE.statements(files, sql, DatabaseKind.POSTGRESQL);
    assertThat(split.failure()).isEmpty();
    assertThat(split.executeInTransaction()).contains(false);
    assertThat(ENGINE.text(MigrationFiles.of(List.of(sql)), sql).refusals()).hasSize(1);
  }

  @Test
  @DisplayName("G7: editing a script configuration changes the migration set's SHA-256")
  void boundIntoTheSet() {
    MigrationFile sql = script("REINDEX TABLE CONCURRENTLY t;\n".getBytes());
    PendingMigration p = new PendingMigration(Optional.of("2"), "x", sql);
    String a =
        MigrationSet.of(
                List.of(p),
                List.of(),
                MigrationFiles.of(List.of(sql, conf("executeInTransaction=false\n"))))
            .sha256();
    String b =
        MigrationSet.of(
                List.of(p),
                List.of(),
                MigrationFiles.of(
                    List.of(sql, conf("executeInTransaction=false\nencoding=UTF-8\n"))))
            .sha256();
    String none = MigrationSet.of(List.of(p), List.of(), MigrationFiles.of(List.of(sql))).sha256();
    assertThat(a).isNotEqualTo(b).isNotEqualTo(none);
  }

  @Test
  @DisplayName(
      "G7: a split the engine made is reused only for the same bytes and script configuration: an"
          + " edited file or .conf is split again")
  void splitsReusedOnlyForTheSameInput() {
    FlywayMigrationEngine engine = new FlywayMigrationEngine();
    MigrationFile sql = script("CREATE INDEX CONCURRENTLY i ON t (a);\n".getBytes());
    EngineStatements first =
        engine.statements(MigrationFiles.of(List.of(sql)), sql, DatabaseKind.POSTGRESQL);
    MigrationFile same = script("CREATE INDEX CONCURRENTLY i ON t (a);\n".getBytes());
    assertThat(engine.statements(MigrationFiles.of(List.of(same)), same, DatabaseKind.POSTGRESQL))
        .isSameAs(first);
    assertThat(first.executeInTransaction()).isEmpty();

    EngineStatements configured =
        engine.statements(
            MigrationFiles.of(List.of(sql, conf("executeInTransaction=false\n"))),
            sql,
            DatabaseKind.POSTGRESQL);
    assertThat(configured.executeInTransaction()).contains(false);
    EngineStatements edited =
        engine.statements(
            MigrationFiles.of(List.of(sql, conf("executeInTransaction=true\n"))),
            sql,
            DatabaseKind.POSTGRESQL);
    assertThat(edited.executeInTransaction()).contains(true);

    MigrationFile changed = script("CREATE TABLE t2 (a int);\n".getBytes());
    assertThat(
            engine
                .statements(MigrationFiles.of(List.of(changed)), changed, DatabaseKind.POSTGRESQL)
                .statements())
        .extracting(EngineStatements.Statement::sql)
        .containsExactly("CREATE TABLE t2 (a int)");
  }
}
