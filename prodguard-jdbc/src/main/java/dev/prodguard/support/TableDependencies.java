package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Facet: the objects tables depend on (trigger functions, column types and domains, sequences),
 * read from the catalog. MySQL/MariaDB keep triggers, enum types and auto-increment inside the
 * table's own definition, so changing them names the table and this list is empty there.
 */
public interface TableDependencies {

  List<TableDependency> tableDependencies(Connection c) throws SQLException;

  /**
   * Every table that is a partition or an inheritance child of another, with its direct parent.
   * MySQL/MariaDB partitions are no tables of their own: empty there.
   */
  default List<TableParent> tableParents(Connection c) throws SQLException {
    return List.of();
  }

  /**
   * Every enabled user trigger of the database's tables and views, with the SQL of its body ({@link
   * TableTrigger#definition()}); a dialect that cannot read them throws (fail closed).
   */
  default List<TableTrigger> tableTriggers(Connection c) throws SQLException {
    throw new java.sql.SQLFeatureNotSupportedException("the triggers of this server are not read");
  }

  /**
   * Every user function and procedure of the database, with the SQL that defines it ({@link
   * StoredRoutine#definition()}): what the triggers' bodies call. Empty where not read: a call of a
   * routine the migrations do not define is then one prodguard cannot read (fail closed).
   */
  default List<StoredRoutine> storedRoutines(Connection c) throws SQLException {
    return List.of();
  }

  /**
   * The operators and operator classes users made on the target, with the functions the server runs
   * for them ({@link UserOperator}): a migration that uses one runs those functions (G4). Empty
   * where not read (MariaDB has none).
   */
  default List<UserOperator> userOperators(Connection c) throws SQLException {
    return List.of();
  }
}
