package com.acme;

import org.flywaydb.core.Flyway;

class Db {
  Flyway flyway(javax.sql.DataSource ds) {
    return Flyway.configure().dataSource(ds).table("schema_version").load();
  }

  Flyway ok(javax.sql.DataSource ds) {
    return Flyway.configure().dataSource(ds).sqlMigrationSuffixes(".sql").load();
  }
}
