package dev.prodguard.sync;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.util.Optional;

/**
 * A refusal of sync: a guard said no ({@code refused}) or the re-check found the databases changed
 * ({@code aborted}). Carries the plan when there is one, so that the plan can be shown with it.
 */
public final class SyncRefusal extends GuardRefusal {
  private static final long serialVersionUID = 1L;

  private final transient SyncPlan plan;
  private final String outcome;

  public SyncRefusal(Guarantee g, String what, String why, String fix, String outcome) {
    this(g, what, why, fix, outcome, null);
  }

  public SyncRefusal(
      Guarantee g, String what, String why, String fix, String outcome, SyncPlan plan) {
    super(g, what, why, fix);
    this.outcome = outcome;
    this.plan = plan;
  }

  /** {@code refused} or {@code aborted}: what the audit records. */
  public String outcome() {
    return outcome;
  }

  public Optional<SyncPlan> plan() {
    return Optional.ofNullable(plan);
  }
}
