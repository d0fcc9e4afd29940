package dev.scanflux.exchanges.venue.kucoin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.exchanges.internal.NativeHttp;
import reactor.core.publisher.Mono;

/**
 * KuCoin's answer envelope, the same on spot and futures: {@code {"code":"200000","data":...}};
 * code {@code 429000} is throttling, any other code a permanent error, no code bad data.
 */
final class KucoinEnvelope {

  private static final String OK = "200000";
  private static final String THROTTLED = "429000";

  private KucoinEnvelope() {}

  /** GET {@code pathAndQuery}, then check the envelope and return its {@code data}. */
  static Mono<JsonNode> get(NativeHttp http, String venue, String what, String pathAndQuery) {
    return data(http, venue, what, http.get(what, pathAndQuery));
  }

  /** POST an empty JSON body to {@code path}, then check the envelope and return its data. */
  static Mono<JsonNode> post(NativeHttp http, String venue, String what, String path) {
    return data(http, venue, what, http.post(what, path, "{}"));
  }

  private static Mono<JsonNode> data(NativeHttp http, String venue, String what,
      Mono<JsonNode> answer) {
    return answer.map(json -> {
      String code = json.path("code").asText("");
      if (OK.equals(code)) {
        return json.path("data");
      }
      String msg = json.path("msg").asText("");
      if (THROTTLED.equals(code)) {
        throw new ThrottledException(venue, what + ": code " + code + " " + msg, null);
      }
      if (code.isEmpty()) {
        throw http.badData(what, "no code in the answer");
      }
      throw new PermanentSourceException(venue, what + ": code " + code + " " + msg, null);
    });
  }
}
