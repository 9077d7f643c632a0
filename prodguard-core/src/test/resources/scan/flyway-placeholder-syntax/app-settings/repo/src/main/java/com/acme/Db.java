package com.acme;

import org.flywaydb.core.Flyway;

class Db {
  Flyway flyway(javax.sql.DataSource ds) {
    return Flyway.configure().dataSource(ds).placeholderPrefix("@{").load();
  }

  Flyway ok(javax.sql.DataSource ds) {
    return Flyway.configure().dataSource(ds).placeholderPrefix("${").placeholderSeparator(":").load();
  }
}
