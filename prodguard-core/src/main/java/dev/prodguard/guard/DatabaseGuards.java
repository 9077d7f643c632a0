package dev.prodguard.guard;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseObjects;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.DdlGuardSql;
import dev.prodguard.support.HistoryGuardSql;
import dev.prodguard.support.SchemaGrants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * G6 inside the database: whether the environment is protected ({@code prodguard_guard_config},
 * read by {@code prodguard_assert_deploy()} and the DDL guard), the PostgreSQL DDL guard (event
 * triggers, installed only by a superuser), the guard on the migration tool's history table, the
 * grants behind MySQL/MariaDB's role split, and what is installed. The tables and routines
 * themselves are versioned objects of {@code PipelineSchema}.
 */
public final class DatabaseGuards {
  private DatabaseGuards() {}

  /** The PostgreSQL DDL guard as found. */
  public enum DdlGuard {
    /** Both event triggers exist and are enabled. */
    INSTALLED,
    /** They exist but at least one is disabled. */
    DISABLED,
    /** Not (fully) there. */
    MISSING,
    /** The server has no event triggers (MySQL, MariaDB). */
    UNSUPPORTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The guard on the migration tool's schema history table as found. */
  public enum HistoryGuard {
    /** Every trigger exists and enforces. */
    INSTALLED,
    /** There, but not enforcing: disabled, or on PostgreSQL not ENABLE ALWAYS. */
    DISABLED,
    /** The table exists without (all of) the triggers. */
    MISSING,
    /** The table does not exist yet: the first deploy creates it and guards it. */
    NO_TABLE;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  /** What is installed in the database. */
  public record Installed(
      Optional<Boolean> databaseProtected,
      boolean assertInstalled,
      DdlGuard ddlGuard,
      Optional<String> historyTable,
      HistoryGuard historyGuard) {}

  /** What {@link #installHistoryGuard} did: the state after, and whether it ran DDL. */
  public record HistoryGuardInstall(HistoryGuard state, boolean changed) {}

  /** What {@link #installDdlGuard} did: the state after, and why it is not installed. */
  public record DdlGuardInstall(DdlGuard state, boolean changed, Optional<String> note) {}

  /** Records whether the environment is protected (init-fingerprint: from prodguard.yml). */
  public static void configure(Connection c, boolean isProtected, String by, Instant now)
      throws SQLException {
    LocalDateTime at = LocalDateTime.ofInstant(now.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    try (PreparedStatement up =
        c.prepareStatement(
            "UPDATE prodguard_guard_config SET protected = ?, updated_at = ?, updated_by = ?"
                + " WHERE id = 1")) {
      up.setBoolean(1, isProtected);
      up.setObject(2, at);
      up.setString(3, by);
      if (up.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement in =
        c.prepareStatement(
            "INSERT INTO prodguard_guard_config (id, protected, updated_at, updated_by)"
                + " VALUES (1, ?, ?, ?)")) {
      in.setBoolean(1, isProtected);
      in.setObject(2, at);
      in.setString(3, by);
      in.executeUpdate();
    }
  }

  /**
   * Whether the database records its environment as protected ({@code prodguard_guard_config}):
   * empty when its row is missing. Callers run {@code PipelineSchema.ensure} first, so the table
   * exists; a read that fails is an error, never "not protected" (fail closed).
   *
   * @throws SQLException when the record cannot be read
   */
  public static Optional<Boolean> recordedProtected(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT protected FROM prodguard_guard_config WHERE id = 1")) {
      return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
    }
  }

  /**
   * For a protected environment: makes sure the database says so too (tightening is always allowed;
   * loosening only through init-fingerprint of an environment that is not protected). Returns true
   * when it had to change the record (missing, or edited to 'not protected').
   */
  public static boolean requireProtected(Connection c, String by, Instant now) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT protected FROM prodguard_guard_config WHERE id = 1")) {
      if (rs.next() && rs.getBoolean(1)) {
        return false;
      }
    }
    configure(c, true, by, now);
    return true;
  }

  /**
   * Installs the PostgreSQL DDL guard (both event triggers, in one transaction) when the role is a
   * superuser and it is not already there. Never an error: a role that cannot is told so, and
   * {@code status} shows the guard missing.
   */
  public static DdlGuardInstall installDdlGuard(Connection c, DatabaseSupport d)
      throws SQLException {
    if (d.ddlGuard().isEmpty()) {
      return new DdlGuardInstall(
          DdlGuard.UNSUPPORTED,
          false,
          Optional.of(
              "MySQL/MariaDB have no event triggers: the role split (deploy-url) stands in for"
                  + " it"));
    }
    DdlGuardSql g = d.ddlGuard().get();
    if (ddlGuard(c, d) == DdlGuard.INSTALLED) {
      return new DdlGuardInstall(DdlGuard.INSTALLED, false, Optional.empty());
    }
    String role;
    boolean superuser;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_user")) {
      rs.next();
      role = rs.getString(1);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(g.superuserQuery())) {
      superuser = rs.next() && rs.getBoolean(1);
    }
    if (!superuser) {
      return new DdlGuardInstall(
          ddlGuard(c, d),
          false,
          Optional.of(
              "role '"
                  + role
                  + "' is not a superuser, and only a superuser can create event triggers: run"
                  + " init-fingerprint once as a superuser to install it"));
    }
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      for (String sql : g.install()) {
        st.execute(sql);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
    return new DdlGuardInstall(ddlGuard(c, d), true, Optional.empty());
  }

  /** The DDL guard as it is now. */
  public static DdlGuard ddlGuard(Connection c, DatabaseSupport d) throws SQLException {
    if (d.ddlGuard().isEmpty()) {
      return DdlGuard.UNSUPPORTED;
    }
    DdlGuardSql g = d.ddlGuard().get();
    Map<String, String> states = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(g.stateQuery())) {
      while (rs.next()) {
        states.put(rs.getString(1), rs.getString(2));
      }
    }
    if (!states.keySet().containsAll(g.triggerNames())) {
      return DdlGuard.MISSING;
    }
    return states.containsValue("D") ? DdlGuard.DISABLED : DdlGuard.INSTALLED;
  }

  /**
   * The guard on the history table {@code table} (in prodguard's schema) as it is now; {@link
   * HistoryGuard#NO_TABLE} while the table does not exist.
   */
  public static HistoryGuard historyGuard(Connection c, DatabaseSupport d, String table)
      throws SQLException {
    table = historyTableHere(c, d, table);
    if (!tableExists(c, d, table)) {
      return HistoryGuard.NO_TABLE;
    }
    HistoryGuardSql g = d.historyGuard();
    Map<String, String> states = g.states(c, table);
    if (!states.keySet().containsAll(g.triggerNames())) {
      return HistoryGuard.MISSING;
    }
    return states.values().stream().allMatch(g::enforcing)
        ? HistoryGuard.INSTALLED
        : HistoryGuard.DISABLED;
  }

  /**
   * Installs the guard on the history table {@code table} unless it already enforces or the table
   * does not exist yet; in one transaction where DDL is transactional. {@code pauseDdlGuard}: the
   * caller is not a registered deploy session, so PostgreSQL's DDL guard would refuse the DDL; it
   * is paused inside the transaction (other sessions never see it off), which only its owner, a
   * superuser, can do: anyone else is refused with the way forward and nothing changes. A deploy
   * installs it on one of its own registered connections instead, which the DDL guard lets pass.
   */
  public static HistoryGuardInstall installHistoryGuard(
      Connection c, DatabaseSupport d, String historyTable, boolean pauseDdlGuard)
      throws SQLException {
    String table = historyTableHere(c, d, historyTable);
    HistoryGuard before = historyGuard(c, d, table);
    if (before == HistoryGuard.INSTALLED || before == HistoryGuard.NO_TABLE) {
      return new HistoryGuardInstall(before, false);
    }
    boolean autoCommit = c.getAutoCommit();
    boolean transactional = d.transactionalDdl();
    if (transactional) {
      c.setAutoCommit(false);
    }
    try (Statement st = c.createStatement()) {
      Map<String, String> paused =
          pauseDdlGuard
              ? pauseDdlGuard(
                  c,
                  d,
                  trigger ->
                      new GuardRefusal(
                          Guarantee.G6,
                          "install the guard on " + table,
                          "the history table "
                              + table
                              + " has no guard yet, but the DDL guard (event trigger "
                              + trigger
                              + ") refuses DDL outside a deploy, and this role cannot pause it:"
                              + " only its owner, a superuser, can",
                          "run 'prodguard init-fingerprint ENV' once from CI with ENV's URL"
                              + " pointing at the superuser that installed the DDL guard"))
              : Map.of();
      for (String sql : d.historyGuard().install(table)) {
        st.execute(sql);
      }
      resumeDdlGuard(c, d, paused);
      if (transactional) {
        c.commit();
      }
    } catch (SQLException | RuntimeException e) {
      if (transactional) {
        c.rollback();
      }
      throw e;
    } finally {
      if (transactional) {
        c.setAutoCommit(autoCommit);
      }
    }
    return new HistoryGuardInstall(historyGuard(c, d, table), true);
  }

  /**
   * Disables the enabled DDL guard triggers inside the caller's transaction (PostgreSQL; nothing
   * elsewhere) and returns their states for {@link #resumeDdlGuard}. Other sessions keep seeing
   * them enabled: the change is undone before the commit. A role that may not ({@code 42501}) gets
   * {@code refusal} of the trigger's name.
   */
  public static Map<String, String> pauseDdlGuard(
      Connection c, DatabaseSupport d, Function<String, GuardRefusal> refusal) throws SQLException {
    Map<String, String> paused = new LinkedHashMap<>();
    if (d.ddlGuard().isEmpty() || !d.transactionalDdl()) {
      return paused;
    }
    DdlGuardSql guard = d.ddlGuard().get();
    Map<String, String> states = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(guard.stateQuery())) {
      while (rs.next()) {
        states.put(rs.getString(1), rs.getString(2));
      }
    }
    for (Map.Entry<String, String> e : states.entrySet()) {
      if ("D".equals(e.getValue())) {
        continue;
      }
      try (Statement pause = c.createStatement()) {
        pause.execute(guard.pause(e.getKey()));
      } catch (SQLException ex) {
        if (!"42501".equals(ex.getSQLState())) {
          throw ex;
        }
        throw refusal.apply(e.getKey());
      }
      paused.put(e.getKey(), e.getValue());
    }
    return paused;
  }

  /** Puts the triggers {@link #pauseDdlGuard} paused back as they were, in the same transaction. */
  public static void resumeDdlGuard(Connection c, DatabaseSupport d, Map<String, String> paused)
      throws SQLException {
    if (paused.isEmpty()) {
      return;
    }
    DdlGuardSql guard = d.ddlGuard().orElseThrow();
    try (Statement st = c.createStatement()) {
      for (Map.Entry<String, String> e : paused.entrySet()) {
        st.execute(guard.resume(e.getKey(), e.getValue()));
      }
    }
  }

  /**
   * MySQL/MariaDB's role split: which of the connected account's grants can change the schema of
   * this database, and which can write prodguard's tables or the migration tool's history table
   * ({@code historyTable}). Empty where the server has a DDL guard instead (PostgreSQL). Grants
   * that cannot be read count as able to (fail closed).
   */
  public static Optional<SchemaGrants.Found> credential(
      Connection c, DatabaseSupport d, Optional<String> historyTable) {
    if (d.schemaGrants().isEmpty()) {
      return Optional.empty();
    }
    List<String> guarded = new java.util.ArrayList<>(DatabaseObjects.TABLES);
    try {
      if (historyTable.isPresent()) {
        guarded.add(historyTableHere(c, d, historyTable.get()));
      }
      return Optional.of(d.schemaGrants().get().read(c, guarded));
    } catch (SQLException e) {
      List<String> unknown = List.of("its grants cannot be read (" + e.getMessage() + ")");
      return Optional.of(new SchemaGrants.Found("(this credential)", unknown, unknown));
    }
  }

  /**
   * PostgreSQL's role split ({@link dev.prodguard.support.OwnerReach}): each way the connected
   * login role can act as the owner of the database or of prodguard's or the history table. Empty
   * where the server judges privileges instead (MySQL/MariaDB, {@link #credential}). A catalog that
   * cannot be read counts as able (fail closed).
   */
  public static Optional<SchemaGrants.Found> ownerReach(
      Connection c, DatabaseSupport d, Optional<String> historyTable) {
    if (d.ownerReach().isEmpty()) {
      return Optional.empty();
    }
    List<String> guarded = new java.util.ArrayList<>(DatabaseObjects.TABLES);
    // unqualified: a table of that name in any schema counts (fail closed)
    historyTable.ifPresent(t -> guarded.add(t.substring(t.lastIndexOf('.') + 1)));
    try {
      return Optional.of(d.ownerReach().get().read(c, guarded));
    } catch (SQLException e) {
      List<String> unknown = List.of("what it can become cannot be read (" + e.getMessage() + ")");
      return Optional.of(new SchemaGrants.Found("(this credential)", unknown, List.of()));
    }
  }

  /**
   * MySQL/MariaDB's role split beyond one host entry: the grants of every other account with the
   * user name of {@code account} (the url's credential as {@link #credential} found it), read
   * through {@code reader}, the deploy credential's connection. Empty where the server has a DDL
   * guard instead (PostgreSQL).
   *
   * @throws SchemaGrants.Unreadable when {@code reader} may not read them (fail closed: the caller
   *     refuses, naming the grant that makes them readable)
   */
  public static List<SchemaGrants.Found> namesakes(
      Connection reader, DatabaseSupport d, Optional<String> historyTable, String account)
      throws SQLException {
    if (d.schemaGrants().isEmpty()) {
      return List.of();
    }
    List<String> guarded = new java.util.ArrayList<>(DatabaseObjects.TABLES);
    if (historyTable.isPresent()) {
      guarded.add(historyTableHere(reader, d, historyTable.get()));
    }
    return d.schemaGrants().get().namesakes(reader, account, guarded);
  }

  public static Installed installed(Connection c, DatabaseSupport d, Optional<String> historyTable)
      throws SQLException {
    Optional<Boolean> prot = Optional.empty();
    if (tableExists(c, d, "prodguard_guard_config")) {
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT protected FROM prodguard_guard_config WHERE id = 1")) {
        if (rs.next()) {
          prot = Optional.of(rs.getBoolean(1));
        }
      }
    }
    boolean assertInstalled;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(d.assertInstalledQuery())) {
      assertInstalled = rs.next() && rs.getLong(1) > 0;
    }
    HistoryGuard history =
        historyTable.isPresent() ? historyGuard(c, d, historyTable.get()) : HistoryGuard.NO_TABLE;
    return new Installed(prot, assertInstalled, ddlGuard(c, d), historyTable, history);
  }

  /**
   * The history table as this connection names it. Qualified ({@code schema.table}: Flyway's
   * default schema, {@code migrations.default-schema}) it stays so where schemas are parts of one
   * database (PostgreSQL); on MySQL/MariaDB a schema is a database, and the history table's guard
   * (triggers, which live in their table's database and call prodguard's routines) and the role
   * split work only in the database of prodguard's objects, the URL's: the default schema must be
   * that database, and is then dropped from the name; another one is refused.
   */
  static String historyTableHere(Connection c, DatabaseSupport d, String table)
      throws SQLException {
    int dot = table.indexOf('.');
    if (dot < 0 || d.schemasShareIdentity()) {
      return table;
    }
    String schema = table.substring(0, dot);
    String here;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + d.currentSchema())) {
      here = rs.next() ? rs.getString(1) : null;
    }
    if (schema.equals(here)) {
      return table.substring(dot + 1);
    }
    throw new GuardRefusal(
        Guarantee.G6,
        "guard " + table,
        "migrations.default-schema (or the first of migrations.schemas) is '"
            + schema
            + "', but the URL's database is '"
            + here
            + "': on MySQL/MariaDB a schema is a database, and Flyway's history table would be"
            + " in '"
            + schema
            + "', away from prodguard's objects and guards, which live in the URL's database",
        "point the environment's URL at database '"
            + schema
            + "' (prodguard's objects then live beside the history table), and keep"
            + " default-schema equal to it or leave it out");
  }

  private static boolean tableExists(Connection c, DatabaseSupport d, String table)
      throws SQLException {
    int dot = table.indexOf('.');
    try (PreparedStatement ps = c.prepareStatement(d.tableCountQuery(dot >= 0))) {
      if (dot < 0) {
        ps.setString(1, table);
      } else {
        ps.setString(1, table.substring(0, dot));
        ps.setString(2, table.substring(dot + 1));
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }
}
