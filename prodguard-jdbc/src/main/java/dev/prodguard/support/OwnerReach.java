package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

/**
 * What the connected role can become, read from the server's role catalog: the PostgreSQL half of
 * G6's role split. With a {@code deploy-url}, the environment's {@code url} role (the
 * application's) is not the owner of the database or of prodguard's tables; owners may write those
 * tables (forge a deploy session) and pass the DDL guard, so a url role that can make itself an
 * owner holds the deploy credential in all but name.
 */
public interface OwnerReach {

  /**
   * Reads, for the connection's login role ({@code session_user}, which can always return to itself
   * with {@code RESET ROLE}), each way it can act as a role that owns the connected database, one
   * of {@code guardedTables} or a schema holding one: membership, ADMIN OPTION on a role that leads
   * there, {@code CREATEROLE} where it grants any role (PostgreSQL before 16), superuser, or
   * membership in the predefined roles that run programs or write files on the server. Each entry
   * names the attribute or role and why, e.g. {@code CREATEROLE on PostgreSQL 15: may grant itself
   * any role that is not a superuser, app_owner among them}. {@link
   * SchemaGrants.Found#schemaChanging()} holds them; {@code guardedWrites} stays empty.
   *
   * @param guardedTables prodguard's tables and the migration tool's history table, unqualified
   *     (found in any schema: a namesake elsewhere counts too, fail closed)
   * @throws SQLException when the catalog cannot be read (callers count that as able)
   */
  SchemaGrants.Found read(Connection connection, Collection<String> guardedTables)
      throws SQLException;
}
