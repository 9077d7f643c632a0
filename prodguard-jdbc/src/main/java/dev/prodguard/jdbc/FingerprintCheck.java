package dev.prodguard.jdbc;

import dev.prodguard.db.Fingerprints;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * G2: reads {@code database_metadata} and the server's identity in one statement, right after
 * connecting, and refuses unless the database is exactly the environment the caller expects.
 */
public final class FingerprintCheck {
  private FingerprintCheck() {}

  /** The single validation statement for this connection. */
  public static String query(Connection c, DatabaseSupport d) throws SQLException {
    return "SELECT "
        + d.serverIdentityExpression(c)
        + ", (SELECT COUNT(*) FROM database_metadata), "
        + d.asText("m.id")
        + ", "
        + d.asText("m.environment")
        + ", "
        + d.asText("m.fingerprint")
        + ", "
        + d.asText("m.server_identity")
        + ", "
        + d.currentSchema()
        + ", "
        + d.schemaOfTableExpression("database_metadata")
        + " FROM (SELECT 1 AS one) o LEFT JOIN database_metadata m ON 1 = 1";
  }

  /**
   * Validates the connection against {@code expectedEnvironment} and {@code expectedFingerprint}.
   *
   * @throws GuardRefusal when anything is missing, malformed or different
   */
  public static DatabaseMetadata validate(
      Connection c, DatabaseSupport d, String expectedEnvironment, String expectedFingerprint)
      throws SQLException {
    return judge(read(c, d), expectedEnvironment, expectedFingerprint);
  }

  /**
   * Like {@link #validate}, for prodguard's own connections, whose state (drift reference, runs,
   * audit, session registry) lives next to {@code database_metadata}: also refuses when the
   * session's current schema is another one, where prodguard would find none of it and start a
   * second copy (a schema named after the role comes first on PostgreSQL's default search path).
   * Read in the same statement as the G2 check: no extra round trip.
   */
  public static DatabaseMetadata validateOwnState(
      Connection c, DatabaseSupport d, String expectedEnvironment, String expectedFingerprint)
      throws SQLException {
    return validateOwnState(c, d, expectedEnvironment, expectedFingerprint, true);
  }

  /**
   * Like {@link #validateOwnState(Connection, DatabaseSupport, String, String)}; {@code forWriting}
   * false for a command that writes nothing (the audit trail's reading and verification): objects
   * on prodguard's tables are not refused there, since such a command fires none of them and is how
   * a tampered trail is examined (G10).
   */
  public static DatabaseMetadata validateOwnState(
      Connection c,
      DatabaseSupport d,
      String expectedEnvironment,
      String expectedFingerprint,
      boolean forWriting)
      throws SQLException {
    Found found = read(c, d);
    DatabaseMetadata m = judge(found, expectedEnvironment, expectedFingerprint);
    if (found.metadataSchema != null && !found.metadataSchema.equals(found.currentSchema)) {
      throw refusal(
          "connect to environment '" + expectedEnvironment + "'",
          "prodguard's state (drift reference, runs, audit) is in schema '"
              + found.metadataSchema
              + "', where database_metadata is, but this session creates and reads unqualified"
              + " objects in schema '"
              + found.currentSchema
              + "' (it comes first on the search path: on PostgreSQL \"$user\" does when a schema"
              + " is named after the role); prodguard would find no drift reference there and"
              + " start a second copy of its tables and audit chain",
          "drop the hand-made schema '"
              + found.currentSchema
              + "' if nothing needs it, or pin the schema in the URL of '"
              + expectedEnvironment
              + "' (currentSchema="
              + found.metadataSchema
              + ")");
    }
    if (forWriting) {
      requireNoIntruders(c, d, expectedEnvironment);
    }
    return m;
  }

  /**
   * G7: nothing prodguard did not create is on its own tables (a trigger, a rule, a policy). Each
   * would run with prodguard's own writes, the audit row of the very command that would report it
   * included, so the refusal comes before prodguard writes anything, and writes nothing.
   */
  private static void requireNoIntruders(Connection c, DatabaseSupport d, String environment)
      throws SQLException {
    java.util.List<dev.prodguard.support.SchemaObject> found =
        d.ownTableIntruders(c, dev.prodguard.support.DatabaseObjects.TABLES);
    if (found.isEmpty()) {
      return;
    }
    StringBuilder list = new StringBuilder();
    for (dev.prodguard.support.SchemaObject o : found) {
      String def = o.definition().replace('\n', ' ');
      list.append("\n  + ")
          .append(o.name())
          .append(": ")
          .append(def.length() > 160 ? def.substring(0, 157) + "..." : def);
    }
    throw new GuardRefusal(
        Guarantee.G7,
        "connect to environment '" + environment + "'",
        "prodguard's own tables hold "
            + found.size()
            + " object(s) prodguard did not create; each would run with prodguard's own writes (this"
            + " command's audit row included), so prodguard writes nothing while one is there:"
            + list,
        "review what each did (a change made outside the pipeline), drop it by hand, and run the"
            + " command again; prodguard's tables take no object of the schema's. One named like"
            + " prodguard's own is one of them changed (another definition, or not enabled ALWAYS):"
            + " restore it as prodguard installs it (docs/database-objects.md)");
  }

  private static DatabaseMetadata judge(
      Found found, String expectedEnvironment, String expectedFingerprint) {
    String what = "connect to environment '" + expectedEnvironment + "'";
    String reinit =
        "if this database really is '"
            + expectedEnvironment
            + "', restore its metadata from the audit trail or backup; never edit it by hand";
    if (found.missingTable) {
      throw refusal(
          what,
          "the database has no database_metadata table: it was never fingerprinted, or the table"
              + " was dropped",
          "if this is a new '"
              + expectedEnvironment
              + "' database, run 'prodguard init-fingerprint "
              + expectedEnvironment
              + "'; otherwise check the URL of '"
              + expectedEnvironment
              + "'");
    }
    if (found.malformedTable) {
      throw refusal(
          what, "database_metadata is malformed (a column is missing or renamed)", reinit);
    }
    if (found.rows == 0) {
      throw refusal(what, "database_metadata is empty", reinit);
    }
    if (found.rows > 1) {
      throw refusal(
          what,
          "database_metadata has "
              + found.rows
              + " rows; it must hold exactly one (its CHECK (id = 1) constraint was removed)",
          reinit);
    }
    if (!"1".equals(found.id)
        || blank(found.environment)
        || blank(found.fingerprint)
        || blank(found.serverIdentity)) {
      throw refusal(
          what,
          "database_metadata has a null or malformed field (id="
              + found.id
              + ", environment="
              + found.environment
              + ", fingerprint="
              + (found.fingerprint == null ? "null" : "present")
              + ", server_identity="
              + (found.serverIdentity == null ? "null" : "present")
              + ")",
          reinit);
    }
    if (!Fingerprints.valid(found.environment, found.fingerprint)) {
      throw refusal(
          what,
          "database_metadata.fingerprint '"
              + found.fingerprint
              + "' is not a fingerprint of environment '"
              + found.environment
              + "'",
          reinit);
    }
    if (!found.environment.equals(expectedEnvironment)) {
      throw refusal(
          what,
          "this database is '"
              + found.environment
              + "', not '"
              + expectedEnvironment
              + "': the URL of '"
              + expectedEnvironment
              + "' points at the '"
              + found.environment
              + "' database",
          "correct the URL of '"
              + expectedEnvironment
              + "' (its variable in prodguard.yml) so that it leads to the '"
              + expectedEnvironment
              + "' database");
    }
    if (!found.fingerprint.equals(expectedFingerprint)) {
      throw refusal(
          what,
          "the database's fingerprint "
              + found.fingerprint
              + " differs from the one in prodguard.yml ("
              + expectedFingerprint
              + "): this is another '"
              + expectedEnvironment
              + "' database than the one the configuration names",
          "point the URL at the right database, or, if the database was rightly re-created,"
              + " commit its new fingerprint to prodguard.yml through review");
    }
    if (!found.serverIdentity.equals(found.currentIdentity)) {
      throw refusal(
          what,
          "the metadata was recorded on "
              + found.serverIdentity
              + " but this server is "
              + found.currentIdentity
              + ": this database is a copy (restore or clone) of '"
              + found.environment
              + "', not the database itself",
          "a copy must get its own identity: 'prodguard init-fingerprint ENV --reidentify' on"
              + " the copy (audited), then commit the new fingerprint");
    }
    return new DatabaseMetadata(found.environment, found.fingerprint, found.serverIdentity);
  }

  /** What the metadata says, without judging it (for status and init-fingerprint). */
  public static Found read(Connection c, DatabaseSupport d) throws SQLException {
    Found f = new Found();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query(c, d))) {
      if (rs.next()) {
        f.currentIdentity = rs.getString(1);
        f.rows = rs.getLong(2);
        f.id = rs.getString(3);
        f.environment = rs.getString(4);
        f.fingerprint = rs.getString(5);
        f.serverIdentity = rs.getString(6);
        f.currentSchema = rs.getString(7);
        f.metadataSchema = rs.getString(8);
      }
    } catch (SQLException e) {
      if (d.isUndefinedTable(e)) {
        f.missingTable = true;
      } else if (d.isUndefinedColumn(e)) {
        f.malformedTable = true;
      } else {
        throw e;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    }
    return f;
  }

  /** Raw metadata as found. */
  public static final class Found {
    public boolean missingTable;
    public boolean malformedTable;
    public long rows;
    public String id;
    public String environment;
    public String fingerprint;
    public String serverIdentity;
    public String currentIdentity;

    /** The session's current schema, where unqualified objects are created. */
    public String currentSchema;

    /** The schema {@code database_metadata} resolves to (prodguard's state lives there). */
    public String metadataSchema;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static GuardRefusal refusal(String what, String why, String fix) {
    return new GuardRefusal(Guarantee.G2, what, why, fix);
  }
}
