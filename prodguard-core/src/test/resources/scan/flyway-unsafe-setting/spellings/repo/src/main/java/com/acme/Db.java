package com.acme;

import org.flywaydb.core.Flyway;

public class Db {
  Flyway flyway(javax.sql.DataSource ds) {
    return Flyway.configure()
        .dataSource(ds)
        .cleanDisabled(false)
        .outOfOrder(false)
        .callbackLocations("classpath:db/migration")
        .load();
  }
}
