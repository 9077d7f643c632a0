package dev.prodguard.spring;

import dev.prodguard.db.GuardRefusal;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A start-up refused by a guard, printed as one screen by Spring Boot (no stack trace): what was
 * refused and which guarantee, why, and the one fix, exactly as the CLI prints it.
 */
public final class ProdguardFailureAnalyzer extends AbstractFailureAnalyzer<GuardRefusal> {
  @Override
  protected FailureAnalysis analyze(Throwable root, GuardRefusal r) {
    return new FailureAnalysis(
        "prodguard refused the start-up ["
            + r.guarantee().label()
            + "]\n  what: "
            + r.what()
            + "\n  why:  "
            + r.why().replace("\n", "\n        "),
        r.fix(),
        r);
  }
}
