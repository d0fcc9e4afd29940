package dev.scanflux.server.internal;

/**
 * A request the server refuses, with the status, a short stable reason (the metrics tag) and a
 * message for people that names the problem. Carries no stack trace: it is an answer, not a
 * failure.
 */
public final class BadRequest extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String reason;

  /**
   * @param status  the HTTP status
   * @param reason  a short stable reason, e.g. {@code unknown_exchange}
   * @param message what was wrong, for people
   */
  public BadRequest(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  /** A 400 Bad Request. */
  public static BadRequest of(String reason, String message) {
    return new BadRequest(400, reason, message);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The short stable reason. */
  public String reason() {
    return reason;
  }
}
