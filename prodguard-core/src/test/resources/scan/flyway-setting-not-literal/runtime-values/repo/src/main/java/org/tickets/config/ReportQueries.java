package org.tickets.config;

import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;

/** Not Flyway's .table(...): a query builder's, on another receiver. */
class ReportQueries {
  private final DSLContext dsl;
  private final Flyway flyway;

  ReportQueries(DSLContext dsl, Flyway flyway) {
    this.dsl = dsl;
    this.flyway = flyway;
  }

  Object rows(String tableName) {
    return dsl.select().from(org.jooq.impl.DSL.table(tableName)).fetch();
  }

  Object builder(Query query, String tableName) {
    return query.table(tableName).locations(tableName);
  }

  interface Query {
    Query table(String name);

    Query locations(String name);
  }
}
