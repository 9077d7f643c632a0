package dev.prodguard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.Guarantee;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The demo's model: what a check expects, how the summary judges and prints it. */
@DisplayName("demo: checks, summary table and exit code")
class DemoSummaryTest {
  private static JarProcess.Result result(int exit, String out, String err) {
    return new JarProcess.Result(exit, out, err, 1200);
  }

  @Test
  @DisplayName("a refusal check needs both the exit code and the guarantee's label in the output")
  void refusalNeedsExitAndPhrase() {
    Demo.Expect e = Demo.Expect.refusal(Guarantee.G1);
    String refusal = "prodguard: refused [G1 CI-only mutation]\n  what: deploy prod";

    assertThat(e.met(result(1, "", refusal))).isTrue();
    assertThat(e.got(result(1, "", refusal))).isEqualTo("exit 1, G1 refusal");
    assertThat(e.expected()).isEqualTo("exit 1, G1 refusal");

    assertThat(e.met(result(0, "deployed run run-1", ""))).as("exit 0 is no refusal").isFalse();
    assertThat(e.met(result(1, "", "prodguard: refused [G3 early URL refusal]")))
        .as("another guarantee's refusal is not this one")
        .isFalse();
    assertThat(e.got(result(1, "", "prodguard: unexpected failure")))
        .isEqualTo("exit 1, missing: G1 refusal");
    assertThat(e.met(result(3, "", refusal))).as("exit 3 is a failure, not a refusal").isFalse();
  }

  @Test
  @DisplayName("a success check reads stdout and stderr; an empty phrase checks the exit only")
  void successChecks() {
    Demo.Expect deployed = Demo.Expect.success("deployed run", "deployed");
    assertThat(deployed.met(result(0, "deployed run run-abc to 'prod'", ""))).isTrue();
    assertThat(deployed.met(result(0, "'prod' is up to date", ""))).isFalse();

    Demo.Expect any = Demo.Expect.success("", "");
    assertThat(any.met(result(0, "", ""))).isTrue();
    assertThat(any.expected()).isEqualTo("exit 0");
    assertThat(any.got(result(2, "", "usage"))).isEqualTo("exit 2");
  }

  @Test
  @DisplayName("exit 0 only when every check held; no checks at all is not a pass")
  void exitCode() {
    DemoSummary s = new DemoSummary();
    assertThat(s.allOk()).isFalse();
    assertThat(s.exitCode()).isEqualTo(1);

    s.add(new DemoSummary.Row("1 fingerprint dev", "G2", "exit 0", "exit 0", true));
    assertThat(s.exitCode()).isZero();

    s.add(new DemoSummary.Row("9 Flyway run by hand", "G6", "refused, G6", "migrated", false));
    assertThat(s.exitCode()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(1);
  }

  @Test
  @DisplayName("the table aligns its columns and ends each row with ok or FAILED")
  void table() {
    DemoSummary s = new DemoSummary();
    s.add(new DemoSummary.Row("1 fingerprint dev", "G2", "exit 0, fingerprinted", "exit 0", true));
    s.add(new DemoSummary.Row("10 audit verify prod", "G10", "exit 0", "exit 3", false));

    List<String> t = s.table();
    assertThat(t).hasSize(4);
    assertThat(t.get(0)).startsWith("step").contains("guarantee", "expected", "got", "result");
    assertThat(t.get(1)).matches("[- ]+");
    assertThat(t.get(2)).startsWith("1 fingerprint dev").endsWith("ok");
    assertThat(t.get(3)).startsWith("10 audit verify prod").endsWith("FAILED");
    int guaranteeColumn = t.get(0).indexOf("guarantee");
    assertThat(t.get(2).indexOf("G2")).isEqualTo(guaranteeColumn);
    assertThat(t.get(3).indexOf("G10")).isEqualTo(guaranteeColumn);
    assertThat(t.get(2).indexOf("exit 0, fingerprinted")).isEqualTo(t.get(0).indexOf("expected"));
    for (String row : t.subList(2, 4)) {
      assertThat(row.split("\\s{2,}")).as(row).hasSize(5);
    }
  }

  @Test
  @DisplayName("--format json lists every check with its result")
  void json() {
    DemoSummary s = new DemoSummary();
    s.add(new DemoSummary.Row("8 a second deploy meanwhile", "G8", "exit 1", "exit 1", true));
    Map<String, Object> j = s.toJson(21.34);
    assertThat(j).containsEntry("ok", true).containsEntry("seconds", 21.3);
    assertThat((List<?>) j.get("checks")).hasSize(1);
    assertThat(((List<?>) j.get("checks")).get(0).toString())
        .contains("guarantee=G8", "result=ok", "step=8 a second deploy meanwhile");
  }

  @Test
  @DisplayName("narration wraps on word boundaries and never loses a word")
  void wrap() {
    String text = "A developer has prod's URL in their shell and even types CI=true by hand.";
    List<String> lines = Narrator.wrap(text, 20);
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(20));
    assertThat(String.join(" ", lines)).isEqualTo(text);
    assertThat(Narrator.wrap("a-very-long-word-that-cannot-be-split", 10))
        .containsExactly("a-very-long-word-that-cannot-be-split");
  }
}
