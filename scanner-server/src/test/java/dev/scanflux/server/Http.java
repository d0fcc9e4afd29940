package dev.scanflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** A Reactor Netty client for the tests, blocking for brevity (tests only). */
final class Http implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final ConnectionProvider pool = ConnectionProvider.create("test-client", 8);
  final HttpClient client;

  Http(String baseUrl) {
    client = HttpClient.create(pool).baseUrl(baseUrl).responseTimeout(WAIT);
  }

  Http(String baseUrl, Consumer<HttpHeaders> headers) {
    client = HttpClient.create(pool).baseUrl(baseUrl).responseTimeout(WAIT).headers(headers);
  }

  /** One answer: status, headers, body. */
  record Answer(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  Answer get(String path) {
    return client.get().uri(path).responseSingle((res, body) -> body.asString()
            .defaultIfEmpty("").map(b -> new Answer(res.status().code(), res.responseHeaders(), b)))
        .block(WAIT);
  }

  Answer post(String path, String body) {
    return client.headers(h -> h.set("Content-Type", "application/json"))
        .post().uri(path)
        .send(ByteBufFlux.fromString(Mono.just(body), StandardCharsets.UTF_8,
            io.netty.buffer.ByteBufAllocator.DEFAULT))
        .responseSingle((res, b) -> b.asString().defaultIfEmpty("")
            .map(s -> new Answer(res.status().code(), res.responseHeaders(), s)))
        .block(WAIT);
  }

  @Override
  public void close() {
    pool.disposeLater().block(WAIT);
  }
}
