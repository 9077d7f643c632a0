package dev.prodguard.setup;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.ci.CiIdentity;
import dev.prodguard.db.Fingerprints;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.jdbc.FingerprintCheck;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code init-fingerprint}: creates {@code database_metadata} and fingerprints the database. Never
 * overwrites a different fingerprint; the only replacement is {@code --reidentify} of a copy (a
 * database whose recorded server identity is not its own).
 */
public final class FingerprintInit {
  private FingerprintInit() {}

  public enum Outcome {
    CREATED,
    UNCHANGED,
    REIDENTIFIED
  }

  public record Result(
      Outcome outcome,
      String environment,
      String fingerprint,
      Optional<String> previous,
      String serverIdentity,
      Guards guards) {

    Result withGuards(Guards g) {
      return new Result(outcome, environment, fingerprint, previous, serverIdentity, g);
    }
  }

  /**
   * The G6 guards installed with the fingerprint: the migration engine's guard artifacts (Flyway:
   * the callback file, and whether prodguard's stale {@code beforeMigrate.sql} was removed; none
   * when no engine was named), the protected flag recorded in the database (read by {@code
   * prodguard_assert_deploy()}), the DDL guard, and the guard on the migration engine's history
   * table (empty when no engine was named).
   */
  public record Guards(
      List<GuardArtifactFiles.Write> artifacts,
      boolean databaseProtected,
      DatabaseGuards.DdlGuardInstall ddlGuard,
      Optional<String> historyTable,
      DatabaseGuards.HistoryGuardInstall historyGuard) {

    public Guards {
      artifacts = List.copyOf(artifacts);
    }
  }

  /**
   * {@link #run(Target, RunContext, boolean, Optional)} without a migration engine: no guard
   * artifacts, no history table.
   */
  public static Result run(Target target, RunContext context, boolean reidentify)
      throws SQLException {
    return run(target, context, reidentify, Optional.empty());
  }

  /**
   * {@link #run(Target, RunContext, boolean, Optional)} for the migration engine that deploys this
   * environment: its guard artifacts are written, its history table guarded.
   */
  public static Result run(
      Target target, RunContext context, boolean reidentify, MigrationEngine engine)
      throws SQLException {
    return run(target, context, reidentify, Optional.of(engine));
  }

  /**
   * Fingerprints the database, then installs or upgrades every prodguard object (versioned),
   * records whether the environment is protected, guards the migration engine's history table when
   * it exists (protected environments), installs the DDL guard last (protected PostgreSQL, as a
   * superuser) and has the engine write its guard artifacts into the first migration location
   * (Flyway: the callback, removing prodguard's stale {@code beforeMigrate.sql}).
   */
  public static Result run(
      Target target, RunContext context, boolean reidentify, Optional<MigrationEngine> engine)
      throws SQLException {
    if (target.environment().isProtected() && engine.isPresent()) {
      refuseEveryMigrateSchemaChanges(target, context, engine.get().configuredBy(target.config()));
    }
    try (Connection c = target.connectUnchecked()) {
      // before anything is written: a history under another name than migrations.table says
      // would go unguarded (G6) and read as empty (G7)
      Optional<MigrationEngine> configured = engine.map(e -> e.configuredBy(target.config()));
      if (configured.isPresent()) {
        configured.get().requireHistoryWhereConfigured(c);
      }
      Result r = fingerprint(c, target, context, reidentify);
      r =
          r.withGuards(
              installGuards(c, target, context, engine, r.outcome() == Outcome.REIDENTIFIED));
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("fingerprint", r.fingerprint());
      details.put("server_identity", r.serverIdentity());
      r.previous().ifPresent(p -> details.put("previous", p));
      details.put("protected", r.guards().databaseProtected());
      List<GuardArtifactFiles.Write> artifacts = r.guards().artifacts();
      if (!artifacts.isEmpty()) {
        details.put("callback", artifacts.get(0).written().label());
      }
      details.put("ddl_guard", r.guards().ddlGuard().state().label());
      details.put("history_guard", r.guards().historyGuard().state().label());
      List<String> removed =
          artifacts.stream()
              .flatMap(a -> a.removed().stream())
              .map(GuardArtifactFiles.Removed::fileName)
              .toList();
      if (!removed.isEmpty()) {
        details.put("legacy_callback_removed", String.join(", ", removed));
      }
      AuditLog.append(
          c,
          target.dialect(),
          context,
          target.ciIdentity(),
          AuditLog.Event.of(
              reidentify ? "init-fingerprint --reidentify" : "init-fingerprint",
              target.name(),
              r.outcome().name().toLowerCase(Locale.ROOT),
              details));
      return r;
    }
  }

  /**
   * G6, before anything is written: a callback the engine runs on every migrate (Flyway's {@code
   * afterMigrate}, {@code beforeMigrate}, ...: also when nothing is pending, as at every start-up
   * of an application that migrates) and that changes the schema would be refused by the DDL guard
   * this command installs, so the running application's next start would fail. Said here, where the
   * guard would go in, not at the next verify (new user 19/1: alf.io's {@code
   * afterMigrate__VIEW_*.sql}).
   *
   * @throws GuardRefusal naming each such callback and the rename that keeps it
   */
  private static void refuseEveryMigrateSchemaChanges(
      Target target, RunContext context, MigrationEngine engine) {
    if (target.config().migrationLocations().stream()
        .noneMatch(l -> java.nio.file.Files.isDirectory(target.config().locationFolder(l)))) {
      return; // no migration folder yet (a first fingerprint): no callback to run
    }
    dev.prodguard.migration.MigrationFiles files;
    try {
      files = dev.prodguard.migration.MigrationFiles.read(target.config(), context.env());
    } catch (java.io.UncheckedIOException e) {
      if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
        return; // no migration folder yet: no callback to run
      }
      throw e;
    }
    dev.prodguard.db.DatabaseKind kind = target.dialect().kind();
    List<dev.prodguard.migration.MigrationSource> everyMigrate =
        engine.discover(files, kind).analysed().stream()
            .filter(s -> engine.everyMigrateEvent(s).isPresent())
            .toList();
    if (everyMigrate.isEmpty()) {
      return;
    }
    dev.prodguard.contract.Contract none =
        dev.prodguard.contract.ContractLoader.parse(
            target.config().contract(),
            "version: 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<String> found =
        dev.prodguard.lint.Linter.forEngine(kind, engine, files)
            .lint(everyMigrate, List.of(), none, true, false)
            .findings()
            .stream()
            .filter(
                f ->
                    f.rule().equals(dev.prodguard.lint.rules.Rules.EVERY_MIGRATE_CALLBACK_DDL.id()))
            .map(f -> f.file() + ":" + f.line() + ": " + f.message().replace("\n", " "))
            .distinct()
            .toList();
    if (found.isEmpty()) {
      return;
    }
    throw new GuardRefusal(
        Guarantee.G6,
        "init-fingerprint " + target.name(),
        "'"
            + target.name()
            + "' is protected, and "
            + (found.size() == 1 ? "a callback" : found.size() + " callbacks")
            + " that Flyway runs on every migrate (also with nothing pending, as at each start-up"
            + " of an application that migrates) change the schema: once the DDL guard is"
            + " installed here, they are refused outside a prodguard deploy and the running"
            + " application fails at its next start. Nothing was installed.\n  "
            + String.join("\n  ", found.stream().limit(10).toList())
            + (found.size() > 10 ? "\n  ... and " + (found.size() - 10) + " more" : ""),
        dev.prodguard.lint.rules.Rules.EVERY_MIGRATE_CALLBACK_DDL.recipe()
            + " Ship that rename to the running application first (its Flyway then no longer runs"
            + " them on start-up), then run init-fingerprint again",
        null);
  }

  private static Guards installGuards(
      Connection c,
      Target target,
      RunContext context,
      Optional<MigrationEngine> engine,
      boolean copyReidentified)
      throws SQLException {
    DatabaseSupport d = target.dialect();
    Optional<MigrationEngine> configured = engine.map(e -> e.configuredBy(target.config()));
    Optional<String> historyTable = configured.flatMap(MigrationEngine::historyTable);
    PipelineSchema.ensure(c, d);
    boolean prot = target.environment().isProtected();
    // A copy just re-identified (proven above to be another database than the original) carries
    // the original's record; it becomes the environment this file names.
    if (!prot
        && !copyReidentified
        && DatabaseGuards.recordedProtected(c).orElse(false)
        && target.ciIdentity().isEmpty()) {
      // Loosening a database's protection is a mutation of a protected environment: G1, once
      // more here, since prodguard.yml (a file) no longer asks for it.
      dev.prodguard.ci.CiVerifiers.forConfig(target.config())
          .verify(context, "init-fingerprint " + target.name() + " (remove its protection)");
    }
    DatabaseGuards.configure(c, prot, createdBy(target, context), context.clock().instant());
    // Before the DDL guard, so a first installation needs no pause; later ones pause it.
    DatabaseGuards.HistoryGuardInstall history =
        new DatabaseGuards.HistoryGuardInstall(DatabaseGuards.HistoryGuard.NO_TABLE, false);
    if (historyTable.isPresent()) {
      history =
          prot
              ? DatabaseGuards.installHistoryGuard(c, d, historyTable.get(), true)
              : new DatabaseGuards.HistoryGuardInstall(
                  DatabaseGuards.historyGuard(c, d, historyTable.get()), false);
    }
    DatabaseGuards.DdlGuardInstall ddl =
        prot
            ? DatabaseGuards.installDdlGuard(c, d)
            : new DatabaseGuards.DdlGuardInstall(
                DatabaseGuards.ddlGuard(c, d),
                false,
                Optional.of("'" + target.name() + "' is not protected: no DDL guard needed"));
    List<GuardArtifactFiles.Write> artifacts =
        configured.map(e -> e.writeGuardArtifacts(target.config(), d)).orElse(List.of());
    return new Guards(artifacts, prot, ddl, historyTable, history);
  }

  private static String createdBy(Target target, RunContext context) {
    return target
        .ciIdentity()
        .map(CiIdentity::describe)
        .orElse(context.osUser() + "@" + context.hostName());
  }

  private static Result fingerprint(
      Connection c, Target target, RunContext context, boolean reidentify) throws SQLException {
    String env = target.name();
    String what = "init-fingerprint " + env;
    FingerprintCheck.Found found = FingerprintCheck.read(c, target.dialect());
    String identity = currentIdentity(c, target);
    String createdBy = createdBy(target, context);
    if (found.missingTable) {
      requireNoIdentityElsewhere(c, target, identity, what);
      for (String ddl : target.dialect().objects().metadataTable()) {
        try (Statement st = c.createStatement()) {
          st.execute(ddl);
        }
      }
      String fp = Fingerprints.generate(env);
      insert(c, env, fp, identity, createdBy);
      return new Result(Outcome.CREATED, env, fp, Optional.empty(), identity, null);
    }
    if (found.malformedTable
        || found.rows != 1
        || !"1".equals(found.id)
        || found.environment == null
        || found.fingerprint == null
        || found.serverIdentity == null) {
      throw new GuardRefusal(
          Guarantee.G2,
          what,
          "database_metadata exists but is corrupt (rows="
              + found.rows
              + ", id="
              + found.id
              + "); prodguard will not overwrite it",
          "find out who changed it (audit trail), then repair or drop the table by hand");
    }
    boolean copy = !found.serverIdentity.equals(identity);
    if (reidentify) {
      if (!copy) {
        throw new GuardRefusal(
            Guarantee.G2,
            what + " --reidentify",
            "this database is the original '"
                + found.environment
                + "' (its recorded server identity is its own); --reidentify only applies to"
                + " copies",
            "nothing to do: an original database keeps its fingerprint");
      }
      String fp = Fingerprints.generate(env);
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE database_metadata SET environment = ?, fingerprint = ?, server_identity = ?,"
                  + " created_by = ? WHERE id = 1")) {
        ps.setString(1, env);
        ps.setString(2, fp);
        ps.setString(3, identity);
        ps.setString(4, createdBy);
        ps.executeUpdate();
      }
      return new Result(
          Outcome.REIDENTIFIED,
          env,
          fp,
          Optional.of(found.environment + " " + found.fingerprint),
          identity,
          null);
    }
    if (copy) {
      throw new GuardRefusal(
          Guarantee.G2,
          what,
          "this database carries the metadata of '"
              + found.environment
              + "' recorded on "
              + found.serverIdentity
              + ", but it is "
              + identity
              + ": it is a copy",
          "to make the copy an environment of its own: prodguard init-fingerprint "
              + env
              + " --reidentify (audited)");
    }
    if (!found.environment.equals(env)) {
      throw new GuardRefusal(
          Guarantee.G2,
          what,
          "this database is already fingerprinted as '"
              + found.environment
              + "'; prodguard never overwrites a fingerprint",
          "check the URL of '" + env + "': it leads to the '" + found.environment + "' database");
    }
    Optional<String> configured = target.environment().fingerprint();
    if (configured.isPresent() && !configured.get().equals(found.fingerprint)) {
      throw new GuardRefusal(
          Guarantee.G2,
          what,
          "the database already has fingerprint "
              + found.fingerprint
              + " but prodguard.yml says "
              + configured.get()
              + "; prodguard never overwrites a fingerprint",
          "if this is the right database, put its fingerprint in prodguard.yml through review;"
              + " otherwise fix the URL");
    }
    return new Result(Outcome.UNCHANGED, env, found.fingerprint, Optional.empty(), identity, null);
  }

  /**
   * G2: an identity belongs to a database, not to the schema a URL happens to choose. On PostgreSQL
   * the identity names the cluster and the database, so a {@code database_metadata} in any other
   * schema of the same database means the database already has one: a URL with another {@code
   * currentSchema} (or {@code search_path}) would give it a second one. On MySQL/MariaDB a schema
   * is a database of its own (its name is part of the identity): another database on the same
   * server may be another environment, but not the one whose identity prodguard.yml already names
   * (its fingerprint recorded in that other database): one environment, one database.
   */
  private static void requireNoIdentityElsewhere(
      Connection c, Target target, String identity, String what) throws SQLException {
    DatabaseSupport d = target.dialect();
    String here;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + d.currentSchema())) {
      here = rs.next() ? rs.getString(1) : null;
    }
    List<String> schemas = new java.util.ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_schema FROM information_schema.tables"
                    + " WHERE table_name = 'database_metadata' ORDER BY table_schema")) {
      while (rs.next()) {
        String schema = rs.getString(1);
        if (!schema.equals(here)) {
          schemas.add(schema);
        }
      }
    }
    String env = target.name();
    String configured = target.environment().fingerprint().orElse(null);
    String schemaHere = here == null ? "(none: the schema it names does not exist)" : here;
    for (String schema : schemas) {
      String recorded = "unreadable to this user";
      String recordedFp = null;
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT environment, fingerprint FROM "
                      + d.quote(schema)
                      + ".database_metadata WHERE id = 1")) {
        if (rs.next()) {
          recordedFp = rs.getString(2);
          recorded = "environment '" + rs.getString(1) + "', fingerprint " + recordedFp;
        } else {
          recorded = "no row";
        }
      } catch (SQLException e) {
        // not readable here: still an identity that exists; the refusal says so
      }
      if (d.schemasShareIdentity()) {
        throw new GuardRefusal(
            Guarantee.G2,
            what,
            "this database ("
                + identity
                + ") already has its identity in schema '"
                + schema
                + "' ("
                + recorded
                + "). An identity belongs to the database, not to a schema: this URL chooses"
                + " schema "
                + schemaHere
                + ", and fingerprinting it would give the same database a second identity",
            "point the URL of '"
                + env
                + "' at schema '"
                + schema
                + "' (remove currentSchema or search_path from it; prodguard's objects live"
                + " there); if that identity is stale, find out who made it (audit trail), then"
                + " drop it by hand");
      }
      if (recordedFp != null && recordedFp.equals(configured)) {
        throw new GuardRefusal(
            Guarantee.G2,
            what,
            "database '"
                + schema
                + "' on this server already holds the identity prodguard.yml names for '"
                + env
                + "' ("
                + recorded
                + "). One environment has one database: this URL's database "
                + schemaHere
                + " would give '"
                + env
                + "' a second identity",
            "point the URL of '"
                + env
                + "' at database '"
                + schema
                + "'; if this database is another environment, fingerprint it under that"
                + " environment's name");
      }
    }
  }

  private static void insert(Connection c, String env, String fp, String identity, String by)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO database_metadata (id, environment, fingerprint, server_identity,"
                + " created_by) VALUES (1, ?, ?, ?, ?)")) {
      ps.setString(1, env);
      ps.setString(2, fp);
      ps.setString(3, identity);
      ps.setString(4, by);
      ps.executeUpdate();
    }
  }

  private static String currentIdentity(Connection c, Target t) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + t.dialect().serverIdentityExpression(c))) {
      rs.next();
      return rs.getString(1);
    }
  }
}
