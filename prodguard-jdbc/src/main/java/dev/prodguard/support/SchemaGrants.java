package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What the connected account may do to the schema of the connected database, read from the server's
 * own grants: the MySQL/MariaDB half of G6's role split, where no DDL trigger can refuse a schema
 * change and privileges are the only guard.
 */
public interface SchemaGrants {

  /** The grants of one account, as far as they reach the connected database's schema. */
  record Found(String account, List<String> schemaChanging) {
    public Found {
      schemaChanging = List.copyOf(schemaChanging);
    }

    public boolean canChangeSchema() {
      return !schemaChanging.isEmpty();
    }
  }

  /**
   * Reads the account's grants (global, database, table and routine level, and those of every role
   * it may enable, nested roles included) and keeps each grant that lets it create, alter or drop
   * objects of the connected database, e.g. {@code ALTER, DROP ON `shop`.* (via role shop_owner)}.
   * A grant it cannot read is listed as such: unknown counts as able (fail closed). Leaves the
   * connection's current role as it found it. Never returns a password hash.
   */
  Found read(Connection connection) throws SQLException;
}
