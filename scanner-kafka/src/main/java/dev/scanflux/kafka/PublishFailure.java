package dev.scanflux.kafka;

import java.util.Objects;

/**
 * One record the broker did not take, as {@link KafkaPublisher#failures()} reports it.
 *
 * @param topic  the topic it was for
 * @param key    its key: {@code venue|instrument|kind} for a snapshot, the node for a scan
 * @param error  what went wrong: {@code ExceptionClass: message}
 * @param outcome what became of it
 */
public record PublishFailure(String topic, String key, String error, Outcome outcome) {

  /** What became of a record that failed. */
  public enum Outcome {
    /** It was put back in the buffer and will be sent again. */
    RETRIED,
    /** A newer snapshot of the same key is buffered or in flight, so this one is not needed. */
    SUPERSEDED,
    /** It is lost, and counted in {@link PublishReport#dropped()} or {@link PublishReport#scansLost()}. */
    LOST
  }

  /** Validates. */
  public PublishFailure {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(outcome, "outcome");
  }
}
