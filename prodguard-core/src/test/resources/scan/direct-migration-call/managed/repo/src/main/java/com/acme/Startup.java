package com.acme;

import org.flywaydb.core.Flyway;

public class Startup {
  void start(javax.sql.DataSource ds, java.util.List<String> list) {
    Flyway.configure().dataSource(ds).load().migrate();
    list.clear();
  }
}
