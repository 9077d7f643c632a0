package dev.prodguard.db;

import java.util.Objects;

/**
 * A guard refused an operation (exit code 1). Carries the one-screen explanation: what was refused,
 * which guarantee, why, and the one right way forward.
 */
public class GuardRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Guarantee guarantee;
  private final String what;
  private final String why;
  private final String fix;

  public GuardRefusal(Guarantee guarantee, String what, String why, String fix) {
    this(guarantee, what, why, fix, null);
  }

  public GuardRefusal(Guarantee guarantee, String what, String why, String fix, Throwable cause) {
    super(Redactor.redact(what + ": " + why), cause);
    this.guarantee = Objects.requireNonNull(guarantee);
    this.what = Redactor.redact(what);
    this.why = Redactor.redact(why);
    this.fix = Redactor.redact(fix);
  }

  public Guarantee guarantee() {
    return guarantee;
  }

  public String what() {
    return what;
  }

  public String why() {
    return why;
  }

  public String fix() {
    return fix;
  }

  /** The one-screen message printed by the CLI and carried by SQLExceptions. */
  public String render() {
    return "prodguard: refused ["
        + guarantee.label()
        + "]\n  what: "
        + what
        + "\n  why:  "
        + indent(why)
        + "\n  fix:  "
        + indent(fix);
  }

  private static String indent(String s) {
    return s.replace("\n", "\n        ");
  }
}
