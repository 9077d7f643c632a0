package dev.prodguard.pipeline;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/** G10: the pipeline's rows in the target's audit trail. */
final class AuditTrail {
  private final RunContext context;

  AuditTrail(StepContext s) {
    this.context = s.context;
  }

  void audit(
      Connection c,
      Target target,
      String command,
      Optional<Run> run,
      String outcome,
      Map<String, ?> details)
      throws SQLException {
    AuditLog.install(c, target.dialect());
    AuditLog.append(
        c,
        target.dialect(),
        context,
        target.ciIdentity(),
        new AuditLog.Event(
            command + " " + target.name(),
            target.name(),
            run.map(Run::id),
            run.map(Run::migrationSetSha256),
            outcome,
            details));
  }

  void auditQuietly(
      Connection c,
      Target target,
      String command,
      Optional<String> runId,
      String outcome,
      Map<String, ?> details) {
    try {
      AuditLog.install(c, target.dialect());
      AuditLog.append(
          c,
          target.dialect(),
          context,
          target.ciIdentity(),
          new AuditLog.Event(
              command + " " + target.name(),
              target.name(),
              runId,
              Optional.empty(),
              outcome,
              details));
    } catch (SQLException | RuntimeException e) {
      // the refusal or failure being reported matters more than its audit row
    }
  }

  /** A refusal after connecting is recorded in the target's audit trail, then rethrown. */
  GuardRefusal auditRefusal(Connection c, Target target, String command, GuardRefusal r) {
    auditQuietly(
        c,
        target,
        command,
        Optional.empty(),
        "refused",
        Map.of("guarantee", r.guarantee().name(), "what", r.what(), "why", r.why()));
    return r;
  }
}
