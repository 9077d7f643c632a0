package dev.prodguard.pipeline;

import dev.prodguard.guard.drift.SchemaDiff;
import dev.prodguard.guard.drift.SchemaDigests;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code drift show} and {@code drift accept}: the recorded schema drift is measured against, the
 * current schema's digest and object count, and what differs object by object.
 *
 * @param reference the newest recorded schema before this command; empty when none was recorded
 * @param accepted the current schema was recorded as accepted by this command
 * @param diff what differs and prodguard cannot attribute to a deploy (after a deploy that died,
 *     its leftover invalid indexes are not in it)
 * @param note after a deploy that died before recording the schema it left: what that means for
 *     this report; empty otherwise
 */
public record DriftReport(
    String environment,
    String command,
    Optional<SchemaDigests.Recorded> reference,
    String currentSha256,
    int currentObjects,
    SchemaDiff diff,
    boolean accepted,
    String note) {

  public boolean drifted() {
    return !diff.isEmpty();
  }

  public Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("command", command);
    j.put("environment", environment);
    j.put(
        "outcome",
        accepted
            ? "accepted"
            : reference.isEmpty() ? "no_reference" : drifted() ? "drifted" : "no_drift");
    j.put(
        "reference",
        reference
            .<Object>map(
                r -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("origin", r.origin().id);
                  m.put("run", r.runId().orElse(null));
                  m.put("schema_sha256", r.schema().sha256());
                  m.put("objects", r.schema().objects().size());
                  m.put("reason", r.reason().orElse(null));
                  m.put("recorded_by", r.recordedBy());
                  m.put("recorded_at", r.recordedAt().toString());
                  return m;
                })
            .orElse(null));
    j.put("schema_sha256", currentSha256);
    j.put("objects", currentObjects);
    List<Map<String, Object>> changes =
        diff.changes().stream()
            .map(
                c -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("change", c.kind().word);
                  m.put("object", c.object());
                  m.put("before", c.before().isEmpty() ? null : c.before());
                  m.put("after", c.after().isEmpty() ? null : c.after());
                  return m;
                })
            .toList();
    j.put("changes", changes);
    j.put("note", note.isEmpty() ? null : note);
    return j;
  }
}
