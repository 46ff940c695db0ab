/**
 * Every `afterword` command, defined once: usage, what it does, options with their help. The
 * parser and `--help` are made from these (command.ts); each command's code is in commands/.
 */
import type { CommandSpec, OptionSpec } from './command.js';

const format = (...formats: string[]) =>
  ({
    type: 'string',
    default: 'table',
    value: formats.join('|'),
    help: 'how to print the result',
  }) as const satisfies OptionSpec;

const day = (help: string) =>
  ({ type: 'string', value: 'YYYY-MM-DD', help }) as const satisfies OptionSpec;

const ANALYST = 'AnalystPolicyArn';

export const start = {
  usage: ['[--instant] [--config FILE]'],
  about:
    'Start the local stack: DynamoDB Local, the SES emulator, the event bus, the survey web app, sign-in and the dispatcher (Ctrl-C stops it).',
  options: {
    instant: {
      type: 'boolean',
      help: "send at once, whatever the programs' delays and send windows",
    },
    config: { type: 'string', value: 'FILE', help: 'the programs config (or AFTERWORD_CONFIG)' },
  },
} as const satisfies CommandSpec;

export const send = {
  usage: [
    'FILE.json [--occurred-at ISO]',
    '--touchpoint T --channel C --customer-id ID [--email E] [--name N] [--locale L] [--segment S] [--interaction-id ID] [--occurred-at ISO]',
  ],
  about:
    "Put an Interaction Completed event on the local bus, wait, and say what became of it: scheduled with its send time, skipped with the reason, a duplicate, or dead-lettered (exit 1). A file's occurredAt becomes now, unless --occurred-at is given.",
  positionals: true,
  options: {
    touchpoint: { type: 'string', value: 'T', help: 'the touchpoint (a program of the config)' },
    channel: { type: 'string', value: 'C', help: 'the channel, e.g. phone, web, email' },
    'customer-id': { type: 'string', value: 'ID', help: "the customer's id" },
    email: { type: 'string', value: 'E', help: "the customer's address" },
    name: { type: 'string', value: 'N', help: "the customer's name" },
    locale: { type: 'string', value: 'L', help: "the customer's locale, e.g. en-GB" },
    segment: { type: 'string', value: 'S', help: "the customer's segment" },
    'interaction-id': {
      type: 'string',
      value: 'ID',
      help: 'the interaction id (default: a new one)',
    },
    'occurred-at': {
      type: 'string',
      value: 'ISO',
      help: 'when the interaction happened (default: now)',
    },
  },
} as const satisfies CommandSpec;

export const rollup = {
  usage: ['[--date YYYY-MM-DD] [--days N] [--from-items]'],
  about:
    "Recompute rollups: by default every day whose survey links may still be open (the longest linkExpiry + maxLateness + 2 days), from the counters the table's stream keeps.",
  options: {
    date: day('the last day to recompute'),
    days: { type: 'string', value: 'N', help: 'how many days, up to --date' },
    'from-items': {
      type: 'boolean',
      help: 'recompute from the invitations themselves (the day indexes), not the counters',
    },
  },
} as const satisfies CommandSpec;

export const report = {
  usage: [
    '[--from D] [--to D] [--by touchpoint|channel|segment|journey|journeyStep] [--format table|csv|json] [--stack NAME]',
    '--metric drivers [--from D] [--to D] [--format table|csv|json] [--stack NAME]',
    '--metric follow-up [--by touchpoint|owner] [--from D] [--to D] [--recovery-window DAYS] [--format table|json] [--stack NAME]',
  ],
  about:
    'Print metrics from the rollups, a totals row per group. --metric drivers: questionnaire answers per option and score group (top reasons among detractors), with intervals. --metric follow-up: follow-up cases opened, within deadline, time to contact and close, root causes, recovery rate.',
  options: {
    from: day('the first day (default: 28 days before --to)'),
    to: day('the last day (default: today)'),
    by: {
      type: 'string',
      multiple: true,
      value: 'DIMENSION',
      help: 'group by touchpoint, channel, segment, journey, journeyStep (or owner, with follow-up); repeat or comma-separate',
    },
    format: format('table', 'csv', 'json'),
    metric: {
      type: 'string',
      default: 'scores',
      value: 'scores|drivers|follow-up',
      help: 'what to report',
    },
    'recovery-window': {
      type: 'string',
      value: 'DAYS',
      help: "with follow-up: how long a customer's next answer counts as recovery (default: 90)",
    },
  },
  stack: ANALYST,
} as const satisfies CommandSpec;

export const digest = {
  usage: ['[--date YYYY-MM-DD]', '--stack NAME [--date D]'],
  about:
    "Send the digest for a day (default yesterday) to the CX leads; with --stack, show the deployed stack's digest (its nightly run sends it).",
  options: { date: day('the day (default: yesterday)') },
  stack: ANALYST,
} as const satisfies CommandSpec;

export const demo = {
  usage: ['[--days N] [--seed N]'],
  about:
    'Simulate days of interactions and answers through the real flows (the days replayed are counted on stderr when it is a terminal).',
  options: {
    days: { type: 'string', value: 'N', help: 'how many days (default: 7)' },
    seed: { type: 'string', value: 'N', help: 'the random seed, for the same week again' },
  },
} as const satisfies CommandSpec;

export const customer = {
  usage: ['ID [--limit N] [--stack NAME]', 'ID --format json [--stack NAME]'],
  about:
    "One customer's timeline across channels, newest first. With --format json, an access request (GDPR art. 15): everything stored about the customer (profile, consent, interactions, decisions, sends, answers, comments, cases).",
  positionals: true,
  options: {
    limit: { type: 'string', value: 'N', help: 'how many entries (default: 50)' },
    format: format('table', 'json'),
  },
  stack: ANALYST,
} as const satisfies CommandSpec;

export const customers = {
  usage: ['import FILE [--stack NAME]'],
  about:
    'Add or update customers of the directory from a CSV file: customerId,email[,locale,timeZone,segment,lastSeen]. Every bad row is named, and then nothing is imported.',
  positionals: true,
  options: {},
  stack: "write access to the stack's table.",
} as const satisfies CommandSpec;

export const plan = {
  usage: ['PROGRAM [--format table|json] [--stack NAME]'],
  about:
    "A tracking or periodic program's next run, without sending: population, response rate, invitations needed for the target margin (per stratum).",
  positionals: true,
  options: { format: format('table', 'json') },
  stack: ANALYST,
} as const satisfies CommandSpec;

export const launch = {
  usage: ['PROGRAM [--instant] [--stack NAME]'],
  about:
    'Run a tracking or periodic program now: draw the sample and schedule its invitations, spread over its spreadOver. A second run in the same period invites nobody new; on AWS its schedule runs it.',
  positionals: true,
  options: {
    instant: { type: 'boolean', help: 'send at once (local only)' },
  },
  stack: "write access to the stack's table, and reading its ConsentKeySecretArn.",
} as const satisfies CommandSpec;

export const sesEvent = {
  usage: ['delivery|bounce|soft-bounce|complaint --invitation ID'],
  about: 'Inject SES feedback for a sent survey on the local stack, as SES would publish it.',
  positionals: true,
  options: {
    invitation: {
      type: 'string',
      value: 'ID',
      help: "the invitation (in send's output and afterword customer)",
    },
  },
} as const satisfies CommandSpec;

export const deadLetters = {
  usage: ['[--format table|json] [--stack NAME]', '--replay [--stack NAME]'],
  about:
    "List what could not be delivered (the local bus's dead letters, or the deployed stack's queues: counts and errors, never payloads). With --replay, deliver them again once the cause is fixed: the events go back on the local bus, or each queue's messages to its function.",
  options: {
    format: format('table', 'json'),
    replay: { type: 'boolean', default: false, help: 'deliver them again' },
  },
  stack: 'AnalystPolicyArn to list; OperatorPolicyArn to replay.',
} as const satisfies CommandSpec;

export const events = {
  usage: ['[--type T] [--limit N] [--format table|json] [--stack NAME]'],
  about:
    "Afterword's own events (Survey Answered, Follow-up Requested and Withdrawn, Customer Erased), newest first.",
  options: {
    type: { type: 'string', value: 'T', help: 'only this detail-type' },
    limit: { type: 'string', value: 'N', help: 'how many (default: 20)' },
    format: format('table', 'json'),
  },
  stack: ANALYST,
} as const satisfies CommandSpec;

export const followUps = {
  usage: [
    '[--owner EMAIL] [--touchpoint T] [--status S] [--overdue] [--days N] [--format table|json] [--stack NAME]',
  ],
  about:
    'Follow-up cases of unhappy answers: by default open ones, overdue first, then by deadline; closed ones of the last 90 days with --status.',
  options: {
    owner: { type: 'string', value: 'EMAIL', help: "only this owner's" },
    touchpoint: { type: 'string', value: 'T', help: "only this touchpoint's" },
    status: {
      type: 'string',
      value: 'S',
      help: 'only this status: open, contacted, resolved, no-action, withdrawn',
    },
    overdue: { type: 'boolean', default: false, help: 'only overdue ones' },
    days: { type: 'string', value: 'N', help: 'opened in the last N days' },
    format: format('table', 'json'),
  },
  stack: ANALYST,
} as const satisfies CommandSpec;

export const forget = {
  usage: ['CUSTOMER_ID|EMAIL [--wait SECONDS] [--format table|json] [--stack NAME]'],
  about:
    'Erase a customer (GDPR art. 17): every item that names them is scrubbed or deleted, the numbers stay, an opt-out is kept by keyed hash. Waits and reports the counts.',
  positionals: true,
  options: {
    wait: { type: 'string', value: 'SECONDS', help: 'how long to wait (default: 60)' },
    format: format('table', 'json'),
  },
  stack: 'PrivacyPolicyArn',
} as const satisfies CommandSpec;

export const smoke = {
  usage: ['[--touchpoint T] [--wait SECONDS] [--format table|json] [--stack NAME]'],
  about:
    "One survey end to end, as a customer meets it: put on the bus, decided, sent (on AWS to SES's mailbox simulator), its page fetched and answered through the public URL, read back (and on AWS its delivery event). Counted in no rollup. Exit 1 naming the step that failed.",
  options: {
    touchpoint: {
      type: 'string',
      value: 'T',
      help: 'the program (default: the first event-based one)',
    },
    wait: {
      type: 'string',
      value: 'SECONDS',
      help: 'how long each step may take (default: 30, or 180 with --stack)',
    },
    format: format('table', 'json'),
  },
  stack: 'OperatorPolicyArn',
} as const satisfies CommandSpec;

export const leads = {
  usage: ['invite EMAIL --stack NAME [--role cx-lead|owner]'],
  about:
    "Invite someone to the deployed stack's dashboard (Cognito emails them a temporary password).",
  positionals: true,
  options: {
    role: { type: 'string', default: 'cx-lead', value: 'cx-lead|owner', help: 'their role' },
  },
  stack: "administrator access to the stack's Cognito user pool.",
} as const satisfies CommandSpec;

export const migrateStorage = {
  usage: ['[--format table|json] [--stack NAME]'],
  about:
    'Move what a table written by an older version holds onto the current storage shape (once after deploying; safe to run again, and after a crash it goes on with what is left).',
  options: {
    format: format('table', 'json'),
  },
  stack: 'OperatorPolicyArn',
} as const satisfies CommandSpec;

/** By the name typed, in the order `afterword help` lists them. */
export const COMMANDS = {
  start,
  send,
  rollup,
  report,
  digest,
  demo,
  customer,
  plan,
  launch,
  customers,
  'ses-event': sesEvent,
  'dead-letters': deadLetters,
  events,
  'follow-ups': followUps,
  forget,
  smoke,
  'migrate-storage': migrateStorage,
  leads,
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
