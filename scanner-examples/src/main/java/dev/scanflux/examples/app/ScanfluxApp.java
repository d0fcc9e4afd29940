package dev.scanflux.examples.app;

import java.io.PrintStream;
import java.io.PrintWriter;
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
    CommandLine cli = new CommandLine(command)
        .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
        .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
        .setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler((e, args2) -> {
      e.getCommandLine().getErr().println("scanflux: " + e.getMessage());
      e.getCommandLine().getErr().println("Try 'scanflux --help' for the options.");
      return CommandLine.ExitCode.USAGE;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("scanflux: " + e.getMessage());
      return e instanceof IllegalArgumentException ? CommandLine.ExitCode.USAGE
          : CommandLine.ExitCode.SOFTWARE;
    });
    return cli.execute(args);
  }
}
