package dev.prodguard.pipeline;

import dev.prodguard.db.GuardRefusal;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A read a step runs on its own thread beside other work of the step that uses another connection
 * (the engine's validation and pending set on the reading connection while the control connection
 * reads the schema, or while {@code pg_dump} runs): nothing the step decides changes, only when.
 * The step always waits for it: {@link #join()} for its result (its refusal or failure rethrown),
 * or {@link #settle()} when the step fails on its own, so no read outlives the step and its
 * refusal, which the step checked first before, is the one reported.
 */
final class Beside<T> {
  /** The work: a read that may refuse (GuardRefusal) or fail. */
  interface Work<T> {
    T run() throws SQLException;
  }

  private final CompletableFuture<T> result = new CompletableFuture<>();

  private Beside() {}

  static <T> Beside<T> start(String name, Work<T> work) {
    Beside<T> b = new Beside<>();
    Thread t =
        new Thread(
            () -> {
              try {
                b.result.complete(work.run());
              } catch (Throwable e) {
                b.result.completeExceptionally(e);
              }
            },
            "prodguard-" + name);
    t.setDaemon(true);
    t.start();
    return b;
  }

  /** Its result; its refusal or failure is thrown here, as if it had run on this thread. */
  T join() throws SQLException {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + e.getMessage(), e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof SQLException s) {
        throw s;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  /**
   * Waits for it when the step failed on its own: the refusal it reached, if any (the step reports
   * it first: it was checked first before the two ran side by side).
   */
  Optional<GuardRefusal> settle() {
    try {
      result.get();
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      return e.getCause() instanceof GuardRefusal g ? Optional.of(g) : Optional.empty();
    }
  }
}
