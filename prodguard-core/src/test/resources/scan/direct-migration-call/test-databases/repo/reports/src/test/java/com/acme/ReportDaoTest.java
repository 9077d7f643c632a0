package com.acme;

import org.flywaydb.core.Flyway;

class ReportDaoTest {
  Flyway flyway;

  void reset() {
    flyway.clean();
  }
}
