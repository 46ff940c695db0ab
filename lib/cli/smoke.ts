/**
 * `afterword smoke [--stack NAME]`: proves a stack works end to end with one survey, as a customer
 * would meet it. The interaction is put on the bus; intake decides it; the dispatcher sends it
 * (on AWS through SES to its mailbox simulator); the survey page is fetched and answered through
 * the public URL (CloudFront and the API on AWS); the answer is read back from the table; on AWS
 * SES's delivery event, through the feedback function, is awaited too. The survey's customer is
 * in the smoke segment, which no rollup counts (lib/domain/smoke.ts).
 */
import type { AfterwordConfig } from '../config/schema.js';
import type { Invitation } from '../contracts/invitation.js';
import { INTERACTION_COMPLETED } from '../contracts/interaction.js';
import type { Runtime } from '../runtime.js';
import { CLI_SOURCE } from '../contracts/erasure.js';
import { invitationIdFor } from '../domain/ids.js';
import { SCALES } from '../domain/metric.js';
import { planSmoke, SmokePlanError, type SmokePlan } from '../domain/smoke.js';
import type { LinkClaims } from '../domain/links.js';

export { SmokePlanError };

export interface SmokeTarget {
  config: AfterwordConfig;
  /** Puts the interaction on the stack's bus, as a producer would. */
  put(detail: SmokePlan['detail']): Promise<unknown>;
  invitation(invitationId: string): Promise<Invitation | undefined>;
  /** A survey-link token, signed with the stack's link-signing key. */
  sign(claims: LinkClaims): Promise<string>;
  /** Where survey links point (the front door on AWS). */
  surveyUrl: string;
  /** Whether SES reports delivery (on AWS; the local emulator does not). */
  awaitDelivery: boolean;
}

export interface SmokeStep {
  step: 'decided' | 'sent' | 'page' | 'answered' | 'recorded' | 'delivered';
  /** Since the event was put. */
  afterMs: number;
  detail: string;
}

export interface SmokeReport {
  touchpoint: string;
  invitationId: string;
  steps: SmokeStep[];
}

/** A step that did not happen in time, or went wrong: named, with what was seen. */
export class SmokeFailedError extends Error {
  override name = 'SmokeFailedError';
  constructor(
    readonly step: SmokeStep['step'],
    message: string,
    readonly report: SmokeReport,
  ) {
    super(`smoke test failed at "${step}": ${message}`);
  }
}

export async function runSmoke(
  target: SmokeTarget,
  options: {
    touchpoint?: string;
    /** How long each step may take. */
    stepWaitMs: number;
    /** Each step as it happens, with the smoke survey's invitation id. */
    onStep?: (step: SmokeStep, invitationId: string) => void;
    pollMs?: number;
  },
): Promise<SmokeReport> {
  const { config } = target;
  const program = options.touchpoint
    ? config.programs.find((p) => p.touchpoint === options.touchpoint)
    : config.programs.find((p) => p.kind === 'event' && p.sampling > 0);
  if (!program) {
    throw new SmokePlanError(
      options.touchpoint
        ? `no program for touchpoint "${options.touchpoint}" (programs: ${config.programs.map((p) => p.touchpoint).join(', ')})`
        : 'the config has no event-based program to send a smoke survey for',
    );
  }
  const plan = planSmoke(program, new Date(), {
    preferredTimeZone: config.defaultCustomerTimeZone ?? config.timeZone,
  });
  // The top of the program's scale: a promoter's (a satisfied) answer opens no follow-up case.
  const score = SCALES[program.metric].max;
  const invitationId = invitationIdFor(CLI_SOURCE, plan.detail.interactionId);
  const report: SmokeReport = { touchpoint: program.touchpoint, invitationId, steps: [] };
  const started = Date.now();
  const record = (step: SmokeStep['step'], detail: string) => {
    const entry = { step, afterMs: Date.now() - started, detail };
    report.steps.push(entry);
    options.onStep?.(entry, invitationId);
  };
  const pollMs = options.pollMs ?? 1000;
  /** Polls until `check` returns a value, for one step's wait at most. */
  const until = async <T>(
    step: SmokeStep['step'],
    check: () => Promise<T | undefined>,
    waiting: string,
  ): Promise<T> => {
    const deadline = Date.now() + options.stepWaitMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() >= deadline) {
        throw new SmokeFailedError(
          step,
          `${waiting} within ${options.stepWaitMs / 1000} s`,
          report,
        );
      }
      await new Promise((done) => setTimeout(done, pollMs));
    }
  };

  await target.put(plan.detail);
  const decided = await until(
    'decided',
    () => target.invitation(invitationId),
    'intake recorded no decision (see afterword dead-letters)',
  );
  if (decided.status === 'skipped') {
    throw new SmokeFailedError('decided', `intake skipped it: ${decided.reason}`, report);
  }
  record('decided', `${decided.status}, to be sent at ${decided.sendAt ?? decided.decidedAt}`);

  const sent = await until(
    'sent',
    async () => {
      const now = await target.invitation(invitationId);
      if (now && ['failed', 'unknown', 'cancelled'].includes(now.status)) {
        throw new SmokeFailedError('sent', `the dispatcher marked it ${now.status}`, report);
      }
      return now?.sentAt ? now : undefined;
    },
    'the dispatcher did not send it (is its schedule running? see afterword dead-letters)',
  );
  record('sent', `at ${sent.sentAt}${sent.messageId ? `, SES message ${sent.messageId}` : ''}`);

  const token = await target.sign({
    invitationId,
    expiresAt: new Date(Date.now() + 60 * 60 * 1000),
  });
  const link = new URL(`/s/${token}`, target.surveyUrl);
  const page = await fetchStep('page', link, { method: 'GET' }, report);
  if (!page.includes('name="score"')) {
    throw new SmokeFailedError('page', 'the survey page has no score field', report);
  }
  record('page', `GET ${link.origin}/s/… 200`);
  await fetchStep(
    'answered',
    link,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `score=${score}`,
    },
    report,
  );
  record('answered', `POST score ${score} 200`);

  const answered = await until(
    'recorded',
    async () => {
      const now = await target.invitation(invitationId);
      return now?.answeredAt && now.score === score ? now : undefined;
    },
    'the answer was not in the table',
  );
  record('recorded', `answered at ${answered.answeredAt}`);

  if (target.awaitDelivery) {
    const delivered = await until(
      'delivered',
      async () => (await target.invitation(invitationId))?.deliveredAt,
      "SES's delivery event did not reach the feedback function (the configuration set's event destination, the default bus's rule)",
    );
    record('delivered', `at ${delivered}`);
  }
  return report;
}

async function fetchStep(
  step: SmokeStep['step'],
  url: URL,
  init: RequestInit,
  report: SmokeReport,
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new SmokeFailedError(
      step,
      `${init.method} ${url.origin}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`,
      report,
    );
  }
  const text = await response.text();
  if (response.status !== 200) {
    throw new SmokeFailedError(
      step,
      `${init.method} ${url.origin}/s/… gave ${response.status}`,
      report,
    );
  }
  return text;
}

/** The report as text: one line per step, with its time since the put. */
export function describeSmoke(report: SmokeReport): string {
  return [
    `smoke test passed: ${report.touchpoint}, invitation ${report.invitationId}`,
    ...report.steps.map(
      (s) => `  ${s.step.padEnd(9)} +${(s.afterMs / 1000).toFixed(1).padStart(5)} s  ${s.detail}`,
    ),
  ].join('\n');
}

/** The deployed stack as the smoke test meets it: its bus, table, link key and public URL. */
export function stackSmokeTarget(stack: {
  outputs: Record<string, string>;
  runtime: Pick<Runtime, 'config' | 'invitations' | 'signer'>;
  putEvent(detailType: string, detail: unknown): Promise<void>;
}): SmokeTarget {
  const { outputs, runtime } = stack;
  if (!outputs.SurveyUrl || !outputs.LinkSigningSecretArn) {
    throw new SmokePlanError(
      'the stack has no SurveyUrl or LinkSigningSecretArn output: deploy this version of Afterword first',
    );
  }
  return {
    config: runtime.config,
    put: (detail) => stack.putEvent(INTERACTION_COMPLETED, detail),
    invitation: (id) => runtime.invitations.get(id),
    sign: (claims) => runtime.signer.sign(claims),
    surveyUrl: outputs.SurveyUrl,
    awaitDelivery: true,
  };
}
