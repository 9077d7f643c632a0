package dev.prodguard.pipeline;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.support.SchemaGrants;
import java.sql.SQLException;
import java.util.Optional;

/**
 * G6's role split on PostgreSQL with a {@code deploy-url}: the environment's {@code url} role, the
 * one applications and people use, must not be able to make itself the owner of the database or of
 * prodguard's tables (member of it, ADMIN OPTION on a role leading to it, CREATEROLE before
 * PostgreSQL 16, superuser). An owner writes prodguard's tables, so it can forge an approved deploy
 * session and pass the DDL guard; such a url role holds the deploy credential in all but name.
 * Without a deploy-url the url role is the owner by design (docs/g6-direct-migration.md).
 */
final class OwnerRoleSplit {
  private OwnerRoleSplit() {}

  /** Refuses (G6) when the url's role can become an owner; what cannot be read refuses too. */
  static void require(Target target, Optional<String> historyTable, String what)
      throws SQLException {
    SchemaGrants.Found found;
    try (Target.Checked app = target.openEnvironmentCredential()) {
      found =
          DatabaseGuards.ownerReach(app.connection(), target.dialect(), historyTable).orElseThrow();
    }
    if (!found.canChangeSchema()) {
      return;
    }
    String env = target.name();
    throw new GuardRefusal(
        Guarantee.G6,
        what,
        "'"
            + env
            + "' deploys with its deploy-url, but the role of its url, "
            + found.account()
            + ", can make itself an owner: "
            + String.join("; ", found.schemaChanging())
            + ". As an owner it writes prodguard's tables (it could forge an approved deploy"
            + " session) and its DDL passes the DDL guard, so the application's credential could"
            + " change the schema",
        "take it away from "
            + found.account()
            + " (REVOKE the owner role or ADMIN OPTION, ALTER ROLE ... NOCREATEROLE NOSUPERUSER);"
            + " only the deploy-url's role may own the database and prodguard's tables"
            + " (docs/g6-direct-migration.md#postgresql-the-role-split)");
  }
}
