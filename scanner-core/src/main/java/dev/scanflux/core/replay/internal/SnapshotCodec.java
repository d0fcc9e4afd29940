package dev.scanflux.core.replay.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.replay.RecordingFormatException.Defect;
import dev.scanflux.core.replay.RecordingHeader;
import java.io.IOException;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The recording format, version 1: JSON Lines, one header object then one snapshot object per
 * line, written and read with Jackson's streaming API (no tree per line).
 *
 * <pre>
 * {"format":"scanflux-recording","version":1,"venues":["binance"],"createdAt":"2025-01-31T12:00:00Z"}
 * {"type":"book","venue":"binance","instrument":"BTC/USDT","exchangeTime":1738324800000000000,
 *  "receivedAt":1738324800012000000,"bids":[[100.5,2.0],[100.4,1.5]],"asks":[[100.6,0.7]]}
 * {"type":"book","venue":"okx","instrument":"BTC/USDT:perp",...,"contractSize":0.01,
 *  "bids":[[100.5,200.0]],"asks":[[100.6,70.0]]}
 * {"type":"ticker","venue":"binance","instrument":"ETH/USDT","exchangeTime":...,"receivedAt":...,
 *  "bid":3000.1,"ask":3000.2,"last":3000.15,"baseVolume24h":1234.5,"quoteVolume24h":null,
 *  "change24h":-0.012}
 * </pre>
 *
 * <p>A book quoted in contracts carries its {@code contractSize} (base units per contract) and
 * the venue's raw contract counts as sizes; without the field, sizes are base units.
 *
 * <p>Times are integer nanoseconds since the epoch (a JSON integer beyond 64 bits outside the
 * years 1678 to 2261), so every {@link Instant} round-trips exactly. Doubles are written in their
 * shortest round-tripping form. An unreported 24-hour figure (NaN) is {@code null}. Readers accept
 * fields in any order and ignore unknown fields.
 */
final class SnapshotCodec {

  static final JsonFactory JSON = new JsonFactoryBuilder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .rootValueSeparator((SerializableString) null)
      .build();

  private static final SerializedString TYPE = new SerializedString("type");
  private static final SerializedString VENUE = new SerializedString("venue");
  private static final SerializedString INSTRUMENT = new SerializedString("instrument");
  private static final SerializedString EXCHANGE_TIME = new SerializedString("exchangeTime");
  private static final SerializedString RECEIVED_AT = new SerializedString("receivedAt");
  private static final SerializedString BIDS = new SerializedString("bids");
  private static final SerializedString CONTRACT_SIZE = new SerializedString("contractSize");
  private static final SerializedString ASKS = new SerializedString("asks");
  private static final SerializedString BID = new SerializedString("bid");
  private static final SerializedString ASK = new SerializedString("ask");
  private static final SerializedString LAST = new SerializedString("last");
  private static final SerializedString BASE_VOLUME = new SerializedString("baseVolume24h");
  private static final SerializedString QUOTE_VOLUME = new SerializedString("quoteVolume24h");
  private static final SerializedString CHANGE = new SerializedString("change24h");
  private static final SerializedString BOOK = new SerializedString("book");
  private static final SerializedString TICKER = new SerializedString("ticker");

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  /** Epoch seconds whose nanosecond count fits a long with room for the nano-of-second. */
  private static final long MAX_LONG_SECONDS = Long.MAX_VALUE / NANOS_PER_SECOND - 1;
  private static final BigInteger BIG_NANOS_PER_SECOND = BigInteger.valueOf(NANOS_PER_SECOND);
  private static final int MAX_CACHED_INSTRUMENTS = 1 << 16;
  /** Most levels a side of a book line may hold: bounds the scratch arrays, whatever the line. */
  public static final int MAX_LEVELS = 100_000;

  private final Map<String, Instrument> instruments = new HashMap<>();
  private double[] bids = new double[64];
  private double[] asks = new double[64];
  private int bidCount;
  private int askCount;

  /** A codec with its own reusable parse buffers; not thread-safe. */
  SnapshotCodec() {}

  // ---------------------------------------------------------------------------------- writing

  /** Writes the header object and its line terminator. */
  static void writeHeader(JsonGenerator g, RecordingHeader header) throws IOException {
    g.writeStartObject();
    g.writeStringField("format", RecordingHeader.FORMAT);
    g.writeNumberField("version", header.version());
    g.writeArrayFieldStart("venues");
    for (String v : header.venues()) {
      g.writeString(v);
    }
    g.writeEndArray();
    g.writeStringField("createdAt", header.createdAt().toString());
    g.writeEndObject();
    g.writeRaw('\n');
  }

  /** Writes one snapshot object and its line terminator. */
  static void write(JsonGenerator g, MarketSnapshot s) throws IOException {
    writeObject(g, s);
    g.writeRaw('\n');
  }

  /** Writes one snapshot object, without a line terminator (for a value inside another). */
  static void writeObject(JsonGenerator g, MarketSnapshot s) throws IOException {
    g.writeStartObject();
    g.writeFieldName(TYPE);
    g.writeString(s instanceof BookSnapshot ? BOOK : TICKER);
    g.writeFieldName(VENUE);
    g.writeString(s.venue());
    g.writeFieldName(INSTRUMENT);
    g.writeString(s.instrument().toString());
    g.writeFieldName(EXCHANGE_TIME);
    writeInstant(g, s.exchangeTime());
    g.writeFieldName(RECEIVED_AT);
    writeInstant(g, s.receivedAt());
    if (s instanceof BookSnapshot b) {
      if (b.contractSize() != 1) { // sizes below are then the venue's contract counts
        g.writeFieldName(CONTRACT_SIZE);
        g.writeNumber(b.contractSize());
      }
      g.writeFieldName(BIDS);
      g.writeStartArray();
      for (int i = 0, n = b.bidLevels(); i < n; i++) {
        writeLevel(g, b.bidPrice(i), b.bidContracts(i));
      }
      g.writeEndArray();
      g.writeFieldName(ASKS);
      g.writeStartArray();
      for (int i = 0, n = b.askLevels(); i < n; i++) {
        writeLevel(g, b.askPrice(i), b.askContracts(i));
      }
      g.writeEndArray();
    } else if (s instanceof TickerSnapshot t) {
      g.writeFieldName(BID);
      g.writeNumber(t.bid());
      g.writeFieldName(ASK);
      g.writeNumber(t.ask());
      g.writeFieldName(LAST);
      g.writeNumber(t.last());
      g.writeFieldName(BASE_VOLUME);
      writeOptional(g, t.baseVolume24h());
      g.writeFieldName(QUOTE_VOLUME);
      writeOptional(g, t.quoteVolume24h());
      g.writeFieldName(CHANGE);
      writeOptional(g, t.change24h());
    }
    g.writeEndObject();
  }

  private static void writeLevel(JsonGenerator g, double price, double size) throws IOException {
    g.writeStartArray();
    g.writeNumber(price);
    g.writeNumber(size);
    g.writeEndArray();
  }

  private static void writeOptional(JsonGenerator g, double value) throws IOException {
    if (Double.isNaN(value)) {
      g.writeNull();
    } else {
      g.writeNumber(value);
    }
  }

  static void writeInstant(JsonGenerator g, Instant t) throws IOException {
    long seconds = t.getEpochSecond();
    if (seconds >= -MAX_LONG_SECONDS && seconds <= MAX_LONG_SECONDS) {
      g.writeNumber(seconds * NANOS_PER_SECOND + t.getNano());
    } else {
      g.writeNumber(BigInteger.valueOf(seconds).multiply(BIG_NANOS_PER_SECOND)
          .add(BigInteger.valueOf(t.getNano())));
    }
  }

  // ---------------------------------------------------------------------------------- reading

  /**
   * Decodes a header line.
   *
   * @throws BadLineException with {@link Defect#BAD_HEADER} or {@link Defect#UNSUPPORTED_VERSION}
   */
  static RecordingHeader parseHeader(byte[] line, int off, int len) throws BadLineException {
    String format = null;
    Integer version = null;
    List<String> venues = null;
    String createdAt = null;
    try (JsonParser p = JSON.createParser(line, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw badHeader(line, off, len, "the first line is not a JSON object", null);
      }
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonToken t = p.nextToken();
        switch (name) {
          case "format" -> format = t == JsonToken.VALUE_STRING ? p.getText() : null;
          case "version" -> version = t == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : null;
          case "venues" -> venues = t == JsonToken.START_ARRAY ? strings(p) : null;
          case "createdAt" -> createdAt = t == JsonToken.VALUE_STRING ? p.getText() : null;
          default -> p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw badHeader(line, off, len, "the first line is not valid JSON: " + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw badHeader(line, off, len, "the first line could not be parsed: " + e, e);
    }
    if (!RecordingHeader.FORMAT.equals(format)) {
      throw badHeader(line, off, len, "the first line has no \"format\":\""
          + RecordingHeader.FORMAT + "\"", null);
    }
    if (version == null) {
      throw badHeader(line, off, len, "the header has no integer \"version\"", null);
    }
    if (version != RecordingHeader.CURRENT_VERSION) {
      throw new BadLineException(Defect.UNSUPPORTED_VERSION, "format version " + version
          + " is not supported; this Scanflux reads version " + RecordingHeader.CURRENT_VERSION,
          null);
    }
    if (venues == null) {
      throw badHeader(line, off, len, "the header has no \"venues\" array of strings", null);
    }
    if (createdAt == null) {
      throw badHeader(line, off, len, "the header has no \"createdAt\" string", null);
    }
    try {
      return new RecordingHeader(version, venues, Instant.parse(createdAt));
    } catch (DateTimeException | IllegalArgumentException e) {
      throw badHeader(line, off, len, "the header is invalid: " + e.getMessage(), e);
    }
  }

  private static @Nullable List<String> strings(JsonParser p) throws IOException {
    List<String> out = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
      out.add(p.getText());
    }
    return t == JsonToken.END_ARRAY ? out : null;
  }

  /** True if the bytes start with the gzip magic number. */
  static boolean looksGzip(byte[] line, int off, int len) {
    return len >= 2 && (line[off] & 0xff) == 0x1f && (line[off + 1] & 0xff) == 0x8b;
  }

  private static BadLineException badHeader(byte[] line, int off, int len, String detail,
      @Nullable Throwable cause) {
    String hint = looksGzip(line, off, len) ? " (the file looks gzip-compressed: name it *.gz or read it with gzip(true))"
        : len == 0 ? " (the first line is empty)" : "";
    return new BadLineException(Defect.BAD_HEADER, detail + hint, cause);
  }

  /**
   * Decodes a snapshot line: exactly one JSON object.
   *
   * @throws BadLineException with {@link Defect#MALFORMED_LINE} or {@link Defect#INVALID_SNAPSHOT}
   */
  MarketSnapshot parse(byte[] line, int off, int len) throws BadLineException {
    try (JsonParser p = JSON.createParser(line, off, len)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw malformed(first == null ? "the line is empty" : "not a JSON object", null);
      }
      MarketSnapshot s = parseObject(p);
      if (p.nextToken() != null) {
        throw malformed("unexpected content after the JSON object", null);
      }
      return s;
    } catch (JsonProcessingException e) {
      throw malformed("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw malformed("could not be parsed: " + e, e);
    }
  }

  /**
   * Decodes the object whose {@code START_OBJECT} is the parser's current token, leaving the
   * parser on its {@code END_OBJECT}.
   *
   * @throws BadLineException with {@link Defect#MALFORMED_LINE} or {@link Defect#INVALID_SNAPSHOT}
   * @throws IOException if the JSON is invalid
   */
  MarketSnapshot parseObject(JsonParser p) throws IOException, BadLineException {
    String type = null;
    String venue = null;
    Instrument instrument = null;
    Instant exchangeTime = null;
    Instant receivedAt = null;
    double bid = Double.NaN;
    double ask = Double.NaN;
    double last = Double.NaN;
    double baseVolume = Double.NaN;
    double quoteVolume = Double.NaN;
    double change = Double.NaN;
    double contractSize = 1;
    boolean sawBids = false;
    boolean sawAsks = false;
    bidCount = 0;
    askCount = 0;
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "type" -> type = string(p, t, name);
        case "venue" -> venue = string(p, t, name);
        case "instrument" -> instrument = instrument(string(p, t, name));
        case "exchangeTime" -> exchangeTime = instant(p, t, name);
        case "receivedAt" -> receivedAt = instant(p, t, name);
        case "bids" -> {
          bidCount = levels(p, t, name, true);
          sawBids = true;
        }
        case "asks" -> {
          askCount = levels(p, t, name, false);
          sawAsks = true;
        }
        case "contractSize" -> contractSize = number(p, t, name);
        case "bid" -> bid = number(p, t, name);
        case "ask" -> ask = number(p, t, name);
        case "last" -> last = number(p, t, name);
        case "baseVolume24h" -> baseVolume = optionalNumber(p, t, name);
        case "quoteVolume24h" -> quoteVolume = optionalNumber(p, t, name);
        case "change24h" -> change = optionalNumber(p, t, name);
        default -> p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw malformed("expected a field name but found " + p.currentToken(), null);
    }
    if (type == null) {
      throw missing("type");
    }
    if (venue == null) {
      throw missing("venue");
    }
    if (instrument == null) {
      throw missing("instrument");
    }
    if (receivedAt == null) {
      throw missing("receivedAt");
    }
    if (exchangeTime == null) {
      throw missing("exchangeTime");
    }
    if (exchangeTime.equals(receivedAt)) {
      exchangeTime = receivedAt;
    }
    try {
      switch (type) {
        case "book" -> {
          if (!sawBids) {
            throw missing("bids");
          }
          if (!sawAsks) {
            throw missing("asks");
          }
          return book(venue, instrument, contractSize, exchangeTime, receivedAt);
        }
        case "ticker" -> {
          if (Double.isNaN(bid)) {
            throw missing("bid");
          }
          if (Double.isNaN(ask)) {
            throw missing("ask");
          }
          if (Double.isNaN(last)) {
            throw missing("last");
          }
          return new TickerSnapshot(venue, instrument, bid, ask, last, baseVolume, quoteVolume,
              change, exchangeTime, receivedAt);
        }
        default ->
            throw malformed("unknown \"type\" '" + type + "': expected book or ticker", null);
      }
    } catch (InvalidSnapshotException e) {
      throw new BadLineException(Defect.INVALID_SNAPSHOT, e.getMessage(), e);
    }
  }

  private BookSnapshot book(String venue, Instrument instrument, double contractSize,
      Instant exchangeTime, Instant receivedAt) throws BadLineException {
    BookSnapshot.Builder b = BookSnapshot.builder(venue, instrument)
        .exchangeTime(exchangeTime).receivedAt(receivedAt);
    try {
      b.contractSize(contractSize);
    } catch (IllegalArgumentException e) {
      throw new BadLineException(Defect.INVALID_SNAPSHOT, e.getMessage(), e);
    }
    double[] bs = bids;
    for (int i = 0; i < bidCount; i += 2) {
      b.bid(bs[i], bs[i + 1]);
    }
    double[] as = asks;
    for (int i = 0; i < askCount; i += 2) {
      b.ask(as[i], as[i + 1]);
    }
    return b.build();
  }

  /** Reads one side's levels into {@link #bids} or {@link #asks}; returns the count of doubles. */
  private int levels(JsonParser p, JsonToken t, String name, boolean bidSide)
      throws IOException, BadLineException {
    if (t != JsonToken.START_ARRAY) {
      throw malformed("\"" + name + "\" must be an array of [price, size] pairs", null);
    }
    double[] out = bidSide ? bids : asks;
    int n = 0;
    JsonToken level;
    while ((level = p.nextToken()) == JsonToken.START_ARRAY) {
      if (n >= 2 * MAX_LEVELS) {
        throw malformed("\"" + name + "\" has more than " + MAX_LEVELS + " levels", null);
      }
      if (n + 2 > out.length) {
        out = Arrays.copyOf(out, out.length * 2);
        if (bidSide) {
          bids = out;
        } else {
          asks = out;
        }
      }
      out[n] = levelNumber(p, name);
      out[n + 1] = levelNumber(p, name);
      if (p.nextToken() != JsonToken.END_ARRAY) {
        throw malformed("\"" + name + "\" level " + (n >> 1) + " must be a [price, size] pair",
            null);
      }
      n += 2;
    }
    if (level != JsonToken.END_ARRAY) {
      throw malformed("\"" + name + "\" must be an array of [price, size] pairs", null);
    }
    return n;
  }

  private static double levelNumber(JsonParser p, String name)
      throws IOException, BadLineException {
    JsonToken t = p.nextToken();
    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
      throw malformed("\"" + name + "\" levels must be [price, size] pairs of numbers", null);
    }
    return p.getDoubleValue();
  }

  private static String string(JsonParser p, JsonToken t, String name) throws IOException,
      BadLineException {
    if (t != JsonToken.VALUE_STRING) {
      throw malformed("\"" + name + "\" must be a string", null);
    }
    return p.getText();
  }

  private static double number(JsonParser p, JsonToken t, String name) throws IOException,
      BadLineException {
    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
      throw malformed("\"" + name + "\" must be a number", null);
    }
    return p.getDoubleValue();
  }

  private static double optionalNumber(JsonParser p, JsonToken t, String name) throws IOException,
      BadLineException {
    return t == JsonToken.VALUE_NULL ? Double.NaN : number(p, t, name);
  }

  static Instant instant(JsonParser p, JsonToken t, String name) throws IOException,
      BadLineException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw malformed("\"" + name + "\" must be an integer count of nanoseconds since the epoch",
          null);
    }
    try {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        BigInteger[] qr = p.getBigIntegerValue().divideAndRemainder(BIG_NANOS_PER_SECOND);
        long seconds = qr[0].longValueExact();
        long nanos = qr[1].longValue();
        return Instant.ofEpochSecond(seconds, nanos);
      }
      long nanos = p.getLongValue();
      return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND),
          Math.floorMod(nanos, NANOS_PER_SECOND));
    } catch (ArithmeticException | DateTimeException e) {
      throw malformed("\"" + name + "\" is outside the range of an Instant", e);
    }
  }

  private Instrument instrument(String symbol) throws BadLineException {
    Instrument cached = instruments.get(symbol);
    if (cached != null) {
      return cached;
    }
    Instrument parsed;
    try {
      parsed = Instrument.parse(symbol);
    } catch (IllegalArgumentException e) {
      throw malformed("\"instrument\": " + e.getMessage(), e);
    }
    if (instruments.size() < MAX_CACHED_INSTRUMENTS) {
      instruments.put(symbol, parsed);
    }
    return parsed;
  }

  private static BadLineException missing(String field) {
    return malformed("required field \"" + field + "\" is missing", null);
  }

  private static BadLineException malformed(String detail, @Nullable Throwable cause) {
    return new BadLineException(Defect.MALFORMED_LINE, detail, cause);
  }
}
