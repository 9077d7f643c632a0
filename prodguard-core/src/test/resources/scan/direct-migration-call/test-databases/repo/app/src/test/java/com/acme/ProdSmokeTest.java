package com.acme;

import org.flywaydb.core.Flyway;

class ProdSmokeTest {
  void migrate() {
    Flyway.configure().dataSource(System.getenv("DATABASE_URL"), "app", null).load().migrate();
  }
}
