package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New user NU27/04 on real MariaDB: Kestra's migrations wrap each {@code ALTER TABLE} in a
 * procedure (with a {@code CONTINUE HANDLER}), call it and drop it, then run more DDL. The call
 * changes no row, so verify lets it through (implicit-commit warnings only) and it deploys; the
 * same shape with a row change in the procedure is still refused ({@code transaction-control}).
 */
@DisplayName("G7: MariaDB CALL of a DDL-only procedure deploys; one that changes rows is refused")
class G7CallOfDdlOnlyProcedureIT {
  @TempDir Path dir;

  static String migration(String body) {
    return "DELIMITER //\n"
        + "CREATE PROCEDURE IF NOT EXISTS `?`()\n"
        + "BEGIN\n"
        + "    DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;\n"
        + "    "
        + body
        + "\n"
        + "END //\n"
        + "DELIMITER ;\n"
        + "CALL `?`();\n"
        + "DROP PROCEDURE `?`;\n"
        + "ALTER TABLE items ADD COLUMN note varchar(20);\n";
  }

  @Test
  @DisplayName("G7: Kestra's DDL-only procedure, then DDL: promotes, the columns exist")
  void ddlOnlyProcedureDeploys() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__wrapped.sql", migration("ALTER TABLE items ADD COLUMN memo varchar(20);"));
      f.pipeline().promote("prod");
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema ="
                      + " DATABASE() AND table_name = 'items' AND column_name IN ('memo',"
                      + " 'note')"))
          .contains("2");
    }
  }

  @Test
  @DisplayName("G7: the same shape whose procedure changes rows is refused (transaction-control)")
  void rowChangingProcedureRefused() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__wrapped.sql", migration("DELETE FROM items WHERE id = 1;"));
      Throwable t = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(t).isInstanceOf(GuardRefusal.class);
      assertThat(t.getMessage()).contains("transaction-control");
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema ="
                      + " DATABASE() AND table_name = 'items' AND column_name = 'note'"))
          .contains("0");
    }
  }
}
