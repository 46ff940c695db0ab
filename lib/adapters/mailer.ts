/** Sending email through the SES v2 API; SES failures become transient or permanent send errors. */
import { GetAccountCommand, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
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

/** Worth trying again later: throttling, a service hiccup, the network. */
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

const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
]);

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

const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
]);

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSetName?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const result = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: [email.to] },
          ConfigurationSetName: this.configurationSetName,
          EmailTags: Object.entries(email.tags ?? {}).map(([Name, Value]) => ({ Name, Value })),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Headers: email.headers?.map(({ name, value }) => ({ Name: name, Value: value })),
            },
          },
        }),
      );
      if (!result.MessageId)
        throw new TransientSendError('SES accepted the email without a MessageId');
      return { messageId: result.MessageId };
    } catch (error) {
      const name = (error as Error).name;
      if (PERMANENT.has(name)) throw new PermanentSendError(name, (error as Error).message);
      if (error instanceof TransientSendError) throw error;
      throw new TransientSendError(`${name}: ${(error as Error).message}`, THROTTLING.has(name));
    }
  }

  async maxSendRate(): Promise<number> {
    const account = await this.ses.send(new GetAccountCommand({}));
    const rate = account.SendQuota?.MaxSendRate;
    if (!rate || rate <= 0) throw new Error('SES GetAccount returned no MaxSendRate');
    return rate;
  }
}
