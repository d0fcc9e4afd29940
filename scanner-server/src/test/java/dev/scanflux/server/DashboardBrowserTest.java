package dev.scanflux.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.SimulatedVenue;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import reactor.core.publisher.Sinks;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven by Selenium through
 * Debian's chromedriver (both installed by {@code .ci/run}), opens the page the server serves
 * over simulated Binance, OKX and Kraken, and checks what a person would see. Screenshots go to
 * {@code target/screenshots/}; the last, {@code dashboard.png}, is the one in docs/server.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // healthy rows first, then a fault
class DashboardBrowserTest {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  static SimulatedScan fixture;
  static Alerts alerts = Alerts.builder().build();
  static Sinks.Many<Signal> signals = Sinks.many().unicast().onBackpressureBuffer();
  static WebDriver browser;
  static Path profile;

  @BeforeAll
  static void start() throws IOException {
    assertThat(new File(CHROMIUM).canExecute()).as("Debian's chromium at " + CHROMIUM
        + " (apt-get install chromium chromium-driver; .ci/run installs it)").isTrue();
    assertThat(new File(CHROMEDRIVER).canExecute()).as("Debian's chromium-driver at "
        + CHROMEDRIVER).isTrue();
    fixture = new SimulatedScan(
        List.of(SimulatedVenue.BINANCE_SPOT, SimulatedVenue.OKX, SimulatedVenue.KRAKEN),
        // Kraken's 1 request a second makes each cycle about 10 s long, and today's engine
        // refreshes a venue once per cycle: a minute keeps the healthy rows "ok"
        (f, b) -> Spreads.declare(b).alerts(alerts).staleAfter(Duration.ofMinutes(1)));
    alerts.track(signals.asFlux()).subscribe();
    profile = Files.createTempDirectory("scanflux-chromium-");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--disable-crash-reporter", "--disable-breakpad",
        "--window-size=1440,1100",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.get(fixture.url() + "/");
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (browser != null) {
        try {
          screenshot("dashboard.png"); // after every test: rows, timeline, a fault, an alert
        } finally {
          browser.quit();
        }
      }
    } finally {
      signals.tryEmitComplete();
      alerts.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
      if (fixture != null) {
        fixture.close();
      }
      if (profile != null) {
        try (Stream<Path> files = Files.walk(profile)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  @Order(1)
  void venueRowsAppearAndTheirNumbersChange() throws IOException {
    await(d -> d.findElement(By.id("conn")).getText().equals("live"));
    for (String venue : List.of("binance", "okx", "kraken")) {
      await(d -> !d.findElements(By.cssSelector("tr[data-venue='" + venue + "']")).isEmpty());
    }
    String before = cell("kraken", "progress") + " | " + cell("binance", "progress");
    await(d -> !(cell("kraken", "progress") + " | " + cell("binance", "progress"))
        .equals(before));
    assertThat(cell("binance", "rate")).matches("[0-9.,]+ / [0-9.,]+ \\([0-9]+%\\)");
    assertThat(cell("binance", "state")).isEqualToIgnoringCase("ok");
    await(d -> Integer.parseInt(d.findElement(By.id("timeline"))
        .getDomAttribute("data-requests")) > 0);
    await(d -> !d.findElements(By.cssSelector("#books tbody td.venue")).isEmpty());
    assertThat(canvasHasInk()).as("the timeline canvas is drawn").isTrue();
    assertThat(browser.findElements(By.cssSelector(".legend span")).stream()
        .map(WebElement::getText).toList())
        .as("every outcome the timeline draws has its colour explained")
        .containsExactly("priority", "ordinary", "throttled", "transient", "bad data",
            "permanent", "cancelled by the scanner");
    screenshot("dashboard-rows.png");
  }

  @Test
  @Order(4)
  void cancelledRequestsAreShownBesideTheFailuresNotAsOne() {
    // The row of a venue the fixture does not run, drawn by the page's own renderer from the
    // status JSON a venue with cancelled requests has (docs/server.md), then removed again.
    String status = "{\"venue\":\"zz-check\",\"state\":\"ok\",\"progress\":{\"cycle\":1},"
        + "\"rate\":{},\"failures\":{\"requests\":9,\"ok\":%d,\"by_class\":{\"throttled\":0,"
        + "\"transient\":%d},\"cancelled\":3,\"in_a_row\":0},\"stream\":{\"state\":\"off\"},"
        + "\"books\":{\"books\":0},\"message\":\"\"}";
    JavascriptExecutor js = (JavascriptExecutor) browser;
    try {
      js.executeScript("renderVenue(JSON.parse(arguments[0]));", String.format(status, 6, 0));
      WebElement failures = browser.findElement(
          By.cssSelector("tr[data-venue='zz-check'] td.failures"));
      assertThat(failures.getText()).isEqualTo("none; 3 cancelled");
      assertThat(failures.getDomAttribute("class")).isEqualTo("failures dim");
      js.executeScript("renderVenue(JSON.parse(arguments[0]));", String.format(status, 4, 2));
      assertThat(failures.getText()).isEqualTo("transient 2; 3 cancelled");
      assertThat(failures.getDomAttribute("class")).isEqualTo("failures fail");
    } finally {
      js.executeScript("const r = document.querySelector(\"tr[data-venue='zz-check']\");"
          + " if (r) r.remove();");
    }
  }

  @Test
  @Order(3)
  void anInjectedFaultShowsInTheVenuesRow() throws IOException {
    await(d -> !d.findElements(By.cssSelector("tr[data-venue='okx']")).isEmpty());
    Fault[] faults = new Fault[40];
    java.util.Arrays.fill(faults, Fault.SERVER_ERROR);
    fixture.sims.get("okx").failNext(faults);
    await(d -> cell("okx", "failures").contains("transient"));
    assertThat(cell("binance", "failures")).isEqualTo("none");
    screenshot("dashboard-fault.png");
  }

  @Test
  @Order(2)
  void anAlertAppearsInTheFeed() throws IOException {
    signals.tryEmitNext(Signal.builder("order-book-wall", Instant.now())
        .description("bid wall of 1.2 M USDT at 64,100 on BTC/USDT").venues("binance")
        .instruments(Instrument.parse("BTC/USDT")).subject("binance bid 64,100")
        .strength(1.2e6).build());
    await(d -> d.findElements(By.cssSelector("#alerts li[data-key]")).stream()
        .anyMatch(li -> li.getText().contains("bid wall of 1.2 M USDT")));
    WebElement li = browser.findElement(By.cssSelector("#alerts li[data-key]"));
    assertThat(li.getText()).contains("opened", "order-book-wall", "binance");
    screenshot("dashboard-alert.png");
  }

  private static String cell(String venue, String cls) {
    return browser.findElement(By.cssSelector("tr[data-venue='" + venue + "'] td." + cls))
        .getText().strip();
  }

  private static boolean canvasHasInk() {
    Object lit = ((JavascriptExecutor) browser).executeScript(
        "const c = document.getElementById('timeline');"
            + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            + "let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; }"
            + "return n;");
    return ((Number) lit).longValue() > 1000;
  }

  private static void await(java.util.function.Function<WebDriver, Boolean> condition) {
    new WebDriverWait(browser, Duration.ofSeconds(45), Duration.ofMillis(200))
        .ignoring(org.openqa.selenium.NoSuchElementException.class)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(condition::apply);
  }

  static void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
