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
 * G7, drift, schema catalog version 5 (PostgreSQL): the server-wide settings ({@code ALTER ROLE r
 * SET ...}) and security attributes of the roles that matter to the database are described, so a
 * hand change that turns the application's foreign keys off ({@code session_replication_role =
 * replica}) is drift (attack19/03); a reference recorded under catalog 4 shows no drift for them.
 */
@DisplayName("G7 schema drift, role settings and attributes (PostgreSQL)")
class G7RoleSettingsDriftIT {
  @TempDir Path dir;

  private static List<String> driftObjects(PipelineFixture f) throws Exception {
    return f.pipeline().driftShow("prod").diff().changes().stream()
        .map(SchemaDiff.Change::object)
        .toList();
  }

  @Test
  @DisplayName(
      "G7: ALTER ROLE app SET session_replication_role = replica (every database) and ALTER ROLE"
          + " app BYPASSRLS on a role that writes the database's tables are drift")
  void roleWideSettingIsDrift() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      String app = f.db.createLoginRole();
      f.db.execute("GRANT pg_write_all_data TO " + app);
      f.pipeline().promote("prod");
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
      try {
        f.db.execute("ALTER ROLE " + app + " SET session_replication_role = replica");
        assertThat(driftObjects(f)).containsExactly("role " + app + " settings");
        assertThat(f.pipeline().driftShow("prod").diff().render(20))
            .contains("session_replication_role=replica");
        f.db.execute("ALTER ROLE " + app + " RESET ALL", "ALTER ROLE " + app + " BYPASSRLS");
        assertThat(driftObjects(f)).containsExactly("role " + app + " attributes");
      } finally {
        f.db.execute("ALTER ROLE " + app + " RESET ALL", "ALTER ROLE " + app + " NOBYPASSRLS");
      }
      assertThat(f.pipeline().driftShow("prod").drifted()).isFalse();
    }
  }

  @Test
  @DisplayName(
      "G7: after upgrading, a reference recorded under catalog 4 shows no drift for a role's"
          + " existing settings; the next deploy records catalog 5, and a change of them is then"
          + " drift")
  void catalog4ReferenceIsFair() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      String app = f.db.createLoginRole();
      f.db.execute(
          "GRANT pg_write_all_data TO " + app,
          "ALTER ROLE " + app + " SET statement_timeout = '5s'");
      try {
        f.pipeline().promote("prod");
        recordedUnderCatalog4(f);
        DriftReport show = f.pipeline().driftShow("prod");
        assertThat(show.drifted()).as(show.diff().render(20)).isFalse();

        f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
        f.pipeline().promote("prod");
        assertThat(f.pipeline().driftShow("prod").reference().orElseThrow().schema().objects())
            .contains(new SchemaObject("role " + app + " settings", "statement_timeout=5s"));
        f.db.execute("ALTER ROLE " + app + " SET search_path = evil, public");
        assertThat(driftObjects(f)).containsExactly("role " + app + " settings");
      } finally {
        f.db.execute("ALTER ROLE " + app + " RESET ALL");
      }
    }
  }

  /** Rewrites the newest recorded schema as catalog 4 recorded it: without catalog 5's objects. */
  private static void recordedUnderCatalog4(PipelineFixture f) throws Exception {
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
          old.add(new SchemaObject(o.name(), "4"));
        } else if (o.catalogVersion() < 5) {
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
