package com.acme;

public class Other {
  void run(Migrator migrator) {
    migrator.migrate();
  }
}
