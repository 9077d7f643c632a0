package dev.prodguard.flyway;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;
import java.util.function.Consumer;
import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;

/**
 * Flyway's own logging, folded into prodguard's output: {@code FlywayMigrationEngine} names this
 * class in Flyway's {@code loggers} setting, so Flyway creates its loggers here instead of
 * detecting SLF4J or java.util.logging (whose console handler printed two lines per message and
 * whole stack traces). Warnings and notices go to the {@linkplain #route sink} as single lines,
 * {@code flyway: ...}; errors, debug and info only with {@code --debug}; a stack trace only with
 * {@code --debug}. prodguard reports a failure itself, with its cause, once.
 */
public final class FlywayLog implements LogCreator {
  private static volatile Consumer<String> sink = line -> System.err.println("prodguard: " + line);
  private static volatile boolean debug;

  /** Flyway instantiates this by name ({@code loggers}). */
  public FlywayLog() {}

  /**
   * Where Flyway's lines go from now on, for the whole process (Flyway's logging is static), and
   * whether {@code --debug} shows its info and debug lines and stack traces.
   */
  public static void route(Consumer<String> lines, boolean withDebug) {
    sink = Objects.requireNonNull(lines);
    debug = withDebug;
  }

  @Override
  public Log createLogger(Class<?> clazz) {
    return new Log() {
      @Override
      public boolean isDebugEnabled() {
        return debug;
      }

      @Override
      public void debug(String message) {
        if (debug) {
          emit("debug", message);
        }
      }

      @Override
      public void info(String message) {
        if (debug) {
          emit("info", message);
        }
      }

      @Override
      public void warn(String message) {
        emit("warning", message);
      }

      @Override
      public void error(String message) {
        if (debug) {
          emit("error", firstLine(message));
        }
      }

      @Override
      public void error(String message, Exception e) {
        if (!debug) {
          return; // prodguard reports the failure itself, with its cause and the backup, once
        }
        emit("error", firstLine(message));
        if (e != null) {
          StringWriter trace = new StringWriter();
          e.printStackTrace(new PrintWriter(trace));
          emit("error", trace.toString());
        }
      }

      @Override
      public void notice(String message) {
        emit("notice", message);
      }
    };
  }

  /** Without {@code --debug}, one line: prodguard reports the whole failure itself. */
  private static String firstLine(String message) {
    if (debug || message == null) {
      return message;
    }
    String m = message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static void emit(String level, String message) {
    if (message == null || message.isBlank()) {
      return;
    }
    sink.accept("flyway " + level + ": " + message.strip());
  }
}
