package com.acme;

import org.flywaydb.core.Flyway;

class Db {
  Flyway flyway() {
    return Flyway.configure().locations("classpath:db/other").load();
  }

  Flyway ok() {
    return Flyway.configure().locations("classpath:db/migration").load();
  }
}
