/**
 * The mailer as the use cases see it (a port): what an email is, how to send one, and the three
 * ways a send can fail, which decide whether it may be tried again. SES is one adapter of it.
 */
export interface OutgoingEmail {
  from: string;
  /** One address, or several that get the one email together. */
  to: string | string[];
  subject: string;
  /** Left out for plain-text email (staff notifications: nothing to track, nothing to render). */
  html?: string;
  text: string;
  headers?: { name: string; value: string }[];
  /** SES message tags; they come back in SES's delivery, bounce and complaint events. */
  tags?: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  /** The account's maximum send rate (emails per second). */
  maxSendRate(): Promise<number>;
}

/**
 * SES refused the email before accepting it (throttling, a client-side error, no connection): it
 * was not sent, so trying again later cannot send it twice.
 */
export class TransientSendError extends Error {
  override name = 'TransientSendError';
  constructor(
    message: string,
    /** SES said we are sending too fast: slow down, not just retry. */
    readonly throttled = false,
  ) {
    super(message);
  }
}

/**
 * The request may have reached SES and the email may have gone (a timeout, a dropped connection,
 * a server error after the request left): trying again could send it twice, so it is not retried.
 */
export class UncertainSendError extends Error {
  override name = 'UncertainSendError';
  /** The SDK error's name, safe to store and log. */
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Trying again will not help: the message or address was rejected. */
export class PermanentSendError extends Error {
  override name = 'PermanentSendError';
  /** SES's error name, safe to store and log (its message may quote the address). */
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
