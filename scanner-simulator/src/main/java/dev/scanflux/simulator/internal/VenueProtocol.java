package dev.scanflux.simulator.internal;

import com.sun.net.httpserver.Headers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** One venue's wire format: its routes, weights, limits and error bodies. */
public interface VenueProtocol {

  /** The venue's rate-limit buckets. */
  List<Limit> limits();

  /**
   * Routes a request: which bucket and weight it uses and how it is answered.
   *
   * @param request the request
   * @return the call; unknown paths get a call answering 404
   */
  Call route(Request request);

  /**
   * The venue's answer when a request exceeds its limit.
   *
   * @param retryAfter the wait the server will announce in {@code Retry-After}
   */
  Reply throttled(Duration retryAfter);

  /** The venue's answer to an internal error. */
  default Reply serverError() {
    return new Reply(503, "{\"error\":\"service unavailable\"}");
  }

  /** Headers the venue adds to every answer, e.g. Binance's used weight. */
  default void addHeaders(Headers headers, SlidingWindowLimiter limiter, long nowMs) {}

  /**
   * A rate-limit bucket.
   *
   * @param bucket its name
   * @param budget weight per window
   * @param window the sliding window
   */
  record Limit(String bucket, int budget, Duration window) {}

  /**
   * An HTTP request as the protocol sees it.
   *
   * @param method GET or POST
   * @param path   the path, e.g. {@code /api/v3/depth}
   * @param query  decoded query parameters
   * @param body   the request body, empty for GET
   */
  record Request(String method, String path, Map<String, String> query, String body) {
    /** A query parameter or null. */
    public @Nullable String param(String name) {
      return query.get(name);
    }
  }

  /**
   * A routed call.
   *
   * @param bucket the rate-limit bucket it counts against
   * @param weight its weight
   * @param symbol the venue symbol it is about, or null
   * @param answer the answer, given whether the book must be crossed (a fault)
   */
  record Call(String bucket, int weight, @Nullable String symbol,
      Function<Boolean, Reply> answer) {

    /** A call answering 404, which counts one unit against {@code bucket}. */
    public static Call notFound(String bucket, String path) {
      return new Call(bucket, 1, null,
          crossed -> new Reply(404, "{\"error\":\"no route for " + path + "\"}"));
    }
  }

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param body   the JSON body
   */
  record Reply(int status, String body) {}
}
