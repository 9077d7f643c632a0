package org.tickets.config;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.springframework.jdbc.core.JdbcTemplate;

class MigrationSetup {
  Flyway flyway(DataSource dataSource, java.util.Properties props) {
    var setup = Flyway.configure();
    String historyTable = setup.getTable();
    Integer legacy =
        new JdbcTemplate(dataSource)
            .queryForObject(
                "select count(*) from information_schema.tables where table_name = 'db_history'",
                Integer.class);
    if (legacy != null && legacy > 0) {
      historyTable = "db_history";
    }
    setup
        .table(historyTable)
        .dataSource(dataSource)
        .target(MigrationVersion.LATEST)
        .locations(props.getProperty("db.locations", "classpath:db/migration"));
    return new Flyway(setup);
  }

  Flyway literalOnly(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .table("flyway_schema_history")
        .locations("classpath:db/migration", "classpath:db/callbacks")
        .baselineVersion(MigrationVersion.fromVersion("1"))
        .load();
  }
}
