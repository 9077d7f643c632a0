package com.acme;

import org.testcontainers.containers.PostgreSQLContainer;

final class Containers {
  static final PostgreSQLContainer<?> POSTGRES = new PostgreSQLContainer<>("postgres:16");
}
