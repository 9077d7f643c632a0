package com.acme;

import org.flywaydb.core.Flyway;

class OrderDaoTest {
  Flyway flyway;

  void reset() {
    flyway.clean();
    flyway.migrate();
  }
}
