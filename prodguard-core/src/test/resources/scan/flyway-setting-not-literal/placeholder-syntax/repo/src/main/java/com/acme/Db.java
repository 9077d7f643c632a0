package com.acme;

import org.flywaydb.core.Flyway;

class Db {
  static final String P = "@@";

  Flyway flyway(javax.sql.DataSource ds) {
    return Flyway.configure()
        .dataSource(ds)
        .placeholderPrefix(P)
        .placeholderSuffix(System.getenv("X"))
        .placeholderSeparator(P)
        .placeholderReplacement(Boolean.parseBoolean(System.getenv("R")))
        .initSql(System.getenv("INIT"))
        .load();
  }

  Flyway ok(javax.sql.DataSource ds) {
    return Flyway.configure().dataSource(ds).placeholderPrefix("#[").placeholderSuffix("]").load();
  }
}
