package dev.prodguard.guard.drift;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * G7, drift: the target's schema now against the one its last deploy left (or the last accepted
 * drift). A difference is a change made outside the pipeline; verify and deploy refuse on it,
 * before anything runs, naming each object that differs.
 *
 * <p>G7 because the pipeline's order is verify, backup, deploy on the state the previous deploy
 * left: a change slipped in between deploys breaks that order as surely as a skipped step, and
 * everything verify concludes (contract analysis, trace, the backup's meaning) would be about a
 * schema that is not the one the migrations meet.
 */
public final class DriftCheck {
  /** How many changed objects a refusal lists before "... and N more". */
  static final int SHOWN = 25;

  /**
   * @param reference the newest recorded schema; empty before any deploy recorded one
   * @param current what the catalog says now
   * @param diff reference to current; empty without a reference
   */
  public record Outcome(
      Optional<SchemaDigests.Recorded> reference, SchemaDescription current, SchemaDiff diff) {
    public boolean drifted() {
      return !diff.isEmpty();
    }
  }

  private DriftCheck() {}

  /** Reads the current schema and the newest recorded one; catalog and prodguard reads only. */
  public static Outcome check(Connection c, DatabaseSupport d, String environment)
      throws SQLException {
    return check(c, d, environment, environment);
  }

  /**
   * Like {@link #check(Connection, DatabaseSupport, String)}; {@code address} is how a command line
   * names the environment ({@code t03 --fleet tenants} for a fleet's target), for the hints.
   */
  public static Outcome check(Connection c, DatabaseSupport d, String environment, String address)
      throws SQLException {
    Optional<SchemaDigests.Recorded> reference = reference(c, d, environment, address);
    SchemaDescription current = SchemaDescription.read(c, d);
    SchemaDiff diff =
        reference
            .map(r -> SchemaDiff.between(r.schema(), current))
            .orElse(new SchemaDiff(java.util.List.of()));
    return new Outcome(reference, current, diff);
  }

  /**
   * Like {@link #check(Connection, DatabaseSupport, String, String)}, for a caller that only judges
   * drift (verify, the check before a deploy): empty when no schema is recorded yet, and then the
   * schema is not read, as there is nothing to compare it with (the first deploy records it). A
   * fleet's first rollout so reads each target's catalog once, after its deploy, instead of three
   * times.
   */
  public static Optional<Outcome> checkRecorded(
      Connection c, DatabaseSupport d, String environment, String address) throws SQLException {
    Optional<SchemaDigests.Recorded> reference = reference(c, d, environment, address);
    if (reference.isEmpty()) {
      return Optional.empty();
    }
    SchemaDescription current = SchemaDescription.read(c, d);
    return Optional.of(
        new Outcome(reference, current, SchemaDiff.between(reference.get().schema(), current)));
  }

  /** The newest recorded schema; a record that cannot be trusted refuses (G7). */
  private static Optional<SchemaDigests.Recorded> reference(
      Connection c, DatabaseSupport d, String environment, String address) throws SQLException {
    try {
      return SchemaDigests.latest(c, d, environment);
    } catch (IllegalStateException e) {
      throw new GuardRefusal(
          Guarantee.G7,
          "check the schema of '" + environment + "' for drift",
          "the recorded schema cannot be trusted: " + e.getMessage(),
          "compare prodguard audit "
              + address
              + " (each deploy's schema_sha256) with the"
              + " table, and restore it or accept the schema again: prodguard drift accept "
              + address
              + " --reason '...' (CI only)");
    }
  }

  /** Why objects of kinds the recorded schema could not list are among the changes, if they are. */
  private static String upgradeNote(SchemaDigests.Recorded ref, SchemaDiff diff) {
    int n = SchemaDiff.unlistedBy(ref.schema(), diff).size();
    return n == 0
        ? ""
        : "\n"
            + n
            + " of them are of kinds (rules, policies, options, sequences, settings, ...) that the"
            + " prodguard that recorded this schema did not read: the deploys may have made them;"
            + " review them once and accept them if they are yours";
  }

  /** Refuses (G7) when {@code o} drifted; {@code what} is the refused command. */
  public static void require(Outcome o, String what, String environment) {
    require(o, what, environment, environment);
  }

  /** Like {@link #require(Outcome, String, String)}, naming the environment by {@code address}. */
  public static void require(Outcome o, String what, String environment, String address) {
    if (!o.drifted()) {
      return;
    }
    SchemaDigests.Recorded ref = o.reference().orElseThrow();
    throw new GuardRefusal(
        Guarantee.G7,
        what,
        "the schema of '"
            + environment
            + "' changed outside the pipeline since "
            + ref.describe()
            + " ("
            + o.diff().changes().size()
            + " object(s); schema sha256 "
            + ref.schema().sha256().substring(0, 12)
            + " then, "
            + o.current().sha256().substring(0, 12)
            + " now):\n"
            + o.diff().render(SHOWN)
            + upgradeNote(ref, o.diff()),
        "undo the change by hand, or make it a migration; if it must stay as it is, have it"
            + " reviewed and accept it from CI: prodguard drift accept "
            + address
            + " --reason '<why>' (audited). prodguard drift show "
            + address
            + " lists every change");
  }

  /**
   * Refuses (G7) after a deploy that died before recording the schema it left ({@code diedRun}),
   * when the schema differs from the last recorded one in {@code unexplained}: the dead deploy's
   * partial effects cannot be told from a hand change made since, so nothing goes on until a
   * reviewer accepts the schema (docs/drift.md, "A deploy that died").
   */
  public static void refuseUnsettled(
      Outcome o, SchemaDiff unexplained, String diedRun, String what, String environment) {
    SchemaDigests.Recorded ref = o.reference().orElseThrow();
    throw new GuardRefusal(
        Guarantee.G7,
        what,
        "the deploy of run "
            + diedRun
            + " died before it recorded the schema it left, and the schema of '"
            + environment
            + "' differs from "
            + ref.describe()
            + " ("
            + unexplained.changes().size()
            + " object(s); schema sha256 "
            + ref.schema().sha256().substring(0, 12)
            + " then, "
            + o.current().sha256().substring(0, 12)
            + " now): prodguard cannot tell that deploy's partial effects from a change made by"
            + " hand since:\n"
            + unexplained.render(SHOWN)
            + upgradeNote(ref, unexplained),
        "review every change with prodguard drift show "
            + environment
            + "; when each is the dead deploy's own or must stay, accept the schema from CI:"
            + " prodguard drift accept "
            + environment
            + " --reason '<why>' (audited); undo a change by hand that must not stay");
  }
}
