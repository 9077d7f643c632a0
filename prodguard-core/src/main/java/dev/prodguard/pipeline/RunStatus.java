package dev.prodguard.pipeline;

import java.util.Locale;

/** The step a pipeline run has reached (column {@code prodguard_run.status}). */
public enum RunStatus {
  VERIFIED,
  BACKED_UP,
  DEPLOYING,
  DEPLOYED,
  FAILED,
  EXPIRED;

  public String db() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Unknown values fail closed: the row was written by something that is not prodguard. */
  public static RunStatus fromDb(String value) {
    for (RunStatus s : values()) {
      if (s.db().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown run status '" + value + "'");
  }

  /** verified or backed_up: may still move on. */
  public boolean open() {
    return this == VERIFIED || this == BACKED_UP;
  }
}
