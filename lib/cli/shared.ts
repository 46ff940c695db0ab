/**
 * What the commands share: the local stack's runtime and bus, a deployed stack's runtime
 * (`--stack`), and the checks of dates, numbers and formats every command makes the same way.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { resolve } from 'node:path';
import { DAY_PATTERN, addDays } from '../domain/time.js';
import {
  DEFAULT_TABLE,
  LOCAL_BUS_NAME,
  LOCAL_REGION,
  localConsentKey,
  localSigningKeys,
  portsFromEnv,
} from '../local/settings.js';
import type { Runtime } from '../runtime.js';
import { COMMANDS, type CommandName } from './commands.js';
import { NotRunningError, StackError, UsageError } from './errors.js';
import type { DeployedStack } from './stack.js';

export function dataDir(): string {
  return resolve(process.env.AFTERWORD_DATA_DIR ?? '.afterword');
}

/** Puts one event on the running local bus with the real SDK client; returns its event id. */
export async function putOnLocalBus(entry: PutEventsRequestEntry): Promise<string> {
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
export async function localRuntime(options: { signing?: boolean } = {}): Promise<Runtime> {
  // Loaded when a command reads the table: listings of the local journals start without them.
  const [{ createRuntime }, { loadConfig }] = await Promise.all([
    import('../runtime.js'),
    import('../config/load.js'),
  ]);
  const ports = portsFromEnv();
  const dynamodb = `http://127.0.0.1:${ports.dynamodb}`;
  const runtime: Runtime = createRuntime({
    config: loadConfig(),
    tableName: process.env.AFTERWORD_TABLE ?? DEFAULT_TABLE,
    region: LOCAL_REGION,
    eventBusName: LOCAL_BUS_NAME,
    publicBaseUrl: `http://127.0.0.1:${ports.web}`,
    signing: options.signing ? localSigningKeys(dataDir()) : undefined,
    consentKey: localConsentKey(dataDir()),
    exports: { dir: resolve(dataDir(), 'exports') },
    endpoints: {
      dynamodb,
      ses: `http://127.0.0.1:${ports.ses}`,
      events: `http://127.0.0.1:${ports.bus}`,
    },
    // Before a rollup: what the running stack's poller has not counted yet, counted now (the
    // shard positions make a record counted by both count once). One poller for the command:
    // after its first read of the stream it reads only what is new.
    catchUpCounting: async () => {
      const { countingPoller } = await import('../local/stream-poller.js');
      let poller = counting.get(runtime);
      if (!poller) {
        poller = countingPoller(runtime, dynamodb);
        counting.set(runtime, poller);
      }
      await poller.drain();
    },
  });
  return runtime;
}

/** The CLI's stream pollers, by runtime: stopped with it. */
const counting = new WeakMap<Runtime, { drain(): Promise<number>; stop(): Promise<void> }>();

export function unreachable(error: unknown, what: string, endpoint: string): unknown {
  const cause = (error as { cause?: { message?: string } }).cause;
  const text = `${(error as Error).name} ${(error as Error).message} ${cause?.message ?? ''}`;
  if (/ECONNREFUSED|ECONNRESET|fetch failed|socket hang up/i.test(text)) {
    return new NotRunningError(
      `cannot reach ${what} at ${endpoint}: start the local stack first with \`npm start\``,
    );
  }
  return error;
}

export async function withLocalRuntime<T>(
  fn: (rt: Runtime) => Promise<T>,
  options: { signing?: boolean } = {},
): Promise<T> {
  const rt = await localRuntime(options);
  try {
    return await fn(rt);
  } catch (error) {
    throw unreachable(error, 'DynamoDB Local', rt.settings.endpoints?.dynamodb ?? '');
  } finally {
    await counting.get(rt)?.stop();
    rt.dynamodb.destroy();
  }
}

export async function withRuntime<T>(
  values: { stack?: string; region?: string; profile?: string },
  fn: (rt: Runtime, stack?: DeployedStack) => Promise<T>,
): Promise<T> {
  if (!values.stack) {
    if (values.region || values.profile)
      throw new UsageError('--region and --profile go with --stack');
    return withLocalRuntime((rt) => fn(rt));
  }
  // The AWS clients of a deployed stack, loaded only for --stack.
  const { openStack } = await import('./stack.js');
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
export function asStackError(stackName: string, error: unknown): unknown {
  return (error as { $metadata?: unknown }).$metadata
    ? new StackError(`${stackName}: ${(error as Error).name}: ${(error as Error).message}`)
    : error;
}

export function day(value: string | undefined, flag: string): string | undefined {
  // A real calendar day: 2026-02-30 and 2026-13-01 have the shape and no place in the calendar.
  if (value !== undefined && (!DAY_PATTERN.test(value) || addDays(value, 0) !== value))
    throw new UsageError(`${flag} must be a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** A listing's --format: table (the default) or json. */
export function formatOf(value: string): 'table' | 'json' {
  if (value !== 'table' && value !== 'json') {
    throw new UsageError(`--format must be table or json, got "${value}"`);
  }
  return value;
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a whole number ≥ 1, got "${value}"`);
  return n;
}

/** The one argument of a command such as `plan PROGRAM`; its usage otherwise. */
export function singleArgument(positionals: string[], command: CommandName): string {
  if (positionals.length !== 1) throw new UsageError(usageOf(command));
  return positionals[0]!;
}

/** `usage:` and the command's usage lines. */
export function usageOf(command: CommandName): string {
  return `usage:\n${COMMANDS[command].usage.map((line) => `  afterword ${command} ${line}`).join('\n')}`;
}

/**
 * A long command's progress, on stderr and only to a terminal: stdout stays the result, and a pipe
 * or a script's log stays clean.
 */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`afterword: ${text}\n`);
}
