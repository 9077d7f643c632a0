package dev.prodguard.support;

import java.util.Optional;

/** Facet: whether and how a server can be traced ({@link StatementProbe}, docs/trace.md). */
public interface Tracing {
  /** The probe; empty where the server exposes no such facts (MySQL/MariaDB). */
  default Optional<StatementProbe> statementProbe() {
    return Optional.empty();
  }
}
