package dev.prodguard.cli;

import dev.prodguard.db.Redactor;
import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the libraries inside the CLI log (java.util.logging, and SLF4J through its JDK provider: the
 * MariaDB driver, the AWS SDK): warnings and errors as one {@code prodguard:} line each on stderr,
 * with credentials redacted; everything from INFO on with {@code --debug}. Flyway's own lines take
 * another way ({@code FlywayLog}).
 */
final class LibraryLogging {
  private static final Logger ROOT = Logger.getLogger("");

  private LibraryLogging() {}

  /** Replaces the root logger's console handler; idempotent, so tests may run the CLI often. */
  static synchronized void install(boolean debug) {
    for (Handler h : ROOT.getHandlers()) {
      ROOT.removeHandler(h);
    }
    Level level = debug ? Level.INFO : Level.WARNING;
    ROOT.setLevel(level);
    ROOT.addHandler(new Line(level));
  }

  /** {@code prodguard: <logger> <level>: <message>}, to the stderr of the moment. */
  private static final class Line extends Handler {
    Line(Level level) {
      setLevel(level);
    }

    @Override
    public void publish(LogRecord r) {
      if (!isLoggable(r)) {
        return;
      }
      String message = r.getMessage();
      if (r.getParameters() != null && message != null && message.contains("{0")) {
        message = java.text.MessageFormat.format(message, r.getParameters());
      }
      if (r.getThrown() != null) {
        message = message + " (" + r.getThrown() + ")";
      }
      PrintStream err = System.err;
      err.println(
          "prodguard: "
              + r.getLoggerName()
              + " "
              + r.getLevel().getName().toLowerCase(java.util.Locale.ROOT)
              + ": "
              + Redactor.redact(String.valueOf(message)));
    }

    @Override
    public void flush() {
      System.err.flush();
    }

    @Override
    public void close() {}
  }
}
