package dev.prodguard.guard;

import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.SchemaGrants;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The G6 guards of one environment as {@code status} and {@code check} report them: the migration
 * engine's guard artifacts (Flyway: the callback file), what the database has installed (the
 * history table's guard included), what prodguard.yml asks for, and on MySQL/MariaDB the role
 * split: whether a deploy credential of its own is configured and whether the credential the check
 * connected with (the environment's {@code url}) can change the schema.
 */
public record GuardStatus(
    boolean environmentProtected,
    List<GuardArtifactFiles.Check> artifacts,
    DatabaseGuards.Installed database,
    boolean ddlGuardRequired,
    Optional<RoleSplit> roleSplit) {

  /**
   * The role split: {@code deployUrl} whether prodguard.yml gives deploys their own credential;
   * {@code credential} the grants of the account the status was read with (MySQL/MariaDB), or on
   * PostgreSQL (with a deploy-url only) each way its role can make itself an owner.
   */
  public record RoleSplit(boolean deployUrl, SchemaGrants.Found credential) {}

  public GuardStatus {
    artifacts = List.copyOf(artifacts);
  }

  /**
   * Reads everything without changing anything, on a connection with the environment's own {@code
   * url}; the guard artifacts and the history table are the migration engine's.
   */
  public static GuardStatus read(
      Connection c,
      DatabaseSupport d,
      ProdguardConfig config,
      EnvironmentConfig environment,
      MigrationEngine engine)
      throws SQLException {
    engine = engine.configuredBy(config);
    Optional<String> history = engine.historyTable();
    Optional<RoleSplit> split =
        DatabaseGuards.credential(c, d, history)
            .map(found -> new RoleSplit(environment.deployUrl().isPresent(), found))
            .or(
                // PostgreSQL: only with a deploy-url (without one, the url role is the owner)
                () ->
                    environment.deployUrl().isPresent()
                        ? DatabaseGuards.ownerReach(c, d, history)
                            .map(found -> new RoleSplit(true, found))
                        : Optional.empty());
    return new GuardStatus(
        environment.isProtected(),
        engine.checkGuardArtifacts(config, d),
        DatabaseGuards.installed(c, d, engine.historyTable()),
        config.guards().requireDdlTrigger(),
        split);
  }

  /** Whether the DDL guard belongs here: a protected environment on a server that has it. */
  public boolean ddlGuardExpected() {
    return environmentProtected && database.ddlGuard() != DatabaseGuards.DdlGuard.UNSUPPORTED;
  }

  /** What is missing or wrong, one line each; empty when every guard is in place. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    for (GuardArtifactFiles.Check a : artifacts) {
      if (a.state() != GuardArtifactFiles.State.OK) {
        out.add(
            a.artifact().label()
                + " "
                + a.path()
                + " is "
                + a.state().label()
                + ": run 'prodguard init-fingerprint ENV' to write it, then commit it");
      }
      a.stale().forEach(st -> out.add(st.problem()));
    }
    if (!database.assertInstalled()) {
      out.add(
          roleSplit.isPresent() && database.ddlGuard() == DatabaseGuards.DdlGuard.UNSUPPORTED
              ? "prodguard_assert_deploy() is not installed, or this credential cannot see it"
                  + " (MySQL/MariaDB show a routine only to accounts that may execute it: grant"
                  + " the url's user EXECUTE): run 'prodguard init-fingerprint ENV'"
              : "prodguard_assert_deploy() is not installed: run 'prodguard init-fingerprint ENV'");
    }
    if (database.databaseProtected().isEmpty()) {
      out.add("the database does not record whether it is protected (prodguard_guard_config)");
    } else if (database.databaseProtected().get() != environmentProtected) {
      out.add(
          "the database records protected="
              + database.databaseProtected().get()
              + " but prodguard.yml says protected="
              + environmentProtected);
    }
    if (environmentProtected
        && (database.historyGuard() == DatabaseGuards.HistoryGuard.MISSING
            || database.historyGuard() == DatabaseGuards.HistoryGuard.DISABLED)) {
      out.add(
          "the guard on "
              + database.historyTable().orElse("the history table")
              + " is "
              + database.historyGuard().label()
              + ": Flyway repair, baseline and a migration run by hand can rewrite it; verify"
              + " refuses: run 'prodguard init-fingerprint ENV'");
    }
    if (ddlGuardExpected() && database.ddlGuard() != DatabaseGuards.DdlGuard.INSTALLED) {
      out.add(
          "the DDL guard (event trigger prodguard_ddl_guard) is "
              + database.ddlGuard().label()
              + ": installing it needs a superuser"
              + (ddlGuardRequired ? "; guards.require-ddl-trigger makes verify refuse" : ""));
    }
    if (environmentProtected
        && ddlGuardRequired
        && database.ddlGuard() == DatabaseGuards.DdlGuard.UNSUPPORTED) {
      out.add(
          "guards.require-ddl-trigger is set, but MySQL/MariaDB have no event triggers: verify"
              + " refuses");
    }
    if (environmentProtected && roleSplit.isPresent()) {
      RoleSplit r = roleSplit.get();
      if (!r.deployUrl()) {
        out.add(
            "no role split: MySQL/MariaDB have no DDL triggers, and without a deploy-url prodguard"
                + " deploys with the url's credential, the one applications and people use;"
                + " verify refuses (docs/g6-direct-migration.md)");
      } else if (r.credential().canChangeSchema()
          && database.ddlGuard() != DatabaseGuards.DdlGuard.UNSUPPORTED) {
        out.add(
            "the environment's credential "
                + r.credential().account()
                + " can make itself an owner of the database or prodguard's tables ("
                + String.join("; ", r.credential().schemaChanging())
                + "): it could forge a deploy approval and change the schema; verify refuses");
      } else if (r.credential().canChangeSchema()) {
        out.add(
            "the environment's credential "
                + r.credential().account()
                + " can change the schema ("
                + String.join("; ", r.credential().schemaChanging())
                + "): a Flyway clean or migration run by hand with it is not stopped; verify"
                + " refuses");
      }
      if (r.deployUrl() && r.credential().canWriteGuarded()) {
        out.add(
            "the environment's credential "
                + r.credential().account()
                + " can write prodguard's tables or the history table ("
                + String.join("; ", r.credential().guardedWrites())
                + "): it could switch protection off or forge a deploy approval; verify refuses");
      }
    }
    return out;
  }

  public Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    // "callback" keeps its shape: the engine's first guard artifact (Flyway has exactly one, its
    // callback); null for an engine without any.
    j.put("callback", artifacts.isEmpty() ? null : artifactJson(artifacts.get(0)));
    j.put("assert_installed", database.assertInstalled());
    j.put("database_protected", database.databaseProtected().orElse(null));
    j.put("ddl_guard", database.ddlGuard().label());
    j.put("ddl_guard_required", ddlGuardRequired);
    Map<String, Object> history = new LinkedHashMap<>();
    history.put("table", database.historyTable().orElse(null));
    history.put("state", database.historyGuard().label());
    j.put("history_guard", history);
    roleSplit.ifPresent(
        r -> {
          Map<String, Object> rs = new LinkedHashMap<>();
          rs.put("deploy_url", r.deployUrl());
          rs.put("account", r.credential().account());
          rs.put("can_change_schema", r.credential().canChangeSchema());
          rs.put("schema_privileges", r.credential().schemaChanging());
          rs.put("can_write_guarded_tables", r.credential().canWriteGuarded());
          rs.put("guarded_table_privileges", r.credential().guardedWrites());
          j.put("role_split", rs);
        });
    j.put("problems", problems());
    return j;
  }

  private static Map<String, Object> artifactJson(GuardArtifactFiles.Check a) {
    Map<String, Object> cb = new LinkedHashMap<>();
    cb.put("path", a.path());
    cb.put("state", a.state().label());
    if (!a.stale().isEmpty()) {
      cb.put("stale", a.stale().get(0).path());
    }
    return cb;
  }
}
