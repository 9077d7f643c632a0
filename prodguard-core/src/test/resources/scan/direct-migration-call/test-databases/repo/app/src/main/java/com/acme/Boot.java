package com.acme;

import org.flywaydb.core.Flyway;

class Boot {
  void start(javax.sql.DataSource ds) {
    Flyway.configure().dataSource(ds).baselineOnMigrate(true).load().migrate();
  }
}
