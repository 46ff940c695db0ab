/** Sending email through the SES v2 API; SES failures become transient or permanent send errors. */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { lazily, type Lazy } from './lazy.js';
import {
  PermanentSendError,
  TransientSendError,
  UncertainSendError,
  type Mailer,
  type OutgoingEmail,
} from '../ports/mailer.js';

const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
]);

const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
]);

/** Network failures that happen before a request is written: nothing reached SES. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

type SdkError = Error & {
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
};

/**
 * Sorts an SES failure by what it says about the email: rejected for good, certainly not sent
 * (safe to try again), or possibly sent. Only an answer from SES itself with a 4xx status, or a
 * connection that never opened, proves the email did not go; everything else is uncertain.
 */
export function classifySendError(error: unknown): Error {
  const { name, message, code, $metadata } = error as SdkError;
  const status = $metadata?.httpStatusCode;
  if (PERMANENT.has(name)) return new PermanentSendError(name, message);
  if (THROTTLING.has(name) || status === 429)
    return new TransientSendError(`${name}: ${message}`, true);
  if (status !== undefined && status >= 400 && status < 500) {
    return new TransientSendError(`${name}: ${message}`);
  }
  if (code && NOT_CONNECTED.has(code)) return new TransientSendError(`${code}: ${message}`);
  return new UncertainSendError(name || 'Error', message);
}

export class SesMailer implements Mailer {
  private readonly ses: () => Promise<SESv2Client>;

  constructor(
    ses: Lazy<SESv2Client>,
    private readonly configurationSetName?: string,
  ) {
    this.ses = lazily(ses);
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    // Outside the try: a module or client that cannot load sent nothing, and is no SES answer.
    const [{ SendEmailCommand }, ses] = await Promise.all([
      import('@aws-sdk/client-sesv2'),
      this.ses(),
    ]);
    try {
      const result = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: Array.isArray(email.to) ? email.to : [email.to] },
          ConfigurationSetName: this.configurationSetName,
          EmailTags: Object.entries(email.tags ?? {}).map(([Name, Value]) => ({ Name, Value })),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                ...(email.html === undefined
                  ? {}
                  : { Html: { Data: email.html, Charset: 'UTF-8' } }),
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Headers: email.headers?.map(({ name, value }) => ({ Name: name, Value: value })),
            },
          },
        }),
      );
      if (!result.MessageId) {
        // SES answered 200: the email is on its way, we just cannot tell which one it is.
        throw new UncertainSendError('NoMessageId', 'SES accepted the email without a MessageId');
      }
      return { messageId: result.MessageId };
    } catch (error) {
      if (error instanceof UncertainSendError) throw error;
      throw classifySendError(error);
    }
  }

  async maxSendRate(): Promise<number> {
    const [{ GetAccountCommand }, ses] = await Promise.all([
      import('@aws-sdk/client-sesv2'),
      this.ses(),
    ]);
    const account = await ses.send(new GetAccountCommand({}));
    const rate = account.SendQuota?.MaxSendRate;
    if (!rate || rate <= 0) throw new Error('SES GetAccount returned no MaxSendRate');
    return rate;
  }
}
