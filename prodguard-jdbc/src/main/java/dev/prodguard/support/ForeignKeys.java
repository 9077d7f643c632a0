package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Facet: the foreign keys of the connected database, read from its catalog (no table scan). */
public interface ForeignKeys {

  /** Every foreign key of the current database (PostgreSQL: outside the system schemas). */
  List<ForeignKey> foreignKeys(Connection c) throws SQLException;
}
