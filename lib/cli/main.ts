/**
 * The `afterword` CLI: runs the local stack and talks to it the way a producer or a CX lead would.
 * Every command prints a clear error instead of a stack trace for problems a user can fix: exit 2
 * for a command line that cannot run as written, 1 for a problem of the world (no Java, no stack).
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { ConfigError, loadConfig } from '../config/load.js';
import { INTERACTION_COMPLETED, type EventBridgeEvent } from '../contracts/interaction.js';
import { DAY_PATTERN, addDays, dayOf } from '../domain/time.js';
import { invitationIdFor } from '../domain/ids.js';
import { runDemo } from '../local/demo.js';
import { FileJournal, type DeadLetter } from '../local/dead-letters.js';
import { JavaMissingError } from '../local/dynamodb.js';
import { PortInUseError } from '../local/ports.js';
import {
  DEFAULT_TABLE,
  LOCAL_BUS_NAME,
  LOCAL_REGION,
  localSigningKeys,
  localConsentKey,
  portsFromEnv,
  PortSettingError,
  startLocalStack,
} from '../local/stack.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { rollup, rollupWindowDays } from '../usecases/rollup.js';
import { DEFAULT_REPORT_DAYS, DIMENSIONS, report, type Dimension } from '../usecases/report.js';
import { buildDigest, sendDigest } from '../usecases/digest.js';
import { customerTimeline } from '../usecases/timeline.js';
import { customerRecord } from '../usecases/access.js';
import { launch, NotScheduledProgramError, plan } from '../usecases/tracking.js';
import {
  ImportFileError,
  importCustomers,
  parseCustomersCsv,
} from '../usecases/customers-import.js';
import { columns, driversToCsv, driversToTable, printable, toCsv, toTable } from './format.js';
import { driverRows, formatDrivers, unhappyDrivers } from '../domain/drivers.js';
import { TOTAL } from '../contracts/report.js';
import { formatInterval } from '../domain/display.js';
import { followUpMeasures, type Share } from '../usecases/follow-up-measures.js';
import { CLI_SOURCE, inviteDashboardUser, openStack, StackError } from './stack.js';
import { awaitErasure, describeErasure, erasureRequestFor, ForgetUsageError } from './forget.js';
import { LocalDeadLetters, type QueueReplay } from './replay.js';
import {
  describeSmoke,
  runSmoke,
  SmokeFailedError,
  stackSmokeTarget,
  SmokePlanError,
  type SmokeReport,
  type SmokeStep,
} from './smoke.js';
import { CUSTOMER_ERASURE_REQUESTED } from '../contracts/erasure.js';
import type { ErasureRecord } from '../store/erasures.js';
import { inFunction } from '../adapters/function-scope.js';
import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../auth/roles.js';
import { AFTERWORD_DETAIL_TYPES } from '../contracts/survey-events.js';
import { CASE_STATUSES, CLOSED_STATUSES, type CaseStatus } from '../contracts/follow-up-case.js';
import { isOverdue } from '../usecases/follow-up.js';
import { QUEUE_DAYS } from '../web/cases.js';

/** Each command's usage: `afterword <command> --help` prints its own. */
const COMMANDS: Record<string, string> = {
  start: `  afterword start [--instant] [--config FILE]   start the local stack (Ctrl-C stops it)`,
  send: `  afterword send FILE.json [--occurred-at ISO]  put an Interaction Completed event on the local bus
                                                (the file's occurredAt becomes now, unless given),
                                                wait, and say what became of it: scheduled with
                                                its send time, skipped with the reason, a
                                                duplicate, or dead-lettered (exit 1)
  afterword send --touchpoint T --channel C --customer-id ID --email E [--name N] [--locale L]
                 [--segment S] [--interaction-id ID] [--occurred-at ISO]`,
  rollup: `  afterword rollup [--date YYYY-MM-DD] [--days N] recompute rollups (default: every day whose survey
                                                links may still be open: the longest linkExpiry +
                                                maxLateness + 2 days)`,
  report: `  afterword report [--from D] [--to D] [--by touchpoint|channel|segment|journey|journeyStep]
                   [--format table|csv|json] [--stack NAME [--region R] [--profile P]]
                                                print metrics from the rollups, a totals row per group
  afterword report --metric drivers [--from D] [--to D] [--format table|csv|json] [--stack NAME]
                                                questionnaire answers per option and score group
                                                (top reasons among detractors), with intervals
  afterword report --metric follow-up [--by touchpoint|owner] [--from D] [--to D] [--recovery-window DAYS]
                   [--format table|json] [--stack NAME]
                                                follow-up cases: opened, within deadline, time to
                                                contact and close, root causes, recovery rate`,
  digest: `  afterword digest [--date YYYY-MM-DD]          send the digest for a day (default yesterday) to the CX leads
  afterword digest --stack NAME [--date D]      show the deployed stack's digest (the nightly run sends it)`,
  demo: `  afterword demo [--days N] [--seed N]          simulate days of interactions and answers`,
  customer: `  afterword customer ID [--limit N] [--stack NAME]
                                                one customer's timeline across channels, newest first
  afterword customer ID --format json [--stack NAME]
                                                an access request (GDPR art. 15): everything stored
                                                about the customer (profile, consent, interactions,
                                                decisions, sends, answers, comments, cases)`,
  plan: `  afterword plan PROGRAM [--format table|json] [--stack NAME]
                                                a tracking or periodic program's next run, without
                                                sending: population, response rate, invitations
                                                needed for the target margin (per stratum)`,
  launch: `  afterword launch PROGRAM [--instant] [--stack NAME]
                                                run a tracking or periodic program now: draw the
                                                sample and schedule its invitations, spread over
                                                its spreadOver (--instant: send at once, local
                                                only); a second run in the same period invites
                                                nobody new (--stack needs write access to the
                                                stack's table and to read its ConsentKeySecretArn;
                                                its schedule runs it on AWS)`,
  customers: `  afterword customers import FILE [--stack NAME]
                                                add or update customers of the directory from a CSV
                                                file: customerId,email[,locale,timeZone,segment,lastSeen];
                                                every bad row named, and then nothing imported
                                                (--stack needs write access to the stack's table)`,
  'ses-event': `  afterword ses-event delivery|bounce|soft-bounce|complaint --invitation ID
                                                inject SES feedback for a sent survey, as SES would`,
  'dead-letters': `  afterword dead-letters [--format table|json] [--stack NAME]
                                                list what could not be delivered (the local bus's
                                                dead letters, or the deployed stack's queues)
  afterword dead-letters --replay [--stack NAME]
                                                deliver them again once the cause is fixed: the
                                                events go back on the local bus, or each queue's
                                                messages to its function (--stack needs the
                                                stack's OperatorPolicyArn policy)`,
  smoke: `  afterword smoke [--touchpoint T] [--wait SECONDS] [--format table|json] [--stack NAME]
                                                one survey end to end, as a customer meets it: put
                                                on the bus, decided, sent (on AWS to SES's mailbox
                                                simulator), its page fetched and answered through
                                                the public URL, read back (and on AWS its delivery
                                                event); counted in no rollup; exit 1 naming the
                                                step that failed (--stack needs OperatorPolicyArn)`,
  events: `  afterword events [--type T] [--limit N] [--format table|json] [--stack NAME]
                                                Afterword's own events (Survey Answered, Follow-up
                                                Requested and Withdrawn), newest first`,
  'follow-ups': `  afterword follow-ups [--owner EMAIL] [--touchpoint T] [--status open|contacted|resolved|no-action|withdrawn]
                     [--overdue] [--days N] [--format table|json] [--stack NAME]
                                                follow-up cases of unhappy answers (default: open
                                                ones, overdue first, then by deadline; closed ones
                                                of the last 90 days with --status)`,
  forget: `  afterword forget CUSTOMER_ID|EMAIL [--wait SECONDS] [--format table|json] [--stack NAME]
                                                erase a customer (GDPR art. 17): every item that
                                                names them is scrubbed or deleted, the numbers stay,
                                                an opt-out is kept by keyed hash; waits (default
                                                60 s) and reports the counts (--stack needs the
                                                stack's PrivacyPolicyArn policy)`,
  leads: `  afterword leads invite EMAIL --stack NAME [--role cx-lead|owner] [--region R] [--profile P]
                                                invite someone to the deployed stack's dashboard
                                                (Cognito emails them a temporary password)`,
};

const STACK_HELP = `--stack NAME reads a deployed stack with your AWS credentials (the AnalystPolicyArn
policy is enough); --region and --profile pick them as the AWS CLI does.`;

const USAGE = `afterword: customer-experience surveys, event-driven (local stack, or a deployed one)

Usage:
${Object.values(COMMANDS).join('\n')}

${STACK_HELP}

Environment: AFTERWORD_CONFIG, AFTERWORD_DATA_DIR (default .afterword), AFTERWORD_TABLE,
AFTERWORD_DYNAMODB_PORT (8000), AFTERWORD_SES_PORT (8005), AFTERWORD_BUS_PORT (4010),
AFTERWORD_WEB_PORT (3000), AFTERWORD_OIDC_PORT (4011), AFTERWORD_LINK_SECRET, LOG_LEVEL.
`;

/** A problem the user can fix: printed without a stack trace. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** The local stack is not running: nothing wrong with the command line (exit 1). */
class NotRunningError extends Error {
  override name = 'NotRunningError';
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // One-shot commands print their result; their progress logs would only be noise.
  if (command !== 'start') process.env.LOG_LEVEL ??= 'warn';
  if (
    command &&
    Object.hasOwn(COMMANDS, command) &&
    rest.some((a) => a === '--help' || a === '-h')
  ) {
    const stackNote = COMMANDS[command]!.includes('--stack') ? `\n${STACK_HELP}\n` : '';
    process.stdout.write(`Usage:\n${COMMANDS[command]}\n${stackNote}`);
    return 0;
  }
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'send':
        return await send(rest);
      case 'rollup':
        return await rollupCommand(rest);
      case 'report':
        return await reportCommand(rest);
      case 'demo':
        return await demo(rest);
      case 'dead-letters':
        return await deadLetters(rest);
      case 'events':
        return await events(rest);
      case 'digest':
        return await digestCommand(rest);
      case 'customer':
        return await customer(rest);
      case 'customers':
        return await customersCommand(rest);
      case 'plan':
        return await planCommand(rest);
      case 'launch':
        return await launchCommand(rest);
      case 'ses-event':
        return await sesEvent(rest);
      case 'leads':
        return await leads(rest);
      case 'follow-ups':
        return await followUps(rest);
      case 'forget':
        return await forget(rest);
      case 'smoke':
        return await smoke(rest);
      case '--version':
      case '-v':
      case 'version':
        process.stdout.write(`afterword ${version()}\n`);
        return 0;
      case undefined:
        // No command: the usage, as a usage error (stderr, exit 2).
        process.stderr.write(USAGE);
        return USAGE_EXIT;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`afterword: ${(error as Error).message}\n`);
      return isUsageError(error) ? USAGE_EXIT : 1;
    }
    throw error;
  }
}

/** The exit code of a command line that cannot run as written (the convention of sysexits/getopt). */
const USAGE_EXIT = 2;

/** A bad command, flag, value or setting: exit 2. A problem of the world (no Java, a taken port): 1. */
function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof PortSettingError ||
    (error instanceof TypeError && error.message.startsWith('Unknown option')) ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
  );
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function isUserError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof NotRunningError ||
    error instanceof ConfigError ||
    error instanceof JavaMissingError ||
    error instanceof PortInUseError ||
    error instanceof StackError ||
    error instanceof ImportFileError ||
    error instanceof ForgetUsageError ||
    error instanceof SmokePlanError ||
    error instanceof SmokeFailedError ||
    error instanceof NotScheduledProgramError ||
    error instanceof PortSettingError ||
    (error instanceof TypeError && error.message.startsWith('Unknown option')) ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
  );
}

function dataDir(): string {
  return resolve(process.env.AFTERWORD_DATA_DIR ?? '.afterword');
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { instant: { type: 'boolean' }, config: { type: 'string' } },
  });
  const ports = portsFromEnv();
  const stack = await startLocalStack({
    ports,
    dataDir: dataDir(),
    configPath: values.config ? resolve(values.config) : undefined,
    tableName: process.env.AFTERWORD_TABLE ?? DEFAULT_TABLE,
    instant: values.instant,
  });
  const { urls } = stack;
  process.stdout.write(
    [
      `Afterword local stack is running${values.instant ? ' (instant: program delays ignored)' : ''}`,
      `  event bus (PutEvents)  ${urls.bus}   bus name "${LOCAL_BUS_NAME}", region ${LOCAL_REGION}`,
      `  survey web app         ${urls.web}   CX dashboard: ${urls.web}/dashboard`,
      `  sign-in (local OIDC)   ${urls.oidc}   pick a local user: the CX lead or a program owner`,
      `  SES emulator           ${urls.ses}   mailbox viewer; GET ${urls.ses}/store`,
      `  DynamoDB Local         ${urls.dynamodb}   table "${stack.runtime.settings.tableName}", data in ${dataDir()}`,
      `  dispatcher             every ${values.instant ? 1 : 5} s`,
      '',
      'Try: npx afterword send test/fixtures/events/support-call.v1.json',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const shutdown = () => {
      process.stdout.write('\nstopping…\n');
      done();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await stack.stop();
  return 0;
}

async function send(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      touchpoint: { type: 'string' },
      channel: { type: 'string' },
      'customer-id': { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      locale: { type: 'string' },
      segment: { type: 'string' },
      'interaction-id': { type: 'string' },
      'occurred-at': { type: 'string' },
    },
  });
  const occurredAt = values['occurred-at'];
  if (occurredAt !== undefined && Number.isNaN(Date.parse(occurredAt))) {
    throw new UsageError(
      `--occurred-at must be a date-time such as 2026-12-04T10:00:00Z, got "${occurredAt}"`,
    );
  }
  let detail: unknown;
  if (positionals[0]) {
    try {
      detail = JSON.parse(readFileSync(positionals[0], 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${positionals[0]}: ${(error as Error).message}`);
    }
    // A fixture's own time is long past (and would be skipped too late): it happened now, unless
    // --occurred-at says when.
    if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
      detail = { ...detail, occurredAt: occurredAt ?? new Date().toISOString() };
    }
  } else {
    if (!values.touchpoint || !values.channel || !values['customer-id']) {
      throw new UsageError('send needs a JSON file, or --touchpoint, --channel and --customer-id');
    }
    detail = {
      interactionId: values['interaction-id'] ?? `cli-${Date.now().toString(36)}`,
      occurredAt: values['occurred-at'] ?? new Date().toISOString(),
      touchpoint: values.touchpoint,
      channel: values.channel,
      customer: {
        id: values['customer-id'],
        email: values.email,
        name: values.name,
        locale: values.locale,
        segment: values.segment,
      },
    };
  }
  const putAt = new Date().toISOString();
  const eventId = await putOnLocalBus({
    EventBusName: LOCAL_BUS_NAME,
    Source: CLI_SOURCE,
    DetailType: INTERACTION_COMPLETED,
    Detail: JSON.stringify(detail),
  });
  process.stdout.write(`accepted: event ${eventId}\n`);
  const outcome = await outcomeOf(eventId, detail, putAt);
  process.stdout.write(`${printable(outcome.text)}\n`);
  return outcome.failed ? 1 : 0;
}

/** How long `send` waits to say what became of its event. */
const SEND_WAIT_MS = 10_000;

/**
 * What became of an event sent to the local bus: its decision (scheduled with its send time,
 * skipped with the reason, a duplicate of an earlier event), or its dead letter; polled, bounded.
 */
async function outcomeOf(
  eventId: string,
  detail: unknown,
  putAt: string,
): Promise<{ text: string; failed: boolean }> {
  const interactionId = (detail as { interactionId?: unknown } | null)?.interactionId;
  const invitationId =
    typeof interactionId === 'string' && interactionId.trim()
      ? invitationIdFor(CLI_SOURCE, interactionId.trim())
      : undefined;
  const letters = new FileJournal<DeadLetter>(resolve(dataDir(), 'dead-letters.jsonl'));
  const deadline = Date.now() + SEND_WAIT_MS;
  return withLocalRuntime(async (rt) => {
    for (;;) {
      const letter = letters
        .list()
        .find((l) => (l.event as { id?: string } | null)?.id === eventId);
      if (letter) return { text: `dead-lettered: ${letter.error}`, failed: true };
      const invitation = invitationId ? await rt.invitations.get(invitationId) : undefined;
      if (invitation) {
        if (invitation.decidedAt < putAt) {
          return {
            text: `duplicate: interaction ${invitation.interactionId} was decided at ${invitation.decidedAt} (${invitation.status}${invitation.reason ? `: ${invitation.reason}` : ''}); invitation ${invitation.invitationId}`,
            failed: false,
          };
        }
        if (invitation.status === 'skipped') {
          return {
            text: `skipped: ${invitation.reason ?? 'no reason recorded'}; invitation ${invitation.invitationId}`,
            failed: false,
          };
        }
        return {
          text: `${invitation.status}: invitation ${invitation.invitationId}, to be sent at ${invitation.sendAt ?? invitation.decidedAt}`,
          failed: false,
        };
      }
      if (Date.now() >= deadline) {
        return {
          text: `no decision within ${SEND_WAIT_MS / 1000} s: intake may be retrying it (see afterword dead-letters)`,
          failed: true,
        };
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  });
}

async function forget(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      wait: { type: 'string' },
      format: { type: 'string', default: 'table' },
      ...STACK_OPTIONS,
    },
  });
  if (positionals.length !== 1) {
    throw new UsageError('forget needs one customer id or address: afterword forget <id|email>');
  }
  formatOf(values.format);
  const waitMs = (positiveInt(values.wait, '--wait') ?? 60) * 1000;
  const detail = erasureRequestFor(positionals[0]!, `cli-${randomUUID()}`);
  let record: ErasureRecord | undefined;
  if (!values.stack) {
    if (values.region || values.profile)
      throw new UsageError('--region and --profile go with --stack');
    await putOnLocalBus({
      EventBusName: LOCAL_BUS_NAME,
      Source: CLI_SOURCE,
      DetailType: CUSTOMER_ERASURE_REQUESTED,
      Detail: JSON.stringify(detail),
    });
    record = await withLocalRuntime((rt) =>
      awaitErasure(() => rt.erasures.get(detail.requestId), { waitMs }),
    );
  } else {
    const stack = await openStack({
      stackName: values.stack,
      region: values.region,
      profile: values.profile,
    });
    try {
      await inFunction('privacy', async () => {
        await stack.requestErasure(detail);
        record = await awaitErasure(() => stack.runtime.erasures.get(detail.requestId), {
          waitMs,
        });
      });
    } catch (error) {
      throw asStackError(values.stack, error);
    } finally {
      stack.close();
    }
  }
  if (!record?.completedAt) {
    process.stderr.write(
      `afterword: erasure ${detail.requestId} was requested and has not completed within ${waitMs / 1000} s; it goes on (with retries, then the erasure dead-letter queue: see afterword dead-letters${values.stack ? ` --stack ${values.stack}` : ''})\n`,
    );
    return 1;
  }
  if (record.counts?.customers === 0) {
    process.stderr.write(
      `afterword: erasure ${detail.requestId} matched no customer: an address is looked up in the directory (a customer never surveyed nor imported has no entry there); give the customer id\n`,
    );
    return 1;
  }
  process.stdout.write(
    values.format === 'json'
      ? `${JSON.stringify({ requestId: record.requestId, requestedAt: record.requestedAt, completedAt: record.completedAt, counts: record.counts }, null, 2)}\n`
      : `${describeErasure(record)}\n`,
  );
  return 0;
}

/** Puts one event on the running local bus with the real SDK client; returns its event id. */
async function putOnLocalBus(entry: PutEventsRequestEntry): Promise<string> {
  const endpoint = `http://127.0.0.1:${portsFromEnv().bus}`;
  const client = new EventBridgeClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    const accepted = result.Entries?.[0];
    if (result.FailedEntryCount || !accepted?.EventId) {
      throw new UsageError(
        `the bus refused the event: ${accepted?.ErrorCode} ${accepted?.ErrorMessage}`,
      );
    }
    return accepted.EventId;
  } catch (error) {
    throw unreachable(error, 'the local event bus', endpoint);
  } finally {
    client.destroy();
  }
}

/** A runtime talking to the running local stack; only the demo signs links. */
function localRuntime(options: { signing?: boolean } = {}): Runtime {
  const ports = portsFromEnv();
  return createRuntime({
    config: loadConfig(),
    tableName: process.env.AFTERWORD_TABLE ?? DEFAULT_TABLE,
    region: LOCAL_REGION,
    eventBusName: LOCAL_BUS_NAME,
    publicBaseUrl: `http://127.0.0.1:${ports.web}`,
    signing: options.signing ? localSigningKeys(dataDir()) : undefined,
    consentKey: localConsentKey(dataDir()),
    exports: { dir: resolve(dataDir(), 'exports') },
    endpoints: {
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      ses: `http://127.0.0.1:${ports.ses}`,
      events: `http://127.0.0.1:${ports.bus}`,
    },
  });
}

function unreachable(error: unknown, what: string, endpoint: string): unknown {
  const cause = (error as { cause?: { message?: string } }).cause;
  const text = `${(error as Error).name} ${(error as Error).message} ${cause?.message ?? ''}`;
  if (/ECONNREFUSED|ECONNRESET|fetch failed|socket hang up/i.test(text)) {
    return new NotRunningError(
      `cannot reach ${what} at ${endpoint}: start the local stack first with \`npm start\``,
    );
  }
  return error;
}

async function withLocalRuntime<T>(
  fn: (rt: Runtime) => Promise<T>,
  options: { signing?: boolean } = {},
): Promise<T> {
  const rt = localRuntime(options);
  try {
    return await fn(rt);
  } catch (error) {
    throw unreachable(error, 'DynamoDB Local', rt.settings.endpoints?.dynamodb ?? '');
  } finally {
    rt.dynamodb.destroy();
  }
}

/** The options every read command takes to read a deployed stack instead of the local one. */
const STACK_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
} as const;

/**
 * Runs `fn` against the deployed stack named by --stack (the caller's AWS credentials), or the
 * local stack without it.
 */
/** The one PROGRAM argument of `plan` and `launch`. */
function programArgument(positionals: string[], command: 'plan' | 'launch'): string {
  if (positionals.length !== 1) throw new UsageError(`usage:\n${COMMANDS[command]}`);
  return positionals[0]!;
}

/** `plan PROGRAM`: who a run would ask, and how many, without sending. */
async function planCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'table' }, ...STACK_OPTIONS },
  });
  const touchpoint = programArgument(positionals, 'plan');
  formatOf(values.format);
  const result = await withRuntime(values, (rt) => plan(rt, touchpoint, new Date()));
  if (values.format === 'json') {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const pct = (rate: number) => `${(rate * 100).toFixed(0)} %`;
  process.stdout.write(
    [
      `${result.touchpoint} (${result.kind}, ${result.metric}): period ${result.period}, next run ${result.nextRunAt}`,
      `population: ${result.population} customers seen in the last ${result.seenWithinDays} days (left out: ${result.excluded.optedOut} opted out, ${result.excluded.notRecent} not seen recently, ${result.excluded.otherSegment} in other segments, ${result.excluded.noAddress} without an address; suppressed addresses are passed over when drawn)`,
      result.targetMargin === null
        ? 'a periodic run asks the whole population'
        : `target: ±${result.targetMargin} points (95 %)`,
      '',
    ].join('\n') +
      columns(
        result.strata.map((s) => ({
          stratum: s.stratum,
          population: String(s.population),
          'shares from': s.sharesFrom,
          'response rate': `${pct(s.responseRate)} (${s.responseRateFrom})`,
          'answers needed': s.answersNeeded === null ? '-' : String(Math.ceil(s.answersNeeded)),
          invitations: String(s.invitations),
          'expected margin':
            s.expectedMargin === null || !Number.isFinite(s.expectedMargin)
              ? '-'
              : `±${s.expectedMargin.toFixed(1)}`,
        })),
      ) +
      `\ninvitations in all: ${result.invitations}\n` +
      result.strata
        .map((s) => {
          const before = s.previous;
          const who = s.stratum === '*' ? '' : ` (${s.stratum})`;
          if (!before || before.score === null) {
            return `previous period${who}: no answers\n`;
          }
          const target =
            result.targetMargin === null ? '' : ` against the target ±${result.targetMargin}`;
          return `previous period${who} ${before.from} … ${before.to}: ${before.score.toFixed(1)} ${formatInterval(before.ciLow, before.ciHigh)} from ${before.answers} answers, margin achieved ±${before.achievedMargin!.toFixed(1)}${target}\n`;
        })
        .join('') +
      result.strata
        .filter((s) => s.warning)
        .map((s) => `warning: ${s.warning}\n`)
        .join(''),
  );
  return 0;
}

/** `launch PROGRAM`: a run now. */
async function launchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { instant: { type: 'boolean' }, ...STACK_OPTIONS },
  });
  const touchpoint = programArgument(positionals, 'launch');
  if (values.instant && values.stack) {
    throw new UsageError('--instant is for the local stack: a deployed run keeps its spread');
  }
  const result = await withRuntime(values, (rt) => {
    // As `start --instant`: due at once, whatever the program's delay, spread and send window.
    if (values.instant) rt.settings.instant = true;
    return launch(rt, touchpoint, new Date());
  });
  const skipped = Object.entries(result.skipped)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  process.stdout.write(
    `${result.touchpoint} ${result.period}: planned ${result.planned}, drawn ${result.drawn} (${result.suppressed} suppressed passed over), scheduled ${result.scheduled}${skipped ? `, skipped ${skipped}` : ''}${result.alreadyInvited ? `, already invited this period ${result.alreadyInvited}` : ''}\n`,
  );
  return 0;
}

/** `customers import FILE`: the customer directory from a CSV file, all rows or none. */
async function customersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...STACK_OPTIONS },
  });
  const [action, file, ...extra] = positionals;
  if (action !== 'import' || !file || extra.length) {
    throw new UsageError(`usage:\n${COMMANDS.customers}`);
  }
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const customers = parseCustomersCsv(text, file, new Date().toISOString().slice(0, 10));
  const result = await withRuntime(values, (rt) => importCustomers(rt, customers));
  process.stdout.write(
    `imported ${result.rows} customers from ${file}: ${result.added} new, ${result.updated} updated, ${result.unchanged} unchanged\n`,
  );
  return 0;
}

async function withRuntime<T>(
  values: { stack?: string; region?: string; profile?: string },
  fn: (rt: Runtime, stack?: Awaited<ReturnType<typeof openStack>>) => Promise<T>,
): Promise<T> {
  if (!values.stack) {
    if (values.region || values.profile)
      throw new UsageError('--region and --profile go with --stack');
    return withLocalRuntime((rt) => fn(rt));
  }
  const stack = await openStack({
    stackName: values.stack,
    region: values.region,
    profile: values.profile,
  });
  if (stack.configDiffers) {
    process.stderr.write(
      `afterword: the programs config here differs from the one ${values.stack} runs (targets and programs may not match)\n`,
    );
  }
  try {
    return await fn(stack.runtime, stack);
  } catch (error) {
    throw asStackError(values.stack, error);
  } finally {
    stack.close();
  }
}

/** An AWS service's refusal (no permission, no such table…) is the user's to fix: no trace. */
function asStackError(stackName: string, error: unknown): unknown {
  return (error as { $metadata?: unknown }).$metadata
    ? new StackError(`${stackName}: ${(error as Error).name}: ${(error as Error).message}`)
    : error;
}

function day(value: string | undefined, flag: string): string | undefined {
  // A real calendar day: 2026-02-30 and 2026-13-01 have the shape and no place in the calendar.
  if (value !== undefined && (!DAY_PATTERN.test(value) || addDays(value, 0) !== value))
    throw new UsageError(`${flag} must be a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** A listing's --format: table (the default) or json. */
function formatOf(value: string): 'table' | 'json' {
  if (value !== 'table' && value !== 'json') {
    throw new UsageError(`--format must be table or json, got "${value}"`);
  }
  return value;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a whole number ≥ 1, got "${value}"`);
  return n;
}

async function rollupCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { date: { type: 'string' }, days: { type: 'string' } },
  });
  const lastDay = day(values.date, '--date');
  const result = await withLocalRuntime((rt) =>
    rollup(rt, {
      now: new Date(),
      days: positiveInt(values.days, '--days') ?? (lastDay ? 1 : rollupWindowDays(rt.config)),
      lastDay,
    }),
  );
  process.stdout.write(
    `rolled up ${result.days[0]} … ${result.days.at(-1)}: ${result.rows} rows\n`,
  );
  return 0;
}

async function reportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      by: { type: 'string', multiple: true },
      format: { type: 'string', default: 'table' },
      metric: { type: 'string', default: 'scores' },
      'recovery-window': { type: 'string' },
      ...STACK_OPTIONS,
    },
  });
  if (values.metric === 'follow-up') return followUpReport(values);
  if (values.metric !== 'scores' && values.metric !== 'drivers') {
    throw new UsageError(`--metric must be scores, drivers or follow-up, got "${values.metric}"`);
  }
  const format = values.format;
  if (!['table', 'csv', 'json'].includes(format))
    throw new UsageError(`--format must be table, csv or json, got "${format}"`);
  // `journey` is the journey id; `journeyStep` keeps its journey too (see groupingDimensions).
  const by = values.by
    ?.flatMap((v) => v.split(','))
    .map((dimension) => (dimension === 'journey' ? 'journeyId' : dimension));
  for (const dimension of by ?? []) {
    if (!DIMENSIONS.includes(dimension as Dimension)) {
      throw new UsageError(
        `--by must be one of touchpoint, channel, segment, journey, journeyStep, got "${dimension}"`,
      );
    }
  }
  const config = loadConfig();
  const to = day(values.to, '--to') ?? dayOf(new Date(), config.timeZone);
  const from = day(values.from, '--from') ?? addDays(to, -(DEFAULT_REPORT_DAYS - 1));
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  // Per touchpoint over the whole period: the questionnaire's options by score group.
  const driversOf = (rt: Runtime) =>
    report(rt, { from, to, by: ['touchpoint'], totals: true }).then((rows) =>
      rows.filter((row) => row.day === TOTAL),
    );
  const programOf = (touchpoint: string) =>
    config.programs.find((program) => program.touchpoint === touchpoint);
  if (values.metric === 'drivers') {
    const drivers = driverRows(await withRuntime(values, driversOf), programOf);
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(drivers, null, 2)}\n`
        : format === 'csv'
          ? driversToCsv(drivers)
          : driversToTable(drivers),
    );
    return 0;
  }
  const [rows, totals] = await withRuntime(values, (rt) =>
    Promise.all([
      report(rt, { from, to, by: by as Dimension[] | undefined, totals: true }),
      format === 'table' ? driversOf(rt) : [],
    ]),
  );
  // Under the table: why the unhappy customers of each touchpoint scored low, over the period.
  const reasons = totals.flatMap((row) =>
    unhappyDrivers(row, programOf(row.touchpoint)).map(
      (summary) => `  ${printable(formatDrivers(row.touchpoint, summary))}\n`,
    ),
  );
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify(rows, null, 2)}\n`
      : format === 'csv'
        ? toCsv(rows)
        : toTable(rows) +
          (reasons.length
            ? `\nTop reasons of unhappy customers, ${from} to ${to} (more: --metric drivers):\n${reasons.join('')}`
            : ''),
  );
  return 0;
}

/** `report --metric follow-up`: how fast cases close, why, and whether customers recover. */
async function followUpReport(values: {
  from?: string;
  to?: string;
  by?: string[];
  format: string;
  'recovery-window'?: string;
  stack?: string;
  region?: string;
  profile?: string;
}): Promise<number> {
  if (!['table', 'json'].includes(values.format)) {
    throw new UsageError(
      `--format must be table or json with --metric follow-up, got "${values.format}"`,
    );
  }
  const by = values.by?.flatMap((v) => v.split(',')) ?? ['touchpoint'];
  if (by.length !== 1 || (by[0] !== 'touchpoint' && by[0] !== 'owner')) {
    throw new UsageError(
      `--by must be touchpoint or owner with --metric follow-up, got "${by.join(',')}"`,
    );
  }
  const config = loadConfig();
  const to = day(values.to, '--to') ?? dayOf(new Date(), config.timeZone);
  const from = day(values.from, '--from') ?? addDays(to, -(DEFAULT_REPORT_DAYS - 1));
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const recoveryWindowDays = positiveInt(values['recovery-window'], '--recovery-window');
  const rows = await withRuntime(values, (rt) =>
    followUpMeasures(rt, {
      from,
      to,
      by: by[0] as 'touchpoint' | 'owner',
      now: new Date(),
      ...(recoveryWindowDays ? { recoveryWindowDays } : {}),
    }),
  );
  if (values.format === 'json') {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const shareText = (s: Share) =>
    s.share === null
      ? '-'
      : `${s.share.toFixed(0)}% ${formatInterval(s.ciLow, s.ciHigh)} n=${s.n}${s.lowN ? ' low' : ''}`;
  const hours = (h: number | null) => (h === null ? '-' : `${h.toFixed(1)} h`);
  process.stdout.write(
    columns(
      rows.map((r) => ({
        [by[0]!]: r.group === '*' ? `all, ${from}…${to}` : r.group,
        opened: String(r.opened),
        open: String(r.open),
        overdue: String(r.overdue),
        'within deadline': shareText(r.withinDeadline),
        'to contact': hours(r.medianHoursToFirstContact),
        'to close': hours(r.medianHoursToClose),
        'root causes': r.rootCauses.map((c) => `${c.rootCause} ${c.count}`).join(', ') || '-',
        'recovered, followed up': shareText(r.recoveryFollowedUp),
        'recovered, not': shareText(r.recoveryNotFollowedUp),
      })),
    ) +
      `Times are medians from the answer. Recovered: the customer's next answer within ${rows[0]?.recoveryWindowDays ?? 90} days was above the follow-up threshold; the groups differ in more than the follow-up, so this describes, it does not prove cause. 95 % Wilson intervals; low: fewer than 30.\n`,
  );
  return 0;
}

async function digestCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { date: { type: 'string' }, ...STACK_OPTIONS } });
  const date = day(values.date, '--date');
  if (values.stack) {
    // Against a deployed stack the digest is shown, not sent: the nightly run sends it.
    const digest = await withRuntime(values, (rt, stack) =>
      buildDigest(rt, {
        now: new Date(),
        day: date,
        dashboardUrl: stack?.outputs.DashboardUrl ?? '',
      }),
    );
    process.stdout.write(`Subject: ${digest.subject}\n\n${digest.text}\n`);
    return 0;
  }
  const sent = await withLocalRuntime((rt) => sendDigest(rt, { now: new Date(), day: date }));
  process.stdout.write(
    sent
      ? `digest sent to ${sent} recipient(s): see the SES emulator's mailbox\n`
      : 'no digest recipients configured (digest.recipients)\n',
  );
  return 0;
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { days: { type: 'string' }, seed: { type: 'string' } },
  });
  const days = positiveInt(values.days, '--days') ?? 7;
  const seed = positiveInt(values.seed, '--seed');
  // Progress on stderr, and only to a terminal: stdout stays the result, a pipe stays clean.
  const onDay = process.stderr.isTTY
    ? (day: number, of: number) => process.stderr.write(`\rdemo: day ${day} of ${of} replayed`)
    : undefined;
  const result = await withLocalRuntime(
    (rt) => runDemo(rt, { days, now: new Date(), seed, ...(onDay ? { onDay } : {}) }),
    { signing: true },
  );
  if (onDay) process.stderr.write('\n');
  process.stdout.write(
    `demo: ${result.interactions} interactions, ${result.sent} surveys sent, ${result.answered} answered ` +
      `(${result.from.slice(0, 10)} … ${result.to.slice(0, 10)}).\nNext: npx afterword rollup --days ${days + 1} && npx afterword report\n`,
  );
  return 0;
}

async function customer(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      limit: { type: 'string' },
      format: { type: 'string', default: 'table' },
      ...STACK_OPTIONS,
    },
  });
  const customerId = positionals[0];
  if (!customerId) throw new UsageError('customer needs a customer id: afterword customer <id>');
  formatOf(values.format);
  if (values.format === 'json') {
    if (values.limit)
      throw new UsageError('--limit goes with the table: the JSON holds everything');
    // An access request: everything stored about the customer, as one document.
    const record = await withRuntime(values, (rt) => customerRecord(rt, customerId, new Date()));
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return 0;
  }
  const limit = positiveInt(values.limit, '--limit') ?? 50;
  const entries = await withRuntime(values, (rt) => customerTimeline(rt, customerId, { limit }));
  if (!entries.length) {
    process.stdout.write(`no interactions recorded for customer ${customerId}\n`);
    return 0;
  }
  for (const entry of entries) {
    const detail =
      entry.kind === 'decision'
        ? `${entry.status}${entry.reason ? ` (${entry.reason})` : ''}`
        : entry.kind === 'answered'
          ? `score ${entry.score}${entry.comment ? `: "${entry.comment}"` : ''}`
          : '';
    process.stdout.write(
      printable(
        `${entry.at}  ${entry.kind.padEnd(11)}  ${entry.touchpoint}/${entry.channel}  ${entry.invitationId}  ${detail}`,
      ).trimEnd() + '\n',
    );
  }
  return 0;
}

const CASE_STATUS_NAMES = new Set<string>(CASE_STATUSES);

async function followUps(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      owner: { type: 'string' },
      touchpoint: { type: 'string' },
      status: { type: 'string' },
      overdue: { type: 'boolean', default: false },
      days: { type: 'string' },
      format: { type: 'string', default: 'table' },
      ...STACK_OPTIONS,
    },
  });
  formatOf(values.format);
  if (values.status && !CASE_STATUS_NAMES.has(values.status)) {
    throw new UsageError(
      `--status must be one of ${CASE_STATUSES.join(', ')}, got "${values.status}"`,
    );
  }
  const days = positiveInt(values.days, '--days');
  const now = new Date();
  const cases = await withRuntime(values, async (rt) => {
    const today = now.toISOString().slice(0, 10);
    // Open cases stay until someone acts: by default read back as far as cases are kept.
    const closedOnly = values.status && CLOSED_STATUSES.includes(values.status as CaseStatus);
    const back = days ?? (closedOnly ? QUEUE_DAYS : rt.config.dataRetentionDays);
    return rt.cases.opened(addDays(today, -back), today);
  });
  const owner = values.owner?.toLowerCase();
  const selected = cases
    .filter((c) =>
      values.status
        ? c.status === values.status
        : values.overdue || !CLOSED_STATUSES.includes(c.status),
    )
    .filter((c) => !values.overdue || isOverdue(c, now))
    .filter((c) => !owner || c.owner.email.toLowerCase() === owner)
    .filter((c) => !values.touchpoint || c.touchpoint === values.touchpoint)
    .sort(
      (a, b) =>
        Number(isOverdue(b, now)) - Number(isOverdue(a, now)) || a.dueBy.localeCompare(b.dueBy),
    );
  if (values.format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        selected.map((c) => ({ ...c, overdue: isOverdue(c, now) })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (!selected.length) {
    process.stdout.write('no follow-up cases match\n');
    return 0;
  }
  process.stdout.write(
    columns(
      selected.map((c) => ({
        invitation: c.invitationId,
        touchpoint: c.touchpoint,
        score: String(c.score),
        status: isOverdue(c, now) ? 'open, OVERDUE' : c.status,
        dueBy: c.dueBy.slice(0, 16).replace('T', ' '),
        contact: c.contactAllowed ? 'yes' : 'no',
        owner: c.owner.email,
        rootCause: c.rootCause ?? '',
      })),
    ),
  );
  return 0;
}

const SES_EVENTS = {
  delivery: { detailType: 'Email Delivered', eventType: 'Delivery' },
  bounce: { detailType: 'Email Bounced', eventType: 'Bounce', bounceType: 'Permanent' },
  'soft-bounce': { detailType: 'Email Bounced', eventType: 'Bounce', bounceType: 'Transient' },
  complaint: { detailType: 'Email Complaint Received', eventType: 'Complaint' },
} as const;

/** Puts an SES-shaped event on the local bus's default bus, where SES would publish it. */
async function sesEvent(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { invitation: { type: 'string' } },
  });
  const kind = positionals[0] as keyof typeof SES_EVENTS | undefined;
  if (!kind || !(kind in SES_EVENTS)) {
    throw new UsageError(
      `ses-event needs one of ${Object.keys(SES_EVENTS).join(', ')}, got "${kind ?? ''}"`,
    );
  }
  if (!values.invitation) throw new UsageError('ses-event needs --invitation <invitation id>');
  const invitationId = values.invitation;
  const known = await withLocalRuntime((rt) => rt.invitations.get(invitationId));
  if (!known) {
    throw new UsageError(
      `no invitation ${invitationId}: its id is in afterword customer <customer id> and in send's output`,
    );
  }
  const spec = SES_EVENTS[kind];
  const timestamp = new Date().toISOString();
  const detail = {
    eventType: spec.eventType,
    mail: {
      timestamp,
      messageId: `local-${Date.now()}`,
      tags: { invitationId: [values.invitation] },
    },
    ...(spec.eventType === 'Delivery' ? { delivery: { timestamp } } : {}),
    ...('bounceType' in spec ? { bounce: { bounceType: spec.bounceType, timestamp } } : {}),
    ...(spec.eventType === 'Complaint' ? { complaint: { timestamp } } : {}),
  };
  await putOnLocalBus({
    EventBusName: 'default',
    Source: 'aws.ses',
    DetailType: spec.detailType,
    Detail: JSON.stringify(detail),
  });
  process.stdout.write(`accepted: ${spec.detailType} for invitation ${values.invitation}\n`);
  return 0;
}

async function events(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      type: { type: 'string' },
      limit: { type: 'string' },
      format: { type: 'string', default: 'table' },
      ...STACK_OPTIONS,
    },
  });
  const format = formatOf(values.format);
  const limit = positiveInt(values.limit, '--limit') ?? 20;
  if (values.type !== undefined && !AFTERWORD_DETAIL_TYPES.includes(values.type)) {
    throw new UsageError(
      `--type must be one of ${AFTERWORD_DETAIL_TYPES.map((t) => `"${t}"`).join(', ')}, got "${values.type}"`,
    );
  }
  const logged = values.stack
    ? await withRuntime(values, (_rt, stack) => stack!.events({ type: values.type, limit }))
    : new FileJournal<EventBridgeEvent>(resolve(dataDir(), 'events.jsonl'))
        .list()
        .filter((event) => !values.type || event['detail-type'] === values.type)
        .reverse()
        .slice(0, limit);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(logged, null, 2)}\n`);
    return 0;
  }
  if (!logged.length) {
    process.stdout.write('no events yet\n');
    return 0;
  }
  for (const event of logged) {
    process.stdout.write(
      `${event.time}  ${event['detail-type']}\n  ${JSON.stringify(event.detail)}\n`,
    );
  }
  return 0;
}

async function deadLetters(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      format: { type: 'string', default: 'table' },
      replay: { type: 'boolean', default: false },
      ...STACK_OPTIONS,
    },
  });
  const format = formatOf(values.format);
  if (values.replay) return replayDeadLetters(values, format);
  if (values.stack) {
    const queues = await withRuntime(values, (_rt, stack) => stack!.deadLetters());
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify(queues, null, 2)}\n`);
      return 0;
    }
    for (const { queue, count, errors } of queues) {
      process.stdout.write(`${queue}: ${count} message(s)\n`);
      for (const { at, error } of errors) process.stdout.write(`  ${at}  ${printable(error)}\n`);
    }
    return 0;
  }
  const letters = localDeadLetters().waiting();
  if (format === 'json') {
    // What failed and why, with the event as delivered: the same the table shows, and the event.
    process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    return 0;
  }
  if (!letters.length) {
    process.stdout.write('no dead letters\n');
    return 0;
  }
  for (const letter of letters) {
    process.stdout.write(
      `${letter.at}  rule ${letter.rule} → ${letter.target}  after ${letter.attempts} attempt(s)\n  ${printable(letter.error).replaceAll('\n', '\n  ')}\n`,
    );
  }
  return 0;
}

function localDeadLetters(): LocalDeadLetters {
  return new LocalDeadLetters(resolve(dataDir(), 'dead-letters.jsonl'));
}

/** `dead-letters --replay`: the local bus's dead letters put back, or the stack's re-invoked. */
async function replayDeadLetters(
  values: { stack?: string; region?: string; profile?: string },
  format: 'table' | 'json',
): Promise<number> {
  let results: QueueReplay[];
  if (values.stack) {
    results = await withRuntime(values, (_rt, stack) =>
      inFunction('operator', () => stack!.replayDeadLetters()),
    );
  } else {
    if (values.region || values.profile)
      throw new UsageError('--region and --profile go with --stack');
    const { replayed, failed } = await localDeadLetters().replay(putOnLocalBus, (bus) =>
      bus === 'default' ? 'default' : LOCAL_BUS_NAME,
    );
    results = [
      { queue: 'local bus', replayed, kept: failed.length, errors: failed.map((f) => f.error) },
    ];
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      process.stdout.write(
        `${r.queue}: replayed ${r.replayed}${r.kept ? `, kept ${r.kept}` : ''}\n${r.errors.map((e) => `  ${printable(e)}\n`).join('')}`,
      );
    }
    process.stdout.write(
      "What fails again comes back as a new dead letter (on AWS after the function's own retries).\n",
    );
  }
  return results.some((r) => r.errors.length) ? 1 : 0;
}

/** `smoke`: one survey end to end on the local stack, or the deployed one. */
async function smoke(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      touchpoint: { type: 'string' },
      wait: { type: 'string' },
      format: { type: 'string', default: 'table' },
      ...STACK_OPTIONS,
    },
  });
  const format = formatOf(values.format);
  // A step's wait: the deployed dispatcher runs once a minute, SES's feedback takes seconds more.
  const stepWaitMs = (positiveInt(values.wait, '--wait') ?? (values.stack ? 180 : 30)) * 1000;
  const onStep = process.stderr.isTTY
    ? (step: SmokeStep) =>
        process.stderr.write(`smoke: ${step.step} (+${(step.afterMs / 1000).toFixed(1)} s)\n`)
    : undefined;
  const options = { touchpoint: values.touchpoint, stepWaitMs, ...(onStep ? { onStep } : {}) };
  let report: SmokeReport;
  try {
    if (values.stack) {
      report = await withRuntime(values, (rt, stack) =>
        inFunction('operator', () => runSmoke(stackSmokeTarget(stack!), options)),
      );
    } else {
      if (values.region || values.profile)
        throw new UsageError('--region and --profile go with --stack');
      report = await withLocalRuntime(
        (rt) =>
          runSmoke(
            {
              config: rt.config,
              put: (detail) =>
                putOnLocalBus({
                  EventBusName: LOCAL_BUS_NAME,
                  Source: CLI_SOURCE,
                  DetailType: INTERACTION_COMPLETED,
                  Detail: JSON.stringify(detail),
                }),
              invitation: (id) => rt.invitations.get(id),
              sign: (claims) => rt.signer.sign(claims),
              surveyUrl: `http://127.0.0.1:${portsFromEnv().web}`,
              awaitDelivery: false,
            },
            options,
          ),
        { signing: true },
      );
    }
  } catch (error) {
    if (error instanceof SmokeFailedError && format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ passed: false, step: error.step, error: error.message, ...error.report }, null, 2)}\n`,
      );
    }
    throw error;
  }
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify({ passed: true, ...report }, null, 2)}\n`
      : `${describeSmoke(report)}\n`,
  );
  return 0;
}

/** `afterword leads invite EMAIL --stack NAME`: a dashboard user for the deployed stack. */
async function leads(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      stack: { type: 'string' },
      role: { type: 'string', default: 'cx-lead' },
      region: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const [action, email] = positionals;
  if (action !== 'invite' || !email) {
    throw new UsageError('usage: afterword leads invite EMAIL --stack NAME [--role cx-lead|owner]');
  }
  if (!z.email().safeParse(email).success) {
    throw new UsageError(`"${email}" is not an e-mail address`);
  }
  if (!values.stack) throw new UsageError('leads invite needs --stack NAME (the deployed stack)');
  if (!(ROLES as readonly string[]).includes(values.role)) {
    throw new UsageError(`--role must be cx-lead or owner, got "${values.role}"`);
  }
  const result = await inviteDashboardUser(
    { stackName: values.stack, region: values.region, profile: values.profile },
    email,
    values.role as Role,
  );
  process.stdout.write(
    result.created
      ? `invited ${email} as ${values.role}: Cognito emails a temporary password${result.dashboardUrl ? `; the dashboard: ${result.dashboardUrl}` : ''}
`
      : `${email} already had an account: added to ${values.role}
`,
  );
  return 0;
}
