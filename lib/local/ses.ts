/** Starts the SES emulator `aws-ses-v2-local` in-process: the SES v2 API, a mailbox viewer and GET /store. */
import type { Server } from 'node:http';
import { assertPortFree } from './ports.js';

export interface RunningSes {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSesEmulator(options: {
  port: number;
  host?: string;
  /** The send rate its GetAccount reports (emails per second). */
  maxSendRate?: number;
}): Promise<RunningSes> {
  const host = options.host ?? '127.0.0.1';
  await assertPortFree(options.port, 'the SES emulator', 'AFTERWORD_SES_PORT');
  // What the emulator's GetAccount answers: a production account's default send quota.
  process.env.AWS_SES_ACCOUNT ??= JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'TRANSACTIONAL',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'Afterword local stack',
      WebsiteURL: 'http://127.0.0.1',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: {
      Max24HourSend: 50_000,
      MaxSendRate: options.maxSendRate ?? 14,
      SentLast24Hours: 0,
    },
    SuppressionAttributes: { SuppressedReasons: [] },
  });
  const module = (await import('aws-ses-v2-local')) as unknown as {
    default: ((config: { port: number; host: string }) => Promise<Server>) & {
      default?: (config: { port: number; host: string }) => Promise<Server>;
    };
  };
  const start = module.default.default ?? module.default;
  const server = await start({ port: options.port, host });
  return {
    endpoint: `http://${host}:${options.port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** One email as the emulator's GET /store lists it. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

export async function fetchStoredEmails(sesEndpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(`${sesEndpoint}/store`);
  if (!response.ok) throw new Error(`SES emulator /store answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails;
}
