package dev.scanflux.core.strategy;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What a strategy found: what ({@link #kind()}, {@link #description()}, {@link #strength()}),
 * where ({@link #venues()}, {@link #instruments()}), when ({@link #at()}), and the snapshots that
 * justified it ({@link #evidence()}).
 *
 * <pre>{@code
 * Signal s = Signal.builder("cross-venue-spread", scan.completedAt())
 *     .description("buy BTC/USDT on okx at 100.0, sell on binance at 100.6")
 *     .venues("okx", "binance")
 *     .instruments(btc)
 *     .strength(0.004)
 *     .evidence(okxBook, binanceBook)
 *     .build();
 * }</pre>
 *
 * <p>A signal that an alert may be raised on also names the condition it is about, its
 * {@link #subject()} (e.g. {@code "binance bid 64,120.5"} for one wall of one book, or
 * {@code "up"} for a move seen on several venues): {@code dev.scanflux.core.alert.AlertKey}
 * takes kind, instruments and subject as the identity of the condition, so the same condition
 * seen on many scans is one alert. Without a subject, the venues name it.
 *
 * <p>Immutable; equal when every component is equal, so tests can compare signals whole.
 *
 * @param kind        what kind of signal, a short stable name such as {@code cross-venue-spread}
 * @param description a human-readable explanation, possibly empty
 * @param venues      the venues it concerns, in the strategy's order (e.g. buy venue first)
 * @param instruments the instruments it concerns
 * @param at          when it holds: usually the completion time of the scan it came from, on the
 *                    scanner's (or the recording's) clock
 * @param strength    a strategy-defined finite magnitude, e.g. an edge as a fraction; 0 if none
 * @param evidence    the snapshots that justified it
 * @param subject     the condition, with kind and instruments its identity: a short stable name
 *                    such as {@code "binance bid 64,120.5"} or {@code "up"}; empty to let the
 *                    venues name it
 */
public record Signal(String kind, String description, List<String> venues,
    List<Instrument> instruments, Instant at, double strength, List<MarketSnapshot> evidence,
    String subject) {

  /**
   * A signal with no subject, as before subjects existed.
   *
   * @throws IllegalArgumentException as the canonical constructor does
   */
  public Signal(String kind, String description, List<String> venues,
      List<Instrument> instruments, Instant at, double strength, List<MarketSnapshot> evidence) {
    this(kind, description, venues, instruments, at, strength, evidence, "");
  }

  /**
   * Validates and freezes the signal.
   *
   * @throws IllegalArgumentException if the kind or a venue is blank, or the strength is not
   *     finite
   */
  public Signal {
    Objects.requireNonNull(kind, "kind");
    if (kind.isBlank()) {
      throw new IllegalArgumentException("kind must not be blank");
    }
    Objects.requireNonNull(description, "description");
    venues = List.copyOf(Objects.requireNonNull(venues, "venues"));
    for (String v : venues) {
      if (v.isBlank()) {
        throw new IllegalArgumentException("venues must not be blank but were " + venues);
      }
    }
    instruments = List.copyOf(Objects.requireNonNull(instruments, "instruments"));
    Objects.requireNonNull(at, "at");
    if (!Double.isFinite(strength)) {
      throw new IllegalArgumentException("strength must be finite but was " + strength);
    }
    evidence = List.copyOf(Objects.requireNonNull(evidence, "evidence"));
    Objects.requireNonNull(subject, "subject");
  }

  /**
   * A builder for a signal.
   *
   * @param kind what kind of signal
   * @param at   when it holds
   * @return a new builder; not thread-safe
   */
  public static Builder builder(String kind, Instant at) {
    return new Builder(kind, at);
  }

  /** A one-line summary: kind, subject, instruments, venues, time, strength, description. */
  @Override
  public String toString() {
    return "Signal{" + kind + (subject.isEmpty() ? "" : " " + subject) + ' ' + instruments
        + " on " + venues + " at " + at + " strength "
        + strength + (description.isEmpty() ? "" : ": " + description) + ", " + evidence.size()
        + " snapshots of evidence}";
  }

  /** Collects a {@link Signal}'s parts; the list setters append. Not thread-safe. */
  public static final class Builder {
    private final String kind;
    private final Instant at;
    private String description = "";
    private final List<String> venues = new ArrayList<>();
    private final List<Instrument> instruments = new ArrayList<>();
    private double strength;
    private final List<MarketSnapshot> evidence = new ArrayList<>();
    private String subject = "";

    private Builder(String kind, Instant at) {
      this.kind = Objects.requireNonNull(kind, "kind");
      this.at = Objects.requireNonNull(at, "at");
    }

    /** A human-readable explanation (default empty). */
    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /**
     * The condition the signal is about (default empty: its venues name it). With kind and
     * instruments it is the signal's alert key, so keep it stable while the condition lasts.
     */
    public Builder subject(String subject) {
      this.subject = Objects.requireNonNull(subject, "subject");
      return this;
    }

    /** Appends venues the signal concerns. */
    public Builder venues(String... venues) {
      for (String v : venues) {
        this.venues.add(Objects.requireNonNull(v, "venue"));
      }
      return this;
    }

    /** Appends instruments the signal concerns. */
    public Builder instruments(Instrument... instruments) {
      for (Instrument i : instruments) {
        this.instruments.add(Objects.requireNonNull(i, "instrument"));
      }
      return this;
    }

    /** A strategy-defined finite magnitude (default 0). */
    public Builder strength(double strength) {
      this.strength = strength;
      return this;
    }

    /** Appends snapshots that justified the signal. */
    public Builder evidence(MarketSnapshot... evidence) {
      for (MarketSnapshot s : evidence) {
        this.evidence.add(Objects.requireNonNull(s, "evidence"));
      }
      return this;
    }

    /** Appends snapshots that justified the signal. */
    public Builder evidence(Collection<? extends MarketSnapshot> evidence) {
      for (MarketSnapshot s : evidence) {
        this.evidence.add(Objects.requireNonNull(s, "evidence"));
      }
      return this;
    }

    /**
     * Validates and builds the signal.
     *
     * @throws IllegalArgumentException as {@link Signal#Signal} does
     */
    public Signal build() {
      return new Signal(kind, description, venues, instruments, at, strength, evidence, subject);
    }
  }
}
