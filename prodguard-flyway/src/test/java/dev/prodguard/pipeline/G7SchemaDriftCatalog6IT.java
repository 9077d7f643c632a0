package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.guard.drift.SchemaDescription;
import dev.prodguard.guard.drift.SchemaDiff;
import dev.prodguard.support.SchemaObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G7, drift, schema catalog version 6 (PostgreSQL; attack 20 findings 01 and 09): {@code ALTER ROLE
 * ALL SET} (a setting of every role's every session), the settings of a role that matters only
 * through column privileges, and what a publication sends beyond its tables (schemas, column lists,
 * row filters) are drift; a reference recorded under catalog 5 shows no drift for them.
 *
 * <p>{@code ALTER ROLE ALL SET} reaches every session of the shared test server: the tests set
 * {@code statement_timeout} to an hour, which disturbs nothing, and reset it.
 */
@DisplayName("G7 schema drift, catalog 6 (PostgreSQL)")
class G7SchemaDriftCatalog6IT {
  @TempDir Path dir;

  private static final String EVERY_ROLE = "ALTER ROLE ALL SET statement_timeout = '3599s'";

  private static final String RESET_EVERY_ROLE = "ALTER ROLE ALL RESET statement_timeout";

  private static List<String> driftObjects(PipelineFixture f) throws Exception {
    return f.pipeline().driftShow("prod").diff().changes().stream()
        .map(SchemaDiff.Change::object)
        .toList();
  }

  @Test
  @DisplayName(
      "G7 (attack 20 finding 01): ALTER ROLE ALL SET (every role, every database) is drift like"
          + " ALTER ROLE app SET")
  void settingOfEveryRoleIsDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      try {
        f.db.execute(EVERY_ROLE);
        assertThat(driftObjects(f)).containsExactly("settings of every role");
        assertThat(f.pipeline().driftShow("prod").diff().render(20))
            .contains("statement_timeout=3599s");
      } finally {
        f.db.execute(RESET_EVERY_ROLE);
      }
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
    }
  }

  @Test
  @DisplayName(
      "G7 (attack 20 finding 01): a role whose only privileges on the database are column grants"
          + " (UPDATE (note) ON items) matters: ALTER ROLE r SET on it is drift")
  void columnGranteesSettingIsDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      String col = f.db.createLoginRole();
      f.pipeline().promote("prod");
      f.db.execute("ALTER TABLE items ADD COLUMN note text");
      f.db.execute("GRANT SELECT (id, note), UPDATE (note) ON items TO " + col);
      f.pipeline().driftAccept("prod", "note column and its grant, reviewed");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      try {
        f.db.execute("ALTER ROLE " + col + " SET session_replication_role = replica");
        assertThat(driftObjects(f)).containsExactly("grantee " + col + " settings");
      } finally {
        f.db.execute("ALTER ROLE " + col + " RESET ALL");
      }
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
    }
  }

  @Test
  @DisplayName(
      "G7 (attack 20 finding 09): a publication's schemas (ADD TABLES IN SCHEMA), a table's column"
          + " list and its row filter are drift")
  void whatAPublicationSendsIsDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      f.db.execute("CREATE PUBLICATION cdc FOR TABLE items");
      f.pipeline().driftAccept("prod", "analytics publication, reviewed");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();

      f.db.execute("ALTER PUBLICATION cdc ADD TABLES IN SCHEMA public");
      assertThat(driftObjects(f)).containsExactly("members of publication cdc");
      assertThat(f.pipeline().driftShow("prod").diff().render(20)).contains("schemas public");
      f.db.execute("ALTER PUBLICATION cdc DROP TABLES IN SCHEMA public");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();

      f.db.execute("ALTER PUBLICATION cdc SET TABLE items (id)");
      assertThat(driftObjects(f)).containsExactly("members of publication cdc");
      assertThat(f.pipeline().driftShow("prod").diff().render(20))
          .contains("tables public.items (id)");
      f.db.execute("ALTER PUBLICATION cdc SET TABLE items WHERE (id > 0)");
      assertThat(f.pipeline().driftShow("prod").diff().render(20))
          .contains("public.items where (id > 0)");
      f.db.execute("ALTER PUBLICATION cdc SET TABLE items");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
    }
  }

  @Test
  @DisplayName(
      "G7: after upgrading, a reference recorded under catalog 5 shows no drift for an existing"
          + " ALTER ROLE ALL setting, column grantee's setting or publication schema; the next"
          + " deploy records catalog 6, and a change of them is then drift")
  void catalog5ReferenceIsFair() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      String col = f.db.createLoginRole();
      f.pipeline().promote("prod");
      try {
        f.db.execute(
            EVERY_ROLE,
            "GRANT UPDATE (id) ON items TO " + col,
            "ALTER ROLE " + col + " SET statement_timeout = '3598s'",
            "CREATE PUBLICATION cdc FOR TABLES IN SCHEMA public");
        f.pipeline().driftAccept("prod", "recorded as prodguard's catalog 5 would");
        recordedUnderCatalog5(f);
        DriftReport show = f.pipeline().driftShow("prod");
        assertThat(show.drifted()).as(show.diff().render(20)).isFalse();

        f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
        f.pipeline().promote("prod");
        assertThat(f.pipeline().driftShow("prod").reference().orElseThrow().schema().objects())
            .contains(
                new SchemaObject("settings of every role", "statement_timeout=3599s"),
                new SchemaObject("grantee " + col + " settings", "statement_timeout=3598s"),
                new SchemaObject("members of publication cdc", "schemas public"));
        f.db.execute(RESET_EVERY_ROLE, "ALTER ROLE " + col + " RESET ALL");
        assertThat(driftObjects(f))
            .containsExactlyInAnyOrder("settings of every role", "grantee " + col + " settings");
      } finally {
        f.db.execute(RESET_EVERY_ROLE, "ALTER ROLE " + col + " RESET ALL");
      }
    }
  }

  /** Rewrites the newest recorded schema as catalog 5 recorded it: without catalog 6's objects. */
  private static void recordedUnderCatalog5(PipelineFixture f) throws Exception {
    try (Connection c = f.db.connect()) {
      long id;
      String text;
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, description FROM prodguard_schema_digest ORDER BY id DESC LIMIT 1");
          ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        id = rs.getLong(1);
        text = rs.getString(2);
      }
      List<SchemaObject> old = new ArrayList<>();
      for (SchemaObject o : SchemaDescription.parse(text).objects()) {
        if (o.name().equals(SchemaObject.CATALOG_VERSION)) {
          old.add(new SchemaObject(o.name(), "5"));
        } else if (o.catalogVersion() < 6) {
          old.add(o);
        }
      }
      SchemaDescription d = SchemaDescription.of(old);
      assertThat(d.objects()).hasSizeLessThan(SchemaDescription.parse(text).objects().size());
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE prodguard_schema_digest SET description = ?, schema_sha256 = ?,"
                  + " object_count = ? WHERE id = ?")) {
        ps.setString(1, d.text());
        ps.setString(2, d.sha256());
        ps.setInt(3, d.objects().size());
        ps.setLong(4, id);
        ps.executeUpdate();
      }
    }
  }
}
