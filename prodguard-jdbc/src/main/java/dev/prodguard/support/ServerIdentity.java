package dev.prodguard.support;

import dev.prodguard.db.DatabaseKind;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;

/**
 * A facet of {@link DatabaseSupport}: connecting to the server and telling which server it is (G2).
 * Implemented per database in {@code support.postgresql} and {@code support.mariadb}.
 */
public interface ServerIdentity {

  DatabaseKind kind();

  /** The JDBC driver, used directly so that no other registered driver can claim the URL. */
  Driver driver();

  /** Driver property that bounds the connect time, with its value for {@code seconds}. */
  String connectTimeoutProperty();

  String connectTimeoutValue(int seconds);

  /** SQL that evaluates to this server's identity (see DESIGN section 7), per connection. */
  String serverIdentityExpression(Connection connection) throws SQLException;

  /**
   * Whether the schemas a connection can choose are parts of one database with one identity
   * (PostgreSQL: {@code currentSchema} picks a schema inside the database the identity names) or
   * databases of their own (MySQL/MariaDB: a schema is a database, named in the identity).
   */
  boolean schemasShareIdentity();

  /**
   * SQL that evaluates to the schema the unqualified name {@code table} resolves to, or NULL when
   * it resolves to nothing: where prodguard's state lives is where {@code database_metadata} is.
   */
  String schemaOfTableExpression(String table);
}
