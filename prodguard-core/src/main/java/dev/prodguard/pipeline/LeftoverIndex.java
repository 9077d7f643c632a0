package dev.prodguard.pipeline;

import dev.prodguard.support.InvalidIndexes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * G7: an invalid index in the target (PostgreSQL), as {@code status} and {@code verify} show it,
 * with the failed run that left it when a recorded baseline says so (the next deploy then drops
 * it).
 */
public record LeftoverIndex(InvalidIndexes.Index index, Optional<String> leftBy) {

  /** One line: what it is and what happens to it or what to do. */
  public String describe() {
    String what = index.label() + " is INVALID";
    if (index.building()) {
      return what + " (an index build is working on it right now)";
    }
    return what
        + leftBy
            .map(r -> " (left by failed run " + r + "; the next deploy drops it)")
            .orElse(
                " (not left by a prodguard run: drop it with DROP INDEX CONCURRENTLY "
                    + index.sqlName()
                    + ", or rebuild it with REINDEX INDEX CONCURRENTLY "
                    + index.sqlName()
                    + ")");
  }

  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", index.schema());
    m.put("name", index.name());
    m.put("table", index.table());
    m.put("building", index.building());
    m.put("left_by_run", leftBy.orElse(null));
    return m;
  }
}
