package dev.prodguard.support.postgresql;

import dev.prodguard.support.SchemaObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The catalog queries of one schema read ({@link PgSchemaCatalog}), each giving a name and a
 * definition, sent to the server as one statement: their {@code UNION ALL}, so one round trip, one
 * plan, and the relations in scope (the shared {@code r} common table expression) read once instead
 * of once per query. A fleet reads each target's schema three times (before verify, before deploy,
 * after deploy); with catalog version 4 that was about forty statements per read. The rows are the
 * same as the queries' one by one (the description is sorted afterwards, so their order does not
 * matter), and a query that fails fails the whole read, as before.
 */
final class PgCatalogReads {
  private final String relations;
  private final Object[] relationParams;
  private final StringBuilder sql = new StringBuilder();
  private final List<Object> params = new ArrayList<>();
  private boolean onRelations;
  private boolean reused;

  /**
   * @param relations the {@code WITH r AS (...) } prefix the relation queries start with, or null
   *     when none does
   * @param relationParams that prefix's parameters, which every relation query passes first
   */
  PgCatalogReads(String relations, Object... relationParams) {
    this.relations = relations;
    this.relationParams = relationParams;
  }

  /**
   * Marks this read as one a session repeats (the drift read, {@link PgSchemaCatalog#read}): its
   * statement is then prepared on the server from the first execution ({@link #reusable}). Other
   * reads (the fingerprint check's own-table read, which runs on every connection prodguard opens,
   * including the second connection of the session probe before the probe has shown the session is
   * prodguard's alone) use the driver's setting as the URL gives it.
   */
  PgCatalogReads reusedBySession() {
    reused = true;
    return this;
  }

  /** One query of two text columns, as it would run on its own (with the prefix, if it has it). */
  void add(String query, Object... queryParams) {
    String body = query;
    Object[] own = queryParams;
    if (relations != null && query.startsWith(relations)) {
      int n = relationParams.length;
      if (queryParams.length < n
          || !Arrays.equals(Arrays.copyOfRange(queryParams, 0, n), relationParams)) {
        throw new IllegalStateException("a relation query with other relations' parameters");
      }
      body = query.substring(relations.length());
      onRelations = true;
      own = Arrays.copyOfRange(queryParams, n, queryParams.length);
    }
    if (sql.length() > 0) {
      sql.append(" UNION ALL ");
    }
    // each query keeps its own WITH, WHERE and GROUP BY inside its parentheses; the casts give
    // every branch the same column types
    sql.append("SELECT q.n::pg_catalog.text, q.v::pg_catalog.text FROM (")
        .append(body)
        .append(") q(n, v)");
    params.addAll(Arrays.asList(own));
  }

  /** The one statement: the relations' prefix once (when a query uses it), then the queries. */
  String statement() {
    return (onRelations ? relations : "") + sql;
  }

  /** The statement's parameters, in order. */
  List<Object> parameters() {
    List<Object> all = new ArrayList<>();
    if (onRelations) {
      all.addAll(Arrays.asList(relationParams));
    }
    all.addAll(params);
    return all;
  }

  /**
   * For a read {@link #reusedBySession() reused by its session}, a server-side prepared statement
   * from the first execution on (the driver's default waits for the fifth), unless the URL turned
   * server-side statements off: a promote reads the same target's schema three times on its control
   * session, and planning this statement is most of a read's server time (about 20 ms of backend
   * CPU per read on a small tenant). With {@code plan_cache_mode = force_generic_plan} in the
   * read's transaction ({@link PgSchemaCatalog#read}) the later reads of the session bind the plan
   * made by the first instead of planning again. The statement and its rows are unchanged.
   */
  private void reusable(PreparedStatement ps) throws SQLException {
    if (reused && ps.isWrapperFor(org.postgresql.PGStatement.class)) {
      org.postgresql.PGStatement pg = ps.unwrap(org.postgresql.PGStatement.class);
      // prepareThreshold=0 in the URL (what a URL through a transaction-pooling PgBouncer needs)
      // turns named server-side statements off: kept, or a statement named on one server session
      // meets the next client's statement of the same name ("prepared statement S_1 already
      // exists"); a negative threshold (binary transfer forced) is kept too
      if (pg.getPrepareThreshold() > 1) {
        pg.setPrepareThreshold(1);
      }
    }
  }

  /** Runs the queries added (nothing when none was), adding their rows to {@code out}. */
  void run(Connection c, List<SchemaObject> out) throws SQLException {
    if (sql.length() == 0) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(statement())) {
      reusable(ps);
      int i = 1;
      for (Object p : parameters()) {
        ps.setObject(i++, p);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new SchemaObject(rs.getString(1), rs.getString(2)));
        }
      }
    }
  }
}
