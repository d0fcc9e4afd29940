package dev.scanflux.exchanges.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchange.exceptions.ExchangeException;
import org.knowm.xchange.exceptions.ExchangeUnavailableException;
import org.knowm.xchange.exceptions.RateLimitExceededException;
import si.mazi.rescu.HttpStatusIOException;
import si.mazi.rescu.InvocationResult;

class ErrorsTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static SourceException classify(Throwable t) {
    return Errors.classify("v", "book BTC/USDT", t, NOW);
  }

  private static HttpStatusIOException http(int status, String body, Map<String, List<String>>
      headers) {
    HttpStatusIOException e = new HttpStatusIOException("HTTP " + status,
        new InvocationResult(body, status));
    e.setResponseHeaders(headers);
    return e;
  }

  @Test
  void http429And418AreThrottledWithRetryAfter() {
    SourceException e = classify(http(429, "{}", Map.of("Retry-After", List.of("12"))));
    assertThat(e).isInstanceOf(ThrottledException.class);
    assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(12));
    assertThat(classify(http(418, "{}", Map.of())).errorClass())
        .isEqualTo(ErrorClass.THROTTLED);
  }

  @Test
  void forbiddenWithRetryAfterIsThrottledOtherwisePermanent() {
    SourceException e = classify(http(403, "", Map.of("retry-after",
        List.of("Thu, 01 Jan 2026 00:00:30 GMT"))));
    assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(30));
    assertThat(classify(http(403, "", Map.of()))).isInstanceOf(PermanentSourceException.class);
  }

  @Test
  void throttleMessagesInBodiesAreThrottled() {
    assertThat(classify(new ExchangeException("[EAPI:Rate limit exceeded]")).errorClass())
        .isEqualTo(ErrorClass.THROTTLED);
    assertThat(classify(http(200, "{\"code\":\"429000\",\"msg\":\"Too Many Requests\"}",
        Map.of())).errorClass()).isEqualTo(ErrorClass.THROTTLED);
    assertThat(classify(new ExchangeException("code 50011")).errorClass())
        .isEqualTo(ErrorClass.THROTTLED);
    assertThat(classify(new RateLimitExceededException("x")).errorClass())
        .isEqualTo(ErrorClass.THROTTLED);
  }

  @Test
  void throttleCodesAreMatchedAsCodesNotAsPrices() {
    assertThat(classify(http(200, "{\"code\":\"0\",\"data\":[{\"last\":\"50011.5\",\"vol",
        Map.of())).errorClass()).isEqualTo(ErrorClass.BAD_DATA);
    assertThat(classify(http(400, "{\"code\":429000}", Map.of())).errorClass())
        .isEqualTo(ErrorClass.THROTTLED);
  }

  @Test
  void serverErrorsTimeoutsAndResetsAreTransient() {
    assertThat(classify(http(502, "bad gateway", Map.of())).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
    assertThat(classify(new SocketTimeoutException("Read timed out")).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
    assertThat(classify(new ExchangeUnavailableException("EService:Unavailable")).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
    assertThat(classify(new IOException("Unexpected end of file from server")).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
  }

  @Test
  void unreadableAnswersAreBadData() {
    assertThat(classify(new JsonParseException(null, "Unexpected character"))).isInstanceOf(
        BadDataException.class);
    assertThat(classify(http(200, "<html>", Map.of()))).isInstanceOf(BadDataException.class);
    InvalidSnapshotException invalid = new InvalidSnapshotException("v", "BTC/USDT",
        InvalidSnapshotException.Defect.CROSSED_BOOK, "bid 2 >= ask 1");
    assertThat(classify(invalid)).isInstanceOf(BadDataException.class);
    assertThat(classify(new NumberFormatException("x"))).isInstanceOf(BadDataException.class);
  }

  @Test
  void otherClientErrorsArePermanentAndSourceExceptionsPassThrough() {
    assertThat(classify(http(400, "{\"code\":-1121}", Map.of())))
        .isInstanceOf(PermanentSourceException.class);
    BadDataException own = new BadDataException("v", "x", null);
    assertThat(classify(own)).isSameAs(own);
  }

  @Test
  void messagesNameTheRequest() {
    assertThat(classify(http(503, "", Map.of())).getMessage())
        .startsWith("v: book BTC/USDT: HTTP 503");
  }
}
