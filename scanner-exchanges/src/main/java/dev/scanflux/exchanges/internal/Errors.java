package dev.scanflux.exchanges.internal;

import com.fasterxml.jackson.core.JacksonException;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import io.netty.channel.ChannelException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.http.HttpTimeoutException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.knowm.xchange.exceptions.ExchangeUnavailableException;
import org.knowm.xchange.exceptions.FrequencyLimitExceededException;
import org.knowm.xchange.exceptions.InternalServerException;
import org.knowm.xchange.exceptions.OperationTimeoutException;
import org.knowm.xchange.exceptions.RateLimitExceededException;
import org.knowm.xchange.exceptions.SystemOverloadException;
import reactor.netty.channel.AbortedException;
import si.mazi.rescu.HttpResponseAware;
import si.mazi.rescu.HttpStatusException;
import si.mazi.rescu.HttpStatusIOException;

/**
 * Classifies any failure of a venue call into the core's four classes.
 *
 * <ul>
 *   <li>Throttled: HTTP 429 and 418; a 403 with {@code Retry-After}; XChange's rate-limit
 *       exceptions; a venue's throttle message in the body (Kraken {@code EAPI:Rate limit
 *       exceeded}, OKX code 50011, KuCoin code 429000). {@code Retry-After} is read wherever the
 *       client kept the response headers.
 *   <li>Bad data: malformed or truncated JSON (a 2xx the client could not read), invalid
 *       snapshots, values the adapters cannot read.
 *   <li>Transient: HTTP 5xx and 408, timeouts, resets, other I/O errors, Netty's channel
 *       failures (a read timeout among them), XChange's unavailable/overload exceptions.
 *   <li>Permanent: other 4xx, anything else.
 * </ul>
 */
public final class Errors {

  private static final Pattern THROTTLE_TEXT = Pattern.compile(
      "EAPI:Rate limit exceeded|EGeneral:Too many requests"
          // OKX 50011 and KuCoin 429000, as codes only: a price may well read 50011.
          + "|(?:\"code\"\\s*:\\s*\"?|\\bcode[ =:]\\s*)(?:50011|429000)\\b"
          + "|too many requests|rate limit exceeded|too many visits",
      Pattern.CASE_INSENSITIVE);
  private static final int MAX_CAUSES = 12;

  private Errors() {}

  /**
   * The class of {@code error}.
   *
   * @param venue the venue, for the exception
   * @param what  the request, e.g. {@code book BTC/USDT}
   * @param error the failure
   * @param now   the current time, to resolve {@code Retry-After} dates
   */
  public static SourceException classify(String venue, String what, Throwable error,
      Instant now) {
    if (error instanceof SourceException s) {
      return s;
    }
    int status = 0;
    @Nullable Map<String, List<String>> headers = null;
    StringBuilder text = new StringBuilder();
    boolean rateLimitType = false;
    int depth = 0;
    for (Throwable c = error; c != null && depth < MAX_CAUSES; c = c.getCause(), depth++) {
      if (c instanceof HttpStatusException h && status == 0 && h.getHttpStatusCode() > 0) {
        status = h.getHttpStatusCode();
      }
      if (c instanceof HttpResponseAware a && headers == null) {
        headers = a.getResponseHeaders();
      }
      if (c instanceof HttpStatusIOException io && io.getHttpBody() != null) {
        text.append(' ').append(io.getHttpBody());
      }
      if (c instanceof RateLimitExceededException || c instanceof FrequencyLimitExceededException) {
        rateLimitType = true;
      }
      if (c.getMessage() != null) {
        text.append(' ').append(c.getMessage());
      }
    }
    String message = what + ": " + summary(error, status);
    @Nullable Duration retryAfter = RetryAfter.from(headers, now);
    if (status == 429 || status == 418 || (status == 403 && retryAfter != null)
        || rateLimitType || THROTTLE_TEXT.matcher(text).find()) {
      return new ThrottledException(venue, message, retryAfter);
    }
    if (has(error, InvalidSnapshotException.class) || has(error, JacksonException.class)
        || (status >= 200 && status < 300)) {
      // A 2xx that failed is an answer the client could not read: rescu reports malformed or
      // truncated JSON as an HttpStatusIOException with the 2xx status and the parser's message.
      return new BadDataException(venue, message, error);
    }
    if (status >= 500 || status == 408) {
      return new TransientSourceException(venue, message, error);
    }
    if (has(error, InterruptedIOException.class) || has(error, SocketException.class)
        || has(error, EOFException.class) || has(error, HttpTimeoutException.class)
        || has(error, TimeoutException.class) || has(error, ExchangeUnavailableException.class)
        || has(error, InternalServerException.class) || has(error, SystemOverloadException.class)
        || has(error, OperationTimeoutException.class)
        // Reactor Netty's transport: read timeouts, failed channels, a write on a closed one.
        || has(error, ChannelException.class) || has(error, AbortedException.class)) {
      return new TransientSourceException(venue, message, error);
    }
    if (status >= 400) {
      return new PermanentSourceException(venue, message, error);
    }
    if (has(error, NumberFormatException.class) || has(error, NullPointerException.class)
        || has(error, ArithmeticException.class) || has(error, DateTimeException.class)
        || has(error, ClassCastException.class) || has(error, IndexOutOfBoundsException.class)) {
      return new BadDataException(venue, message, error);
    }
    if (has(error, IOException.class)) {
      return new TransientSourceException(venue, message, error);
    }
    return new PermanentSourceException(venue, message, error);
  }

  private static String summary(Throwable error, int status) {
    String m = error.getMessage();
    String s = error.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    if (s.length() > 300) {
      s = s.substring(0, 300) + "...";
    }
    return status > 0 ? "HTTP " + status + " " + s : s;
  }

  private static boolean has(Throwable error, Class<? extends Throwable> type) {
    int depth = 0;
    for (Throwable c = error; c != null && depth < MAX_CAUSES; c = c.getCause(), depth++) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
