package dev.prodguard.guard;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The G6 guards of one environment as {@code status} and {@code check} report them: the Flyway
 * callback file, what the database has installed, and what prodguard.yml asks for.
 */
public record GuardStatus(
    boolean environmentProtected,
    CallbackFile.Check callback,
    DatabaseGuards.Installed database,
    boolean ddlGuardRequired) {

  /** Reads everything without changing anything. */
  public static GuardStatus read(
      Connection c, Dialect d, ProdguardConfig config, boolean environmentProtected)
      throws SQLException {
    return new GuardStatus(
        environmentProtected,
        CallbackFile.check(config, d),
        DatabaseGuards.installed(c, d),
        config.guards().requireDdlTrigger());
  }

  /** Whether the DDL guard belongs here: a protected environment on a server that has it. */
  public boolean ddlGuardExpected() {
    return environmentProtected && database.ddlGuard() != DatabaseGuards.DdlGuard.UNSUPPORTED;
  }

  /** What is missing or wrong, one line each; empty when every guard is in place. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (callback.state() != CallbackFile.State.OK) {
      out.add(
          "the Flyway callback "
              + callback.path()
              + " is "
              + callback.state().label()
              + ": run 'prodguard init-fingerprint ENV' to write it, then commit it");
    }
    if (!database.assertInstalled()) {
      out.add("prodguard_assert_deploy() is not installed: run 'prodguard init-fingerprint ENV'");
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
    return out;
  }

  public Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    Map<String, Object> cb = new LinkedHashMap<>();
    cb.put("path", callback.path());
    cb.put("state", callback.state().label());
    j.put("callback", cb);
    j.put("assert_installed", database.assertInstalled());
    j.put("database_protected", database.databaseProtected().orElse(null));
    j.put("ddl_guard", database.ddlGuard().label());
    j.put("ddl_guard_required", ddlGuardRequired);
    j.put("problems", problems());
    return j;
  }
}
