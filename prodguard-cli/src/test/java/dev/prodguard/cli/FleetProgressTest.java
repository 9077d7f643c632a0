package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.fleet.FleetRollout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("promote --fleet progress: a live line on a terminal, plain lines in CI logs")
class FleetProgressTest {
  private static FleetRollout.TargetResult result(String id, FleetRollout.State s, String detail) {
    return new FleetRollout.TargetResult(
        id, "rest", s, detail, Optional.empty(), Optional.empty(), 0, 1200);
  }

  @Test
  @DisplayName(
      "terminal: one line redrawn in place with the counts; a refusal gets a line of its own")
  void live() {
    StringWriter w = new StringWriter();
    FleetCli.Live live = new FleetCli.Live(new PrintWriter(w));
    live.wave("rest", 3);
    live.started("t1");
    live.started("t2");
    live.started("t3");
    live.finished(result("t1", FleetRollout.State.DEPLOYED, "2 migration(s) applied"), 1, 3);
    live.finished(result("t2", FleetRollout.State.REFUSED, "G2: another database\nmore"), 2, 3);
    live.finished(result("t3", FleetRollout.State.DEPLOYED, "2 migration(s) applied"), 3, 3);
    live.end();
    String out = w.toString();
    assertThat(out).contains("==> wave 'rest': 3 target(s)\n");
    // the refusal is a line of its own (first line of its reason), not overwritten
    assertThat(out).contains("\r\033[K[2/3] t2 refused (1.2 s): G2: another database\n");
    // the live line: redrawn in place (carriage return, erase line), with the counts so far
    assertThat(out).contains("\r\033[K[3/3] wave 'rest': 0 running, 2 deployed, 1 refused (");
    assertThat(out).doesNotContain("t1 deployed"); // successes only count, on a terminal
    assertThat(out).endsWith("\r\033[K"); // cleared at the end
  }

  @Test
  @DisplayName(
      "terminal: targets that start are counted as running at once, not only when one ends"
          + " (new user 23: '0 running' for a whole 12 s canary)")
  void liveShowsRunningTargetsAsTheyStart() {
    StringWriter w = new StringWriter();
    FleetCli.Live live = new FleetCli.Live(new PrintWriter(w));
    live.wave("canary", 1);
    live.started("t1");
    assertThat(w.toString()).contains("\r\033[K[0/?] wave 'canary': 1 running (");
    live.wave("rest", 3);
    live.started("t2");
    live.started("t3");
    live.started("t4");
    String out = w.toString();
    live.end();
    assertThat(out).contains("wave 'rest': 3 running (");
  }

  @Test
  @DisplayName("CI logs: one plain line per target as it ends, no control characters")
  void lines() {
    StringWriter w = new StringWriter();
    FleetCli.Lines lines = new FleetCli.Lines(new PrintWriter(w));
    lines.wave("rest", 2);
    lines.started("t1");
    lines.finished(result("t1", FleetRollout.State.DEPLOYED, "2 migration(s) applied"), 1, 2);
    lines.finished(result("t2", FleetRollout.State.FAILED, "deploy failed: x\nrestore y"), 2, 2);
    lines.end();
    assertThat(w.toString())
        .isEqualTo(
            "==> wave 'rest': 2 target(s)\n"
                + "[1/2] t1 deployed (1.2 s): 2 migration(s) applied\n"
                + "[2/2] t2 failed (1.2 s): deploy failed: x\n")
        .doesNotContain("\033");
  }
}
