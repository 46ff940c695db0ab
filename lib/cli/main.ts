/**
 * The `afterword` CLI: runs the local stack and talks to it the way a producer or a CX lead would,
 * or to a deployed stack (`--stack`). Every command is defined once (commands.ts): its parser and
 * its `--help` come from that definition, and its code (commands/<name>.ts) is loaded only when it
 * runs. Every command prints a clear error instead of a stack trace for problems a user can fix:
 * exit 2 for a command line that cannot run as written, 1 for a problem of the world (no Java, no
 * stack).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { commandList, helpOf, parseConfig, type CommandSpec } from './command.js';
import { COMMANDS, type CommandName } from './commands.js';
import { exitCodeOf, USAGE_EXIT } from './errors.js';

type CommandModule = { run(input: { values: never; positionals: string[] }): Promise<number> };

/** Each command's code, loaded when it runs. */
const MODULES: Record<CommandName, () => Promise<CommandModule>> = {
  start: () => import('./commands/start.js'),
  send: () => import('./commands/send.js'),
  rollup: () => import('./commands/rollup.js'),
  report: () => import('./commands/report.js'),
  digest: () => import('./commands/digest.js'),
  demo: () => import('./commands/demo.js'),
  customer: () => import('./commands/customer.js'),
  plan: () => import('./commands/plan.js'),
  launch: () => import('./commands/launch.js'),
  customers: () => import('./commands/customers.js'),
  'ses-event': () => import('./commands/ses-event.js'),
  'dead-letters': () => import('./commands/dead-letters.js'),
  events: () => import('./commands/events.js'),
  'follow-ups': () => import('./commands/follow-ups.js'),
  forget: () => import('./commands/forget.js'),
  smoke: () => import('./commands/smoke.js'),
  'migrate-storage': () => import('./commands/migrate-storage.js'),
  leads: () => import('./commands/leads.js'),
};

const USAGE = `afterword: customer-experience surveys, event-driven (local stack, or a deployed one)

Usage:
${commandList(COMMANDS)}

  afterword <command> --help   a command's options;   afterword --version

--stack NAME reads (or acts on) a deployed stack with your AWS credentials; --region and
--profile pick them as the AWS CLI does. Each command's help names the stack's policy it needs.

Environment: AFTERWORD_CONFIG, AFTERWORD_DATA_DIR (default .afterword), AFTERWORD_TABLE,
AFTERWORD_DYNAMODB_PORT (8000), AFTERWORD_SES_PORT (8005), AFTERWORD_BUS_PORT (4010),
AFTERWORD_WEB_PORT (3000), AFTERWORD_OIDC_PORT (4011), AFTERWORD_LINK_SECRET, LOG_LEVEL.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
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
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    process.stderr.write(`afterword: unknown command "${command}"\n\n${USAGE}`);
    return USAGE_EXIT;
  }
  const name = command as CommandName;
  const spec: CommandSpec = COMMANDS[name];
  if (rest.some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(helpOf(name, spec));
    return 0;
  }
  // One-shot commands print their result; their progress logs would only be noise.
  if (name !== 'start') process.env.LOG_LEVEL ??= 'warn';
  try {
    const { values, positionals } = parseArgs(parseConfig(spec, rest));
    const module = await MODULES[name]();
    return await module.run({ values: values as never, positionals });
  } catch (error) {
    const code = exitCodeOf(error);
    if (code === undefined) throw error;
    process.stderr.write(`afterword: ${(error as Error).message}\n`);
    return code;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
