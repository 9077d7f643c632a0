package dev.prodguard.cli;

import dev.prodguard.config.ConfigException;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Redactor;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Optional;
import picocli.CommandLine;

/** Entry point: runs a command and maps outcomes to the exit codes of DESIGN section 3. */
public final class Main {
  public static final int OK = 0;
  public static final int REFUSED = 1;
  public static final int USAGE = 2;
  public static final int FAILURE = 3;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    PrintWriter out = new PrintWriter(new RedactingWriter(System.out), true);
    PrintWriter err = new PrintWriter(new RedactingWriter(System.err), true);
    dev.prodguard.audit.AuditHeads.forget();
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    LibraryLogging.install(debug);
    if (debug) {
      // where a run's time goes, one line per phase (wall and CPU): bench/README.md
      dev.prodguard.db.PhaseTimer.enable(System.err);
      System.err.printf(
          "prodguard: timing %-32s %6d ms wall%n",
          "jvm start to main",
          java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
    }
    CommandLine cl = commandLine(out, err, ProdguardCommand.only(args));
    int exit;
    try (var t = dev.prodguard.db.PhaseTimer.start("command")) {
      exit = cl.execute(args);
    }
    if (debug
        && java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os) {
      System.err.printf(
          "prodguard: timing %-32s %6d ms wall %6d ms cpu (process, all threads)%n",
          "total",
          java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(),
          os.getProcessCpuTime() / 1_000_000);
    }
    // G10: every audited step leaves its head in the CI log (stderr keeps --format json clean)
    dev.prodguard.audit.AuditHeads.appended()
        .forEach(
            (env, head) ->
                err.println(dev.prodguard.audit.AuditHeads.line(env, address(cl, env), head)));
    return exit;
  }

  /**
   * How to name {@code env} in a command line: a target of the fleet the command named with {@code
   * --fleet} (a rollout, or one target) is {@code ID --fleet NAME}, so the printed hint runs.
   */
  private static String address(CommandLine cl, String env) {
    String fleet = null;
    CommonOptions common = null;
    for (CommandLine.ParseResult r = cl.getParseResult(); r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--fleet")) {
        fleet = r.matchedOptionValue("--fleet", null);
      }
      CommandLine.Model.CommandSpec mixin = r.commandSpec().mixins().get("common");
      if (mixin != null && mixin.userObject() instanceof CommonOptions c) {
        common = c;
      }
    }
    if (common != null && common.loaded != null && common.loaded.find(env).isPresent()) {
      return common.loaded.address(env); // with one target's --fleet, loaded holds the targets
    }
    return fleet == null ? env : env + " --fleet " + fleet;
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(out, err, java.util.Optional.empty());
  }

  /** With every subcommand, or only {@code only} (see {@link ProdguardCommand#only}). */
  static CommandLine commandLine(
      PrintWriter out, PrintWriter err, java.util.Optional<Class<?>> only) {
    CommandLine cl = new CommandLine(new ProdguardCommand());
    for (Class<?> c : only.map(java.util.List::<Class<?>>of).orElse(ProdguardCommand.SUBCOMMANDS)) {
      cl.addSubcommand(c);
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.AUTO));
    // '--debug' before the subcommand ('prodguard --debug promote prod') means what it means after
    // it
    cl.setExecutionStrategy(
        parseResult -> {
          if (parseResult.hasMatchedOption("--debug")) {
            for (CommandLine.ParseResult sub = parseResult.subcommand();
                sub != null;
                sub = sub.subcommand()) {
              CommandLine.Model.CommandSpec mixin = sub.commandSpec().mixins().get("common");
              if (mixin != null && mixin.userObject() instanceof CommonOptions common) {
                common.debug = true;
              }
            }
          }
          if (parseResult.hasMatchedOption("--config") && parseResult.subcommand() != null) {
            handConfig(parseResult);
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof GuardRefusal r) {
            logLocally(commandLine, r);
          }
          return handle(ex, commandLine.getErr(), debug(parseResult));
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter e = ex.getCommandLine().getErr();
          e.println("prodguard: " + Redactor.redact(ex.getMessage()));
          // the qualified name: 'prodguard drift accept', not 'prodguard accept' (no such command)
          e.println("  see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help");
          return USAGE;
        });
    return cl;
  }

  /**
   * '-c/--config FILE' before the subcommand ('prodguard -c prodguard-mysql.yml lint') is the
   * subcommand's own '-c': handed to every command of the line that reads a configuration. A
   * command that reads none, or a second, different file after the subcommand, is a usage error.
   */
  private static void handConfig(CommandLine.ParseResult top) {
    java.nio.file.Path given = top.matchedOptionValue("--config", null);
    boolean handed = false;
    for (CommandLine.ParseResult sub = top.subcommand(); sub != null; sub = sub.subcommand()) {
      CommandLine.Model.CommandSpec mixin = sub.commandSpec().mixins().get("common");
      if (mixin == null || !(mixin.userObject() instanceof CommonOptions common)) {
        continue;
      }
      if (sub.hasMatchedOption("--config") && !common.config.equals(given)) {
        throw new CommandLine.ParameterException(
            sub.commandSpec().commandLine(),
            "-c/--config given twice, "
                + given
                + " before the command and "
                + common.config
                + " after it: give one");
      }
      common.config = given;
      handed = true;
    }
    if (!handed) {
      CommandLine.ParseResult last = top;
      while (last.subcommand() != null) {
        last = last.subcommand();
      }
      throw new CommandLine.ParameterException(
          last.commandSpec().commandLine(),
          "'"
              + last.commandSpec().qualifiedName()
              + "' reads no configuration: -c/--config does not apply to it");
    }
  }

  /**
   * Every refusal also goes to the local JSON-lines audit in the state directory: refusals before a
   * connection have nowhere else to be recorded (G10).
   */
  private static void logLocally(CommandLine commandLine, GuardRefusal r) {
    CommandLine.Model.CommandSpec mixin = commandLine.getCommandSpec().mixins().get("common");
    if (mixin == null || !(mixin.userObject() instanceof CommonOptions common)) {
      return;
    }
    if (common.loaded == null) {
      return;
    }
    try {
      new dev.prodguard.audit.LocalAuditLog(common.loaded.stateDirectory().resolve("audit.jsonl"))
          .append(
              common.context(),
              String.join(" ", commandLine.getParseResult().originalArgs()),
              "",
              "refused",
              java.util.Map.of(
                  "guarantee", r.guarantee().name(), "what", r.what(), "why", r.why()));
    } catch (GuardRefusal notPrivate) {
      commandLine
          .getErr()
          .println(
              "prodguard: (not recorded in the local audit log: "
                  + notPrivate.why()
                  + "; "
                  + notPrivate.fix()
                  + ")");
    } catch (RuntimeException e) {
      commandLine
          .getErr()
          .println("prodguard: (could not write the local audit log: " + e.getMessage() + ")");
    }
  }

  private static boolean debug(CommandLine.ParseResult parseResult) {
    CommandLine.ParseResult top = parseResult;
    while (top != null) {
      if (top.hasMatchedOption("--debug")) {
        return true;
      }
      top = top.subcommand();
    }
    return false;
  }

  /**
   * For {@code Tracer.onInterrupt}: a trace stopped by Ctrl-C, SIGINT or SIGTERM prints its refusal
   * screen and exits with the refusal's code, as every refusal does (the JVM would exit 130 or
   * 143). Runs in a shutdown hook, after the trace has discarded its scratch database and server;
   * {@code halt}, since {@code exit} blocks while hooks run.
   */
  static java.util.function.Consumer<GuardRefusal> interrupted(PrintWriter err) {
    return r -> {
      err.println(r.render());
      err.flush();
      Runtime.getRuntime().halt(REFUSED);
    };
  }

  static int handle(Throwable ex, PrintWriter err, boolean debug) {
    if (ex instanceof GuardRefusal r) {
      err.println(r.render());
      return REFUSED;
    }
    if (ex instanceof ConfigException c) {
      err.println(c.render());
      return USAGE;
    }
    Optional<SQLException> connect = connectionFailure(ex);
    if (connect.isPresent()) {
      SQLException s = connect.get();
      String m = String.valueOf(s.getMessage());
      String lower = m.toLowerCase(java.util.Locale.ROOT);
      boolean tls = lower.contains("ssl") || lower.contains("tls");
      boolean auth = s.getSQLState() != null && s.getSQLState().startsWith("28");
      err.println(
          "prodguard: the database connection failed ["
              + s.getSQLState()
              + "]: "
              + Redactor.redact(m.replace("\n", " ")));
      if (tls) {
        err.println(
            "  fix: the server and the URL disagree about TLS: against a server without TLS add"
                + " ?sslMode=disable (MariaDB) or ?sslmode=disable (PostgreSQL) to the URL, or"
                + " enable TLS on the server");
      } else if (auth) {
        err.println("  fix: check the URL's user and password (and the account's host)");
      } else {
        err.println(
            "  fix: check that the server is running and reachable at the URL's host and port");
      }
      if (debug) {
        ex.printStackTrace(err);
      }
      return tls || auth ? USAGE : FAILURE;
    }
    String cause = describe(ex);
    err.println("prodguard: unexpected failure: " + Redactor.redact(cause));
    if (debug) {
      ex.printStackTrace(err);
    } else {
      err.println("  (run again with --debug for the stack trace)");
    }
    return FAILURE;
  }

  /**
   * The JDBC failure to open a connection in {@code ex}'s causes: SQLSTATE class 08 (connection
   * exception) or 28 (invalid authorization), as PostgreSQL's and MariaDB's drivers report them.
   */
  static Optional<SQLException> connectionFailure(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s
          && s.getSQLState() != null
          && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("28"))) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static String describe(Throwable ex) {
    if (ex instanceof SQLException s) {
      return "database error"
          + (s.getSQLState() == null ? "" : " [" + s.getSQLState() + "]")
          + ": "
          + s.getMessage();
    }
    if (ex instanceof UncheckedIOException u) {
      return u.getMessage() + ": " + u.getCause().getMessage();
    }
    return ex.getClass().getSimpleName() + ": " + ex.getMessage();
  }

  /** Every byte printed passes the redactor, whatever the code path that printed it. */
  static final class RedactingWriter extends java.io.Writer {
    private final java.io.PrintStream target;
    private final StringBuilder line = new StringBuilder();

    RedactingWriter(java.io.PrintStream target) {
      this.target = target;
    }

    @Override
    public synchronized void write(char[] cbuf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        char ch = cbuf[i];
        line.append(ch);
        if (ch == '\n') {
          emit();
        }
      }
    }

    private void emit() {
      byte[] bytes = Redactor.redact(line.toString()).getBytes(StandardCharsets.UTF_8);
      target.write(bytes, 0, bytes.length);
      line.setLength(0);
    }

    @Override
    public synchronized void flush() {
      if (line.length() > 0) {
        emit();
      }
      target.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }
}
