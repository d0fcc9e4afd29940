package dev.scanflux.examples.app;

import dev.scanflux.core.spi.UrlRedaction;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code scanflux} command: {@code java -jar scanner-examples/target/scanflux.jar [options]}.
 * With no options it scans the embedded venue simulator; {@code --help} lists the options.
 * Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
public final class ScanfluxApp {

  private ScanfluxApp() {}

  /** Runs the command and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, true));
  }

  /**
   * Runs the command in-process.
   *
   * @param args         the command-line arguments
   * @param out          where the view, reports and signals go
   * @param err          where errors go
   * @param stopOnSignal whether Ctrl-C (JVM shutdown) stops the scan cleanly
   * @return the exit code: 0 done, 1 failed, 2 bad arguments
   */
  public static int run(String[] args, PrintStream out, PrintStream err, boolean stopOnSignal) {
    return run(args, out, err, stopOnSignal, System.getenv());
  }

  /** Runs the command in-process with the given environment (the alerts' secrets); for tests. */
  static int run(String[] args, PrintStream out, PrintStream err, boolean stopOnSignal,
      Map<String, String> env) {
    ScanfluxCommand command = new ScanfluxCommand(out, stopOnSignal);
    command.env = env;
    boolean serve = args.length > 0 && args[0].equals("serve");
    CommandLine cli = (serve ? ServeCommand.line(command, out, stopOnSignal)
        : new CommandLine(command))
        .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
        .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
        .setCaseInsensitiveEnumValuesAllowed(true);
    HelpSections.install(cli);
    cli.setParameterExceptionHandler((e, args2) -> {
      e.getCommandLine().getErr().println("scanflux: " + UrlRedaction.redact(e.getMessage()));
      e.getCommandLine().getErr().println("Try 'scanflux --help' for the options.");
      return CommandLine.ExitCode.USAGE;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("scanflux: " + UrlRedaction.redact(failure(e)));
      if (command.verbose) {
        // the trace's messages are redacted too: a URL with credentials never reaches the terminal
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        commandLine.getErr().print(UrlRedaction.redact(trace.toString()));
        commandLine.getErr().flush();
      } else {
        commandLine.getErr().println("(--verbose shows the stack trace)");
      }
      return e instanceof IllegalArgumentException ? CommandLine.ExitCode.USAGE
          : CommandLine.ExitCode.SOFTWARE;
    });
    return cli.execute(serve ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
  }

  /**
   * One line for a failure: its message, and the innermost cause's where that says more (Reactor
   * wraps checked exceptions); the exception's class only where there is no message.
   */
  static String failure(Throwable e) {
    Throwable t = reactor.core.Exceptions.unwrap(e);
    String line = describe(t);
    Throwable cause = t.getCause();
    while (cause != null && cause != cause.getCause()) {
      String more = describe(cause);
      if (!line.contains(more)) {
        line = line + ": " + more;
      }
      cause = cause.getCause();
    }
    return line;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    if (m != null) {
      m = m.lines().findFirst().orElse("").strip(); // one line: parsers add their location below
    }
    if (t instanceof java.nio.file.NoSuchFileException) {
      return m + ": no such file";
    }
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
