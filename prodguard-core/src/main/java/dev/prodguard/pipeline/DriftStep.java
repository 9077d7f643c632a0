package dev.prodguard.pipeline;

import dev.prodguard.ci.CiRefusal;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.guard.drift.DriftCheck;
import dev.prodguard.guard.drift.SchemaDescription;
import dev.prodguard.guard.drift.SchemaDiff;
import dev.prodguard.guard.drift.SchemaDigests;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drift (G7, docs/drift.md): verify and deploy refuse when the target's schema differs from what
 * the last deploy left; every deploy records the schema it left; {@code drift show} reports the
 * difference read-only; {@code drift accept} (a mutation: CI only on a protected environment, G1,
 * audited, G10) records the current schema as the new reference, with a reason.
 */
final class DriftStep {
  private final StepContext s;
  private final AuditTrail trail;

  DriftStep(StepContext s) {
    this.s = s;
    this.trail = new AuditTrail(s);
  }

  /**
   * The one reading of drift (docs/drift.md) that verify, deploy, status (single and fleet) and
   * {@code drift show} share.
   *
   * @param outcome the schema now against the newest recorded one
   * @param died a failed run whose deploy started after that record (it died before recording the
   *     schema it left); empty when none
   * @param unexplained the changes prodguard cannot attribute to a deploy: all of {@code
   *     outcome.diff()} but, after a dead deploy, the invalid indexes it left that the next deploy
   *     drops
   * @param leftovers the changes attributed to the dead deploy, one line each
   */
  record Reading(
      DriftCheck.Outcome outcome,
      Optional<Run> died,
      SchemaDiff unexplained,
      List<String> leftovers) {
    /**
     * {@code no_reference}, {@code none}, {@code drifted}, or {@code unsettled} (a deploy died and
     * the schema differs in what prodguard cannot attribute to it).
     */
    String state() {
      if (outcome.reference().isEmpty()) {
        return "no_reference";
      }
      if (unexplained.isEmpty()) {
        return "none";
      }
      return died.isPresent() ? "unsettled" : "drifted";
    }

    /** Why a dead deploy is no reason to refuse, for a line of progress or a report; or empty. */
    String settledNote() {
      if (died.isEmpty() || !unexplained.isEmpty()) {
        return "";
      }
      return "the deploy of run "
          + died.get().id()
          + " died before it recorded the schema it left; "
          + (leftovers.isEmpty()
              ? "it left no change: the schema is as recorded"
              : "all it left are invalid indexes the next deploy drops ("
                  + String.join("; ", leftovers)
                  + ")");
    }
  }

  /** Reads drift as every command judges it; catalog and prodguard reads only. */
  Reading read(Connection c, Target target) throws SQLException {
    return read(c, target, "read the schema of " + s.config.address(target.name()));
  }

  /**
   * {@link #read(Connection, Target)}, its lock waits bounded by {@code pipeline.lock-wait-timeout}
   * ({@link ReadWait}): a catalog read waits behind another session's exclusive lock on a table.
   */
  Reading read(Connection c, Target target, String what) throws SQLException {
    return ReadWait.bounded(target, c, what, "the schema", () -> readUnbounded(c, target));
  }

  private Reading readUnbounded(Connection c, Target target) throws SQLException {
    return reading(
        c,
        target,
        DriftCheck.check(c, target.dialect(), target.name(), s.config.address(target.name())));
  }

  private Reading reading(Connection c, Target target, DriftCheck.Outcome o) throws SQLException {
    if (o.reference().isEmpty()) {
      return new Reading(o, Optional.empty(), o.diff(), List.of());
    }
    Optional<Run> died = diedSince(c, target, o.reference().get());
    if (died.isEmpty() || o.diff().isEmpty()) {
      return new Reading(o, died, o.diff(), List.of());
    }
    // What a dead deploy left cannot be told from a hand change, with one exact exception: an
    // invalid index (a killed CREATE INDEX CONCURRENTLY) created since a failed run's recorded
    // baseline, not being built: the next deploy drops it before it migrates (Leftovers), so it
    // never reaches the next reference whoever made it. Anything else is refused (fail closed).
    List<IndexObject> leftoverObjects = new ArrayList<>();
    for (LeftoverIndex i :
        new Leftovers(target, s.engine, s.config.pipeline().lockWaitTimeout())
            .invalidIndexes(c, new RunStore(c, target.dialect()), target.name())) {
      if (i.leftBy().isPresent() && !i.index().building()) {
        leftoverObjects.add(
            new IndexObject(
                "table " + quoteIdent(i.index().schema()) + ".",
                " index " + quoteIdent(i.index().name())));
      }
    }
    List<SchemaDiff.Change> rest = new ArrayList<>();
    List<String> own = new ArrayList<>();
    for (SchemaDiff.Change ch : o.diff().changes()) {
      if (ch.kind() == SchemaDiff.Kind.ADDED && isIndexOf(ch.object(), leftoverObjects)) {
        own.add(ch.line());
      } else {
        rest.add(ch);
      }
    }
    return new Reading(o, died, new SchemaDiff(rest), own);
  }

  /**
   * A PostgreSQL index's object name in the schema description, {@code table S.T index N}, by its
   * schema and name alone (unique within a schema; the table's name is read as regclass text).
   */
  private record IndexObject(String prefix, String suffix) {
    boolean names(String object) {
      return object.startsWith(prefix)
          && object.endsWith(suffix)
          && object.length() > prefix.length() + suffix.length();
    }
  }

  private static boolean isIndexOf(String object, List<IndexObject> indexes) {
    return indexes.stream().anyMatch(i -> i.names(object));
  }

  /**
   * PostgreSQL's {@code quote_ident} for the names it leaves bare (lower-case letters, digits,
   * underscores); any other name is quoted. A keyword it would quote is then not matched and stays
   * unexplained: fail closed.
   */
  private static String quoteIdent(String name) {
    return name.matches("[a-z_][a-z0-9_$]*") ? name : '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * Refuses (G7) when the schema drifted, or when a deploy died and the schema differs from the
   * last recorded one in what prodguard cannot attribute to it; with no recorded schema yet (first
   * deploy after an upgrade) passes and says so, and returns empty: the deploy records one.
   */
  Optional<Reading> requireNoDrift(Connection c, Target target, String what) throws SQLException {
    // with no schema recorded there is nothing to compare with: the schema is not read (a fleet's
    // first rollout reads each target's catalog once, after its deploy, instead of three times)
    Optional<Reading> read =
        ReadWait.bounded(
            target,
            c,
            what,
            "the schema",
            () -> {
              Optional<DriftCheck.Outcome> o =
                  DriftCheck.checkRecorded(
                      c, target.dialect(), target.name(), s.config.address(target.name()));
              return o.isEmpty()
                  ? Optional.<Reading>empty()
                  : Optional.of(reading(c, target, o.get()));
            });
    if (read.isEmpty()) {
      s.progress.step(
          "no schema recorded for '"
              + target.name()
              + "' yet: drift is checked from the next deploy on (docs/drift.md)");
      return read;
    }
    Reading r = read.get();
    switch (r.state()) {
      case "unsettled" ->
          DriftCheck.refuseUnsettled(
              r.outcome(),
              r.unexplained(),
              r.died().get().id(),
              what,
              s.config.address(target.name()));
      case "drifted" ->
          DriftCheck.require(r.outcome(), what, target.name(), s.config.address(target.name()));
      default -> {
        if (!r.settledNote().isEmpty()) {
          s.progress.step(r.settledNote() + " (docs/drift.md)");
        }
      }
    }
    return read;
  }

  /** The reading for {@code status} (single environment and fleet): what verify would say. */
  Results.Drift statusOf(Reading r, String env) {
    return switch (r.state()) {
      case "no_reference" ->
          new Results.Drift(
              "no_reference", 0, "no deploy has recorded the schema of '" + env + "' yet");
      case "unsettled" ->
          new Results.Drift(
              "unsettled",
              r.unexplained().changes().size(),
              "the deploy of run "
                  + r.died().get().id()
                  + " died before it recorded the schema it left, and the schema differs from "
                  + r.outcome().reference().get().describe()
                  + ": prodguard cannot tell that deploy's partial effects from a hand change, so"
                  + " verify refuses; review: prodguard drift show "
                  + env
                  + ", then from CI: prodguard drift accept "
                  + env
                  + " --reason '<why>'");
      case "drifted" ->
          new Results.Drift(
              "drifted",
              r.unexplained().changes().size(),
              "changed outside the pipeline since "
                  + r.outcome().reference().get().describe()
                  + ": prodguard drift show "
                  + env);
      default ->
          new Results.Drift(
              "none",
              0,
              r.settledNote().isEmpty()
                  ? "as left by " + r.outcome().reference().get().describe()
                  : r.settledNote());
    };
  }

  /** A failed run of this environment whose deploy started after {@code reference} was taken. */
  static Optional<Run> diedSince(Connection c, Target target, SchemaDigests.Recorded reference)
      throws SQLException {
    for (Run r : new RunStore(c, target.dialect()).withStatus(RunStatus.FAILED)) {
      if (r.environment().equals(target.name())
          && r.deployStartedAt().isPresent()
          && r.deployStartedAt().get().isAfter(reference.recordedAt())
          && !r.id().equals(reference.runId().orElse(""))) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * After the engine ran (whether it succeeded or failed): records the schema the deploy left, so
   * its own changes are never drift. A failure to record is audited and reported, not fatal: the
   * migrations ran, and the next verify then shows their changes as drift, which {@code drift
   * accept} settles.
   */
  void recordAfterDeploy(Connection c, Target target, Run run) {
    try {
      SchemaDescription schema = SchemaDescription.read(c, target.dialect());
      SchemaDigests.record(
          c,
          target.name(),
          SchemaDigests.Origin.DEPLOY,
          Optional.of(run.id()),
          schema,
          Optional.empty(),
          s.subject(target),
          s.now());
    } catch (SQLException | RuntimeException e) {
      String why = StepContext.describe(e);
      s.progress.step("could not record the schema this deploy left (" + why + ")");
      trail.auditQuietly(
          c, target, "deploy", Optional.of(run.id()), "schema_not_recorded", Map.of("cause", why));
    }
  }

  /**
   * {@code drift show ENV}: read-only, but with the credential deploys use ({@code deploy-url} when
   * set): what a MySQL/MariaDB account sees in information_schema depends on its privileges (an
   * account with SELECT only does not see PRIMARY KEY constraints), and the comparison is only
   * sound against what the deploy itself saw. So, like verify, CI only on a protected environment
   * (G1).
   */
  DriftReport show(String env) throws SQLException {
    Target target;
    try {
      target = Target.prepare(s.config, env, s.context, Target.Access.MUTATE, "drift show " + env);
    } catch (CiRefusal r) {
      // read-only, yet CI only: say so truthfully rather than as a change (docs/ci-identity.md)
      throw new CiRefusal(
          r.reason(),
          r.what(),
          "'drift show' changes nothing, but it reads the schema with the credential deploys use"
              + " (deploy-url when set), the only reading a comparison with the schema the deploy"
              + " recorded is sound against (docs/drift.md); on a protected environment that is"
              + " CI's: "
              + r.why(),
          "run prodguard drift show "
              + s.config.address(env)
              + " as a step of the CI pipeline; without CI, prodguard status "
              + s.config.address(env)
              + " shows whether the schema drifted");
    }
    try (Target.Checked control = target.open()) {
      Reading r = read(control.connection(), target);
      return new DriftReport(
          env,
          "drift show",
          r.outcome().reference(),
          r.outcome().current().sha256(),
          r.outcome().current().objects().size(),
          r.unexplained(),
          false,
          r.state().equals("unsettled")
              ? "the deploy of run "
                  + r.died().get().id()
                  + " died before it recorded the schema it left: prodguard cannot tell its partial"
                  + " effects from a hand change; review each change, then accept them from CI:"
                  + " prodguard drift accept "
                  + s.config.address(env)
                  + " --reason '<why>' (audited)"
              : r.settledNote());
    }
  }

  /**
   * {@code drift accept ENV --reason R}: records the current schema as the reference, under the
   * deploy lock (G8), audited with the reason and every change it accepts.
   */
  DriftReport accept(String env, String reason) throws SQLException {
    String what = "drift accept " + env;
    if (reason == null || reason.isBlank()) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "accepting drift needs the reason a reviewer agreed to",
          "prodguard drift accept " + s.config.address(env) + " --reason '<why the change stays>'");
    }
    Target target = Target.prepare(s.config, env, s.context, Target.Access.MUTATE, what);
    try (Target.Checked control = target.open()) {
      Connection c = control.connection();
      DatabaseSupport d = target.dialect();
      try {
        PipelineSchema.ensure(c, d);
        if (!DeployLock.tryAcquire(c, d)) {
          throw new PipelineGuards(s).lockHeld(c, d, new RunStore(c, d), env, what);
        }
        try {
          DriftCheck.Outcome o = DriftCheck.check(c, d, env, s.config.address(env));
          if (o.reference().isPresent() && !o.drifted()) {
            return report(env, "drift accept", o, false);
          }
          SchemaDigests.record(
              c,
              env,
              SchemaDigests.Origin.ACCEPTED,
              Optional.empty(),
              o.current(),
              Optional.of(reason),
              s.subject(target),
              s.now());
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("reason", reason);
          details.put("schema_sha256", o.current().sha256());
          details.put(
              "previous_sha256", o.reference().map(r -> r.schema().sha256()).orElse("none"));
          List<String> lines = o.diff().changes().stream().map(SchemaDiff.Change::line).toList();
          details.put("changes", lines);
          trail.audit(c, target, "drift", Optional.empty(), "drift_accepted", details);
          return report(env, "drift accept", o, true);
        } finally {
          PipelineGuards.releaseQuietly(c, d);
        }
      } catch (GuardRefusal r) {
        throw trail.auditRefusal(c, target, "drift", r);
      }
    }
  }

  private static DriftReport report(
      String env, String command, DriftCheck.Outcome o, boolean accepted) {
    return new DriftReport(
        env,
        command,
        o.reference(),
        o.current().sha256(),
        o.current().objects().size(),
        o.diff(),
        accepted,
        "");
  }
}
