package dev.prodguard.pipeline;

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
   * Refuses (G7) when the schema drifted; with no recorded schema yet (first deploy after an
   * upgrade) passes and says so: the deploy records one.
   */
  void requireNoDrift(Connection c, Target target, String what) throws SQLException {
    DriftCheck.Outcome o =
        DriftCheck.check(c, target.dialect(), target.name(), s.config.address(target.name()));
    if (o.reference().isEmpty()) {
      s.progress.step(
          "no schema recorded for '"
              + target.name()
              + "' yet: drift is checked from the next deploy on (docs/drift.md)");
      return;
    }
    Optional<Run> died = diedSince(c, target, o.reference().get());
    if (died.isPresent()) {
      // a deploy killed mid-way records nothing; what it left is the pipeline's own (the next
      // deploy clears its leftovers and records the schema), so it cannot count as drift
      s.progress.step(
          "the deploy of run "
              + died.get().id()
              + " died before it recorded the schema it left: drift is checked again from the"
              + " next deploy on (docs/drift.md)");
      return;
    }
    DriftCheck.require(o, what, target.name(), s.config.address(target.name()));
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
    Target target =
        Target.prepare(s.config, env, s.context, Target.Access.MUTATE, "drift show " + env);
    try (Target.Checked control = target.open()) {
      DriftCheck.Outcome o =
          DriftCheck.check(control.connection(), target.dialect(), env, s.config.address(env));
      return report(env, "drift show", o, false);
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
        accepted);
  }
}
