package dev.scanflux.exchanges.venue.okx.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.exchanges.internal.NativeHttp;
import reactor.core.publisher.Mono;

/**
 * OKX's REST envelope, {@code {"code":"0","msg":"","data":[…]}}, shared by the spot and swap
 * sources: code 0 is the data (an array, else bad data), code 50011 (in a 200 answer; with HTTP 429
 * the client already throttled it and read {@code Retry-After}) is throttling, a missing code is
 * bad data, any other code a permanent failure.
 */
final class OkxEnvelope {

  private OkxEnvelope() {}

  /** GET, then check the envelope and return its {@code data}. */
  static Mono<JsonNode> data(NativeHttp http, String venue, String what, String pathAndQuery) {
    return http.get(what, pathAndQuery).map(json -> {
      String code = json.path("code").asText("");
      if ("0".equals(code)) {
        if (!json.path("data").isArray()) {
          throw http.badData(what, "no data array in the answer");
        }
        return json.path("data");
      }
      String msg = json.path("msg").asText("");
      if ("50011".equals(code)) {
        throw new ThrottledException(venue, what + ": code 50011 " + msg, null);
      }
      if (code.isEmpty()) {
        throw http.badData(what, "no code in the answer");
      }
      throw new PermanentSourceException(venue, what + ": code " + code + " " + msg, null);
    });
  }
}
