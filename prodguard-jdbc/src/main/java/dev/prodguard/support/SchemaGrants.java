package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * What the connected account may do to the schema of the connected database, read from the server's
 * own grants: the MySQL/MariaDB half of G6's role split, where no DDL trigger can refuse a schema
 * change and privileges are the only guard.
 */
public interface SchemaGrants {

  /**
   * The grants of one account, as far as they reach the connected database: those that change its
   * schema, and those that write prodguard's tables or the migration tool's history table ({@code
   * INSERT}, {@code UPDATE}, {@code DELETE}, at global, database or table level), with which an
   * account could switch protection off or forge an approved deploy session.
   */
  record Found(String account, List<String> schemaChanging, List<String> guardedWrites) {
    public Found {
      schemaChanging = List.copyOf(schemaChanging);
      guardedWrites = List.copyOf(guardedWrites);
    }

    public boolean canChangeSchema() {
      return !schemaChanging.isEmpty();
    }

    /** Whether the account may write prodguard's tables or the history table. */
    public boolean canWriteGuarded() {
      return !guardedWrites.isEmpty();
    }
  }

  /**
   * Reads the account's grants (global, database, table and routine level, and those of every role
   * it may enable, nested roles included) and keeps each grant that lets it create, alter or drop
   * objects of the connected database, e.g. {@code ALTER, DROP ON `shop`.* (via role shop_owner)},
   * and each that lets it write one of {@code guardedTables}, e.g. {@code INSERT, UPDATE ON
   * `shop`.*}. A grant it cannot read is listed as such in both: unknown counts as able (fail
   * closed). Leaves the connection's current role as it found it. Never returns a password hash.
   *
   * @param guardedTables prodguard's tables ({@link DatabaseObjects#TABLES}) and the migration
   *     tool's history table, unqualified, in the connected database
   */
  Found read(Connection connection, Collection<String> guardedTables) throws SQLException;

  /**
   * The grants of every other account with the user name of {@code account} (as {@link Found} shows
   * it, {@code 'app'@'%'}): the same user at another host ({@code 'app'@'localhost'}), which a
   * connection from that host logs in as, so its privileges are the application's too. Read through
   * {@code reader} (the deploy credential's connection to the same database), with the roles
   * granted to each account, nested ones included; each as {@link #read} keeps them.
   *
   * @throws Unreadable when {@code reader} may not list the accounts or read their grants
   */
  List<Found> namesakes(Connection reader, String account, Collection<String> guardedTables)
      throws SQLException;

  /**
   * The reader may not read other accounts' grants: {@code grant} is the statement that makes them
   * readable ({@code GRANT SELECT ON mysql.* TO 'deploy'@'%'}).
   */
  final class Unreadable extends SQLException {
    private static final long serialVersionUID = 1L;
    private final String grant;

    public Unreadable(String grant, SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
      this.grant = grant;
    }

    public String grant() {
      return grant;
    }
  }
}
