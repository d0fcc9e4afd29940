package dev.scanflux.examples.app;

import dev.scanflux.core.Scan;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.kafka.MarketFeed;
import dev.scanflux.kafka.NodeStatus;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code scanflux feed --kafka BOOTSTRAP}: runs the example strategies and their alerts in this
 * process on what scanner nodes publish to Kafka ({@code scanflux --kafka BOOTSTRAP}), with no
 * scanner of its own. The app's alert flags ({@code --telegram-chat}, {@code --webhook}, ...)
 * go before {@code feed}.
 */
@Command(name = "feed", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Reads the scans that scanner nodes publish to Kafka and runs the example "
        + "strategies and alerts on them: one line per scan, every signal with --signals. "
        + "Alert flags go before 'feed'.")
final class FeedCommand implements Callable<Integer> {

  @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP",
      description = "The Kafka brokers, host:port[,host:port...].")
  String bootstrap = "";

  @Option(names = "--scans", defaultValue = "0", paramLabel = "N",
      description = "Stop after N scans (the latest published one counts); 0 runs until "
          + "interrupted (default: ${DEFAULT-VALUE}).")
  long scans;

  @ParentCommand
  @Nullable ScanfluxCommand parent;

  @Override
  public Integer call() throws Exception {
    ScanfluxCommand app = Objects.requireNonNull(parent); // --topics, --min-edge, --min-change
    String topics = app.topics;                            // and --signals are the app's
    PrintStream out = app.out();
    if (scans < 0) {
      throw new IllegalArgumentException("--scans must be 0 or more but was " + scans);
    }
    String alertProblem = app.alertOptions.problem(app.env); // the app's alert flags, given
    if (alertProblem != null) {                              // before 'feed'
      throw new IllegalArgumentException(alertProblem);
    }
    Scheduler io = Schedulers.newSingle("scanflux-feed-io", true);
    AlertRun alerts = new AlertRun(app.alertOptions.build(app.env, app.window, out, io),
        lines -> { });
    CountDownLatch stopped = new CountDownLatch(1);
    MarketFeed feed = MarketFeed.builder(bootstrap).topics(KafkaTopics.prefixed(topics)).build();
    try {
      feed.start();
      out.println("feed " + bootstrap + ": reading the topics " + topics + ".*");
      feed.caughtUp().block(); // the latest view and the nodes first; waits for the topics
      Thread hook = new Thread(() -> {
        feed.close();
        try {
          stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "scanflux-feed-shutdown");
      if (app.stopOnSignal()) {
        Runtime.getRuntime().addShutdownHook(hook);
      }
      try {
        var flux = feed.scans().publishOn(io) // strategies off the feed's thread
            .doOnNext(scan -> out.println(line(scan, feed)));
        Long count = (scans > 0 ? flux.take(scans) : flux)
            .transform(Strategies.all(app.minEdge, app.minChange))
            .doOnNext(s -> {
              if (app.printSignals) {
                out.println(Strategies.line(s));
              }
            })
            .transform(alerts.tap())
            .count()
            .block();
        alerts.finish();
        out.println("feed " + bootstrap + ": " + feed.report().scans() + " scans and "
            + feed.report().snapshots() + " snapshots read, " + feed.report().invalid()
            + " invalid records skipped, " + (count == null ? 0 : count) + " signals");
        out.println("  " + alerts.summary());
        alerts.sinkLines().forEach(l -> out.println("    " + l));
        for (NodeStatus n : feed.nodes()) {
          out.println("  node " + n.node() + " " + n.state().name().toLowerCase(java.util.Locale.ROOT)
              + ", venues " + n.venues() + ", last seen " + n.lastSeen());
        }
        return 0;
      } finally {
        stopped.countDown();
        if (app.stopOnSignal()) {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook closes the feed and waits for this to finish
          }
        }
      }
    } finally {
      feed.close();
      io.dispose();
    }
  }

  private static String line(Scan scan, MarketFeed feed) {
    long stale = feed.nodes().stream().filter(n -> n.state() != NodeStatus.State.LIVE).count();
    return "scan " + scan.cycle() + " of " + String.join(",", scan.report().venues().keySet())
        + ": " + LiveView.line(scan.report()) + (stale == 0 ? "" : "; " + stale
        + " node(s) not live");
  }
}
