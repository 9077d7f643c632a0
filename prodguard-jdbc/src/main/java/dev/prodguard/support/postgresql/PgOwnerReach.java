package dev.prodguard.support.postgresql;

import dev.prodguard.support.OwnerReach;
import dev.prodguard.support.SchemaGrants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@link OwnerReach} from {@code pg_roles}, {@code pg_database}, {@code pg_class} and {@code
 * pg_has_role} (which counts direct and indirect membership, and {@code ... WITH ADMIN OPTION}).
 * Read-only; any role may read these catalogs.
 */
final class PgOwnerReach implements OwnerReach {
  static final PgOwnerReach INSTANCE = new PgOwnerReach();

  private PgOwnerReach() {}

  /** Predefined roles that reach the server's operating-system account, and so a superuser. */
  private static final List<String> SERVER_ROLES =
      List.of("pg_execute_server_program", "pg_write_server_files");

  /** Each role that owns the database, a guarded table or its schema, with what it owns. */
  private static final String OWNERS =
      "SELECT o.oid, o.rolname, string_agg(x.what, ', ' ORDER BY x.what) FROM ("
          + " SELECT d.datdba AS owner, 'database ' || quote_ident(d.datname) AS what"
          + " FROM pg_database d WHERE d.datname = current_database()"
          + " UNION ALL"
          + " SELECT c.relowner, 'table ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relname = ANY (?) AND c.relkind IN ('r', 'p')"
          + " UNION"
          + " SELECT n.nspowner, 'schema ' || quote_ident(n.nspname)"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relname = ANY (?) AND c.relkind IN ('r', 'p')"
          + ") x JOIN pg_roles o ON o.oid = x.owner"
          + " GROUP BY o.oid, o.rolname ORDER BY o.rolname";

  /**
   * Whether the login role is a member of the owner, and the roles it holds ADMIN on leading there.
   */
  private static final String WAYS =
      "SELECT pg_has_role(session_user, ?::oid, 'MEMBER'),"
          + " (SELECT string_agg(quote_ident(r.rolname), ', ' ORDER BY r.rolname) FROM pg_roles r"
          + " WHERE pg_has_role(r.oid, ?::oid, 'MEMBER')"
          + " AND pg_has_role(session_user, r.oid, 'MEMBER WITH ADMIN OPTION'))";

  @Override
  public SchemaGrants.Found read(Connection c, Collection<String> guardedTables)
      throws SQLException {
    String role;
    boolean superuser;
    boolean createRole;
    int version;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT session_user, r.rolsuper, r.rolcreaterole,"
                    + " current_setting('server_version_num')::int"
                    + " FROM pg_roles r WHERE r.rolname = session_user")) {
      if (!rs.next()) {
        throw new SQLException("the login role is not in pg_roles");
      }
      role = rs.getString(1);
      superuser = rs.getBoolean(2);
      createRole = rs.getBoolean(3);
      version = rs.getInt(4);
    }
    List<String> ways = new ArrayList<>();
    if (superuser) {
      ways.add(
          "superuser: may SET ROLE to any role, write prodguard's tables and switch the DDL guard"
              + " off");
      return new SchemaGrants.Found(role, ways, List.of());
    }
    List<String> owners = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(OWNERS)) {
      java.sql.Array names = c.createArrayOf("text", guardedTables.toArray());
      ps.setArray(1, names);
      ps.setArray(2, names);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long oid = rs.getLong(1);
          String owner = rs.getString(2);
          String owns = owner + " (the owner of " + rs.getString(3) + ")";
          if (!owner.equals("pg_database_owner")) { // no explicit members: not grantable
            owners.add(owner);
          }
          try (PreparedStatement w = c.prepareStatement(WAYS)) {
            w.setLong(1, oid);
            w.setLong(2, oid);
            try (ResultSet wr = w.executeQuery()) {
              wr.next();
              if (wr.getBoolean(1)) {
                ways.add(
                    (owner.equals(role) ? "is " : "member of ")
                        + owns
                        + (owner.equals(role) ? "" : ": may SET ROLE " + owner));
              }
              String admin = wr.getString(2);
              if (admin != null) {
                ways.add(
                    "ADMIN OPTION on "
                        + admin
                        + ", which leads to "
                        + owns
                        + ": may grant itself that role");
              }
            }
          }
        }
      }
    }
    if (createRole && version < 160000) {
      ways.add(
          "CREATEROLE on PostgreSQL "
              + version / 10000
              + ": may grant itself any role that is not a superuser"
              + (owners.isEmpty() ? "" : ", " + String.join(", ", owners) + " among them")
              + " (from PostgreSQL 16 on only those it holds ADMIN OPTION on)");
    }
    for (String server : SERVER_ROLES) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pg_has_role(session_user, ?, 'MEMBER')")) {
        ps.setString(1, server);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            ways.add(
                "member of "
                    + server
                    + ": may run programs or write files on the server as its operating-system"
                    + " user, and from there connect as a superuser");
          }
        }
      }
    }
    return new SchemaGrants.Found(role, ways, List.of());
  }
}
