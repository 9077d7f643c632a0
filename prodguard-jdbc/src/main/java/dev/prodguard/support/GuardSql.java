package dev.prodguard.support;

/**
 * A facet of {@link DatabaseSupport}: direct migration blocked (G6): session registration, the
 * assert, the DDL guard, the history guard and the role split. Implemented per database in {@code
 * support.postgresql} and {@code support.mariadb}.
 */
public interface GuardSql {

  /**
   * Registers the calling connection for a deploy (2 parameters: run id, the plain one-time token);
   * the database checks the token against the run's hash and refuses otherwise.
   */
  String registerSession();

  /**
   * The statement of the Flyway callback ({@code flyway.CallbackFile}): {@code SELECT
   * prodguard_assert_deploy()} or {@code CALL prodguard_assert_deploy()}, without the semicolon.
   */
  String assertDeployCall();

  /**
   * The statements of the Flyway callback ({@link AssertCallSql}): the assert called where
   * prodguard has set the database up, nothing done where it has not; without the last semicolon.
   */
  String assertDeployWhereInstalled();

  /** One row, one count: how many routines named {@code prodguard_assert_deploy} exist here. */
  String assertInstalledQuery();

  /** The DDL guard (PostgreSQL event triggers); empty where the server has none. */
  java.util.Optional<DdlGuardSql> ddlGuard();

  /** The guard on the migration tool's schema history table (triggers; G6). */
  HistoryGuardSql historyGuard();

  /**
   * Where no DDL trigger exists (MySQL/MariaDB), G6 rests on a role split: this reads whether an
   * account may change the schema. Empty where the DDL guard does that job (PostgreSQL).
   */
  java.util.Optional<SchemaGrants> schemaGrants();

  /**
   * Where a DDL guard exists (PostgreSQL), the other half of G6's role split: what the {@code url}
   * role can become, checked when deploys have a credential of their own ({@code deploy-url}).
   * Empty where privileges alone are judged ({@link #schemaGrants}).
   */
  default java.util.Optional<OwnerReach> ownerReach() {
    return java.util.Optional.empty();
  }
}
